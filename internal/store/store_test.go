package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
)

var t0 = time.Date(2026, 11, 21, 4, 9, 41, 67_000_000, time.UTC)

func notification(status string, alerts ...amtemplate.Alert) *alert.Notification {
	n := &alert.Notification{Version: "4", GroupKey: "{}:{alertname=\"A\"}"}
	n.Receiver, n.Status, n.Alerts = "herald", status, alerts
	return n
}

func mkAlert(fp, status string, starts time.Time) amtemplate.Alert {
	return amtemplate.Alert{Status: status, Fingerprint: fp, StartsAt: starts,
		Labels: amtemplate.KV{"alertname": "A", "instance": fp}}
}

func ingest(t *testing.T, s *Store, n *alert.Notification, at time.Time, targets ...alert.Target) IngestResult {
	t.Helper()
	ts := make([][]alert.Target, len(n.Alerts))
	for i := range ts {
		ts[i] = targets
	}
	res, err := s.Ingest(context.Background(), &Ingest{Notification: n, Targets: ts, ReceivedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestIngestDedup(t *testing.T) {
	ops := alert.Target{Channel: "ops", SendResolved: true}
	steps := []struct {
		name   string
		n      *alert.Notification
		after  time.Duration
		target alert.Target
		want   int
	}{
		{"firing", notification("firing", mkAlert("a", "firing", t0)), 0, ops, 1},
		{"alertmanager retry", notification("firing", mkAlert("a", "firing", t0)), time.Second, ops, 0},
		{"repeat notification suppressed", notification("firing", mkAlert("a", "firing", t0)), 4 * time.Hour, ops, 0},
		{"second channel", notification("firing", mkAlert("a", "firing", t0)), 0, alert.Target{Channel: "dev"}, 1},
		{"resolved", notification("resolved", mkAlert("a", "resolved", t0)), time.Hour, ops, 1},
		{"resolved again", notification("resolved", mkAlert("a", "resolved", t0)), time.Hour, ops, 0},
		{"late firing after resolved", notification("firing", mkAlert("a", "firing", t0)), time.Hour, ops, 0},
		{"resolved not wanted", notification("resolved", mkAlert("a", "resolved", t0)), time.Hour, alert.Target{Channel: "dev"}, 0},
		{"new episode", notification("firing", mkAlert("a", "firing", t0.Add(2*time.Hour))), 3 * time.Hour, ops, 1},
	}
	s := openTest(t, "")
	for _, st := range steps {
		res := ingest(t, s, st.n, t0.Add(st.after), st.target)
		if res.Deliveries != st.want {
			t.Errorf("%s: %d new deliveries, want %d", st.name, res.Deliveries, st.want)
		}
	}
}

func TestReminders(t *testing.T) {
	s := openTest(t, "")
	tg := alert.Target{Channel: "ops", Repeat: true, RepeatInterval: time.Hour}
	n := notification("firing", mkAlert("a", "firing", t0))
	for _, c := range []struct {
		after time.Duration
		want  int
	}{{0, 1}, {30 * time.Minute, 0}, {61 * time.Minute, 1}, {90 * time.Minute, 0}, {3 * time.Hour, 1}} {
		if got := ingest(t, s, n, t0.Add(c.after), tg).Deliveries; got != c.want {
			t.Errorf("after %v: %d deliveries, want %d", c.after, got, c.want)
		}
	}
	ds, err := s.Ready(context.Background(), "ops", t0.Add(4*time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, d := range ds {
		kinds = append(kinds, fmt.Sprintf("%s/%d", d.Kind, d.Seq))
	}
	if got := fmt.Sprint(kinds); got != "[firing/0 reminder/1 reminder/2]" {
		t.Errorf("deliveries %s", got)
	}
}

// HA Alertmanager pairs send the same notification at the same moment.
func TestConcurrentDuplicatesDeliverOnce(t *testing.T) {
	s := openTest(t, "")
	var wg sync.WaitGroup
	total := make(chan int, 200)
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			n := notification("firing", mkAlert(fmt.Sprintf("fp%d", i%20), "firing", t0))
			res, err := s.Ingest(context.Background(), &Ingest{Notification: n,
				Targets: [][]alert.Target{{{Channel: "ops"}}}, ReceivedAt: t0})
			if err != nil {
				t.Error(err)
			}
			total <- res.Deliveries
		}(i)
	}
	wg.Wait()
	close(total)
	sum := 0
	for n := range total {
		sum += n
	}
	if sum != 20 {
		t.Fatalf("%d deliveries for 20 distinct alerts", sum)
	}
	counts, _ := s.Counts(context.Background())
	if counts[StatePending] != 20 {
		t.Fatalf("pending %v", counts)
	}
}

func TestRecordAndRefsSurviveReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	s := openTest(t, path)
	ingest(t, s, notification("firing", mkAlert("a", "firing", t0)), t0, alert.Target{Channel: "ops", SendResolved: true})
	ctx := context.Background()
	ds, err := s.Ready(ctx, "ops", t0, 10)
	if err != nil || len(ds) != 1 {
		t.Fatalf("ready %v %v", ds, err)
	}
	if ds[0].Alert.Labels["instance"] != "a" || ds[0].Common.Receiver != "herald" {
		t.Fatalf("delivery data %+v", ds[0])
	}
	err = s.Record(ctx, Outcome{Deliveries: ds, State: StatePending, NextAttempt: t0.Add(time.Minute), At: t0,
		Refs: []notify.Ref{{Part: 0, ChatID: "-1", MessageID: "10"}}, Error: "HTTP 500", Resumable: true})
	if err != nil {
		t.Fatal(err)
	}
	if ds, _ := s.Ready(ctx, "ops", t0.Add(time.Second), 10); len(ds) != 0 {
		t.Fatal("a delivery waiting for its retry is not ready")
	}
	s.Close()

	s = openTest(t, path)
	ds, err = s.Ready(ctx, "ops", t0.Add(time.Minute), 10)
	if err != nil || len(ds) != 1 || ds[0].Attempts != 1 || ds[0].SentParts != 1 {
		t.Fatalf("after reopen: %+v %v", ds, err)
	}
	err = s.Record(ctx, Outcome{Deliveries: ds, State: StateSent, At: t0.Add(time.Minute),
		Refs: []notify.Ref{{Part: 1, ChatID: "-1", MessageID: "11", Media: true}}})
	if err != nil {
		t.Fatal(err)
	}
	refs, err := s.FiringRefs(ctx, "ops", "a", t0)
	if err != nil || len(refs) != 2 || refs[0].MessageID != "10" || refs[1].MessageID != "11" || refs[0].Media || !refs[1].Media {
		t.Fatalf("refs %+v %v", refs, err)
	}
	if n, _ := s.PendingCount(ctx); n != 0 {
		t.Fatalf("pending %d", n)
	}
}

func TestIngestAfterCloseFails(t *testing.T) {
	s := openTest(t, "")
	s.Close()
	_, err := s.Ingest(context.Background(), &Ingest{Notification: notification("firing", mkAlert("a", "firing", t0)),
		Targets: [][]alert.Target{nil}, ReceivedAt: t0})
	if err != ErrClosed {
		t.Fatalf("got %v", err)
	}
	if err := s.Ping(context.Background()); err != ErrClosed {
		t.Fatalf("ping %v", err)
	}
}

func TestBadRequestDoesNotFailBatch(t *testing.T) {
	s := openTest(t, "")
	var wg sync.WaitGroup
	errs := make([]error, 50)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			n := notification("firing", mkAlert(fmt.Sprint(i), "firing", t0))
			targets := [][]alert.Target{{{Channel: "ops"}}}
			if i%10 == 0 {
				targets = nil // invalid: no target list for the alert
			}
			_, errs[i] = s.Ingest(context.Background(), &Ingest{Notification: n, Targets: targets, ReceivedAt: t0})
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if (i%10 == 0) != (err != nil) {
			t.Errorf("request %d: err %v", i, err)
		}
	}
	if n, _ := s.PendingCount(context.Background()); n != 45 {
		t.Fatalf("pending %d, want 45", n)
	}
}
