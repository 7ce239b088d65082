package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
)

// TestReplicasIngestOnce is an Alertmanager HA pair posting every
// notification to both of two replicas at once: each alert episode gets one
// delivery per channel and kind, and each reminder one sequence number,
// whichever replica wins. Reported creations add up to what is stored.
func TestReplicasIngestOnce(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "h.db")
	replicas := []*Store{openTest(t, path), openTest(t, path)}
	const notifications, perNotification, fingerprints = 100, 5, 150
	// Notifications overlap: each fingerprint is in three or four of them.
	ns := make([]Ingest, notifications)
	for i := range ns {
		var as []amtemplate.Alert
		for j := range perNotification {
			as = append(as, mkAlert(fmt.Sprintf("fp%03d", (i*perNotification+j)%fingerprints), "firing", t0))
		}
		targets := make([][]alert.Target, len(as))
		for j := range targets {
			targets[j] = []alert.Target{{Channel: "ops", Repeat: true, RepeatInterval: time.Hour}, {Channel: "dev"}}
		}
		ns[i] = Ingest{Notification: notification("firing", as...), Targets: targets}
	}

	// Three rounds: the firing deliveries, then two rounds of reminders,
	// each round past the repeat interval.
	var created atomic.Int64
	for round, at := range []time.Time{t0, t0.Add(2 * time.Hour), t0.Add(4 * time.Hour)} {
		start := time.Now()
		var wg sync.WaitGroup
		for i := range ns {
			for r, s := range replicas {
				wg.Add(1)
				go func() {
					defer wg.Done()
					in := ns[i]
					// The two replicas' clocks and network differ a little.
					in.ReceivedAt = at.Add(time.Duration(r) * time.Second)
					// A deadlock between the replicas' batches is the
					// store's to resolve: no ingest may fail.
					res, err := s.Ingest(context.Background(), &in)
					if err != nil {
						t.Errorf("round %d, notification %d on replica %d: %v", round, i, r, err)
						return
					}
					created.Add(int64(res.Deliveries))
				}()
			}
		}
		wg.Wait()
		t.Logf("round %d: %d ingests in %v", round, 2*len(ns), time.Since(start))
		if t.Failed() {
			t.FailNow()
		}
	}

	const want = 2*fingerprints + 2*fingerprints // firing on ops and dev, two reminders on ops
	if n := created.Load(); n != want {
		t.Errorf("ingests reported %d new deliveries, want %d", n, want)
	}
	for r, s := range replicas {
		counts, err := s.Counts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if counts[StatePending] != want || len(counts) != 1 {
			t.Errorf("replica %d counts %v, want %d pending", r, counts, want)
		}
	}
	for ch, wantKinds := range map[string]string{"ops": "firing/0 reminder/1 reminder/2", "dev": "firing/0"} {
		ds, err := replicas[1].Ready(context.Background(), ch, t0.Add(24*time.Hour), 10*want)
		if err != nil {
			t.Fatal(err)
		}
		byFP := map[string][]string{}
		for _, d := range ds {
			byFP[d.Fingerprint] = append(byFP[d.Fingerprint], fmt.Sprintf("%s/%d", d.Kind, d.Seq))
		}
		if len(byFP) != fingerprints {
			t.Errorf("%s: deliveries for %d fingerprints, want %d", ch, len(byFP), fingerprints)
		}
		for fp, kinds := range byFP {
			slices.Sort(kinds)
			if got := strings.Join(kinds, " "); got != wantKinds {
				t.Errorf("%s %s: deliveries %s, want %s", ch, fp, got, wantKinds)
			}
		}
	}
}

// TestReplicaSeesRecord checks that what one replica recorded is what the
// other reads: a sent delivery is ready on neither, a retry waits for its
// time on both.
func TestReplicaSeesRecord(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "h.db")
	a, b := openTest(t, path), openTest(t, path)
	ctx := context.Background()
	ingest(t, a, notification("firing", mkAlert("x", "firing", t0), mkAlert("y", "firing", t0)), t0, alert.Target{Channel: "ops"})
	ready := func(s *Store, at time.Time) []string {
		t.Helper()
		ds, err := s.Ready(ctx, "ops", at, 10)
		if err != nil {
			t.Fatal(err)
		}
		var fps []string
		for _, d := range ds {
			fps = append(fps, d.Fingerprint)
		}
		return fps
	}
	if got := ready(b, t0); !slices.Equal(got, []string{"x", "y"}) {
		t.Fatalf("the other replica's ingest: ready %q", got)
	}

	ds, err := a.Ready(ctx, "ops", t0, 10)
	if err != nil || len(ds) != 2 {
		t.Fatalf("ready %v %v", ds, err)
	}
	if err := a.Record(ctx, Outcome{Deliveries: ds[:1], State: StateSent, At: t0,
		Refs: []notify.Ref{{ChatID: "-1", MessageID: "1"}}}); err != nil {
		t.Fatal(err)
	}
	retryAt := t0.Add(time.Minute)
	if err := a.Record(ctx, Outcome{Deliveries: ds[1:], State: StatePending, At: t0, NextAttempt: retryAt,
		Error: "HTTP 503"}); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*Store{"recording replica": a, "other replica": b} {
		if got := ready(s, retryAt.Add(-time.Nanosecond)); len(got) != 0 {
			t.Errorf("%s: ready before the retry %q", name, got)
		}
		if got := ready(s, retryAt); !slices.Equal(got, []string{"y"}) {
			t.Errorf("%s: ready at the retry %q, want only y", name, got)
		}
		pending, err := s.PendingChannels(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if p := pending["ops"]; p.Count != 1 || !p.Due.Equal(retryAt) {
			t.Errorf("%s: pending %+v, want 1 due at %v", name, p, retryAt)
		}
	}
}
