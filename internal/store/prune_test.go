package store

import (
	"context"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
)

func TestPruneKeepsLiveEpisodes(t *testing.T) {
	s := openTest(t, "")
	ctx := context.Background()
	ops := alert.Target{Channel: "ops", SendResolved: true}
	day := 24 * time.Hour
	// "done" fired and resolved 100 days ago; "live" fired 100 days ago and
	// is still repeated by Alertmanager; "pending" is old but unsent.
	ingest(t, s, notification("firing", mkAlert("done", "firing", t0)), t0, ops)
	ingest(t, s, notification("resolved", mkAlert("done", "resolved", t0)), t0.Add(time.Hour), ops)
	ingest(t, s, notification("firing", mkAlert("live", "firing", t0)), t0, ops)
	ingest(t, s, notification("firing", mkAlert("pending", "firing", t0)), t0, ops)
	ds, err := s.Ready(ctx, "ops", t0.Add(2*time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Fingerprint != "pending" {
			if err := s.Record(ctx, Outcome{Deliveries: []*Delivery{d}, State: StateSent, At: t0.Add(2 * time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	now := t0.Add(100 * day)
	ingest(t, s, notification("firing", mkAlert("live", "firing", t0)), now.Add(-time.Hour), ops) // a repeat

	got, err := s.Prune(ctx, now.Add(-90*day))
	if err != nil {
		t.Fatal(err)
	}
	if got.Deliveries != 2 || got.Events != 2 || got.Notifications != 2 {
		t.Fatalf("pruned %+v, want the 2 deliveries, 2 events and 2 notifications of the finished episode", got)
	}
	// The live episode is still deduplicated: its next repeat is no news.
	if res := ingest(t, s, notification("firing", mkAlert("live", "firing", t0)), now, ops); res.Deliveries != 0 {
		t.Fatal("a repeat of a live episode was delivered again after pruning")
	}
	// The pending delivery is still there to be sent.
	if ds, _ := s.Ready(ctx, "ops", now, 10); len(ds) != 1 || ds[0].Fingerprint != "pending" {
		t.Fatalf("ready after pruning: %+v", ds)
	}
	if again, _ := s.Prune(ctx, now.Add(-90*day)); again != (Pruned{}) {
		t.Fatalf("a second prune removed %+v", again)
	}
}
