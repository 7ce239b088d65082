package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
)

// TestPruneBotState checks what the prune pass removes of the bot's
// records: acks of episodes gone, old actions, expired buttons after their
// grace, old update ids; and what it keeps.
func TestPruneBotState(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	ctx := context.Background()
	day := 24 * time.Hour
	now := t0.Add(100 * day)
	before := now.Add(-90 * day)
	ops := alert.Target{Channel: "ops", SendResolved: true}

	// "done" fired, resolved and was sent 100 days ago; "live" fired then
	// and Alertmanager still repeats it. Both were acknowledged then, as
	// was "ghost", of which Herald never heard; "fresh" was just now.
	ingest(t, s, notification("firing", mkAlert("done", "firing", t0), mkAlert("live", "firing", t0)), t0, ops)
	ingest(t, s, notification("resolved", mkAlert("done", "resolved", t0)), t0.Add(time.Hour), ops)
	ds, err := s.Ready(ctx, "ops", t0.Add(time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, Outcome{Deliveries: ds, State: StateSent, At: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	ingest(t, s, notification("firing", mkAlert("live", "firing", t0)), now.Add(-time.Hour), ops)
	for _, a := range []AckRequest{
		{Fingerprint: "done", StartsAt: t0, By: "@a", At: t0.Add(time.Minute)},
		{Fingerprint: "live", StartsAt: t0, By: "@a", At: t0.Add(time.Minute)},
		{Fingerprint: "ghost", StartsAt: t0, By: "@a", At: t0.Add(time.Minute)},
		{Fingerprint: "fresh", StartsAt: t0, By: "@a", At: now},
	} {
		if _, err := s.Ack(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, at := range []time.Time{t0, now.Add(-time.Hour)} {
		if err := s.RecordAction(ctx, Action{At: at, Kind: "silence"}); err != nil {
			t.Fatal(err)
		}
	}
	var buttons []int64
	for _, exp := range []time.Time{now.Add(-ButtonGrace - time.Minute), now.Add(-time.Hour), now.Add(time.Hour)} {
		id, err := s.SaveButton(ctx, Button{Kind: "k", ExpiresAt: exp})
		if err != nil {
			t.Fatal(err)
		}
		buttons = append(buttons, id)
	}
	for id, at := range map[int64]time.Time{1: now.Add(-UpdateKeep - time.Minute), 2: now.Add(-time.Hour)} {
		if _, err := s.markUpdate(ctx, id, at); err != nil {
			t.Fatal(err)
		}
	}

	got, err := s.prune(ctx, before, now)
	if err != nil {
		t.Fatal(err)
	}
	want := Pruned{Deliveries: 2, Events: 2, Notifications: 1, Acks: 2, Actions: 1, Buttons: 1, Updates: 1}
	if got != want {
		t.Fatalf("pruned %+v, want %+v", got, want)
	}
	for fp, kept := range map[string]bool{"done": false, "ghost": false, "live": true, "fresh": true} {
		if _, _, ok, err := s.Acked(ctx, fp, t0); ok != kept || err != nil {
			t.Errorf("ack of %s kept: %v (%v), want %v", fp, ok, err, kept)
		}
	}
	if as, _ := s.Actions(ctx, 0); len(as) != 1 || !as[0].At.Equal(now.Add(-time.Hour)) {
		t.Errorf("actions left %+v", as)
	}
	if _, err := s.Button(ctx, buttons[0]); !errors.Is(err, ErrNotFound) {
		t.Errorf("a button expired beyond its grace: %v, want ErrNotFound", err)
	}
	for _, id := range buttons[1:] {
		if _, err := s.Button(ctx, id); err != nil {
			t.Errorf("button %d: %v", id, err)
		}
	}
	if first, _ := s.MarkUpdate(ctx, 2); first {
		t.Error("a recent update id was forgotten")
	}
	if again, _ := s.prune(ctx, before, now); again != (Pruned{}) {
		t.Fatalf("a second prune removed %+v", again)
	}
}
