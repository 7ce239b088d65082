package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
)

// delivered lists the deliveries created for channel as fingerprint/kind/seq.
func delivered(t *testing.T, s *Store, channel string) []string {
	t.Helper()
	ds, err := s.Ready(context.Background(), channel, t0.Add(1000*time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s/%s/%d", d.Fingerprint, d.Kind, d.Seq))
	}
	return out
}

// TestAckStopsReminders follows two alerts firing to two channels that
// remind every hour: "a" is acknowledged and gets no more reminders on any
// channel, but its resolution is still delivered and a new episode of it
// is reminded again; "b" is reminded as before.
func TestAckStopsReminders(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	ctx := context.Background()
	ops := alert.Target{Channel: "ops", SendResolved: true, Repeat: true, RepeatInterval: time.Hour}
	dev := alert.Target{Channel: "dev", Repeat: true, RepeatInterval: time.Hour}
	step := func(at time.Duration, status string, fps ...string) int {
		as := notification(status)
		for _, fp := range fps {
			as.Alerts = append(as.Alerts, mkAlert(fp, status, t0))
		}
		return ingest(t, s, as, t0.Add(at), ops, dev).Deliveries
	}
	if n := step(0, "firing", "a", "b"); n != 4 {
		t.Fatalf("first notification: %d deliveries, want 4", n)
	}
	if by, _, ok, err := s.Acked(ctx, "a", t0); ok || err != nil {
		t.Fatalf("acked before any ack: %q %v", by, err)
	}
	prev, err := s.Ack(ctx, AckRequest{Fingerprint: "a", StartsAt: t0, By: "@alice", At: t0.Add(10 * time.Minute)})
	if err != nil || prev != "" {
		t.Fatalf("Ack = %q %v, want the first ack", prev, err)
	}
	prev, err = s.Ack(ctx, AckRequest{Fingerprint: "a", StartsAt: t0, By: "@bob", At: t0.Add(20 * time.Minute)})
	if err != nil || prev != "@alice" {
		t.Fatalf("second Ack = %q %v, want @alice's to stand", prev, err)
	}
	by, at, ok, err := s.Acked(ctx, "a", t0)
	if err != nil || !ok || by != "@alice" || !at.Equal(t0.Add(10*time.Minute)) {
		t.Fatalf("Acked = %q %v %v %v", by, at, ok, err)
	}
	if _, _, ok, _ := s.Acked(ctx, "b", t0); ok {
		t.Fatal("b is acked")
	}

	// Repeat notifications: only b is reminded, on both channels.
	if n := step(61*time.Minute, "firing", "a", "b"); n != 2 {
		t.Fatalf("repeat: %d deliveries, want b's 2 reminders", n)
	}
	if n := step(3*time.Hour, "firing", "a", "b"); n != 2 {
		t.Fatalf("second repeat: %d deliveries, want b's 2 reminders", n)
	}
	// The resolution still goes out.
	if n := step(4*time.Hour, "resolved", "a"); n != 1 {
		t.Fatalf("resolved: %d deliveries, want 1 (ops sends resolved)", n)
	}
	want := []string{"a/firing/0", "b/firing/0", "b/reminder/1", "b/reminder/2", "a/resolved/0"}
	if got := delivered(t, s, "ops"); !slices.Equal(got, want) {
		t.Fatalf("ops deliveries %v, want %v", got, want)
	}
	want = []string{"a/firing/0", "b/firing/0", "b/reminder/1", "b/reminder/2"}
	if got := delivered(t, s, "dev"); !slices.Equal(got, want) {
		t.Fatalf("dev deliveries %v, want %v", got, want)
	}

	// A new episode of a is not acknowledged by the old ack.
	next := t0.Add(5 * time.Hour)
	for _, c := range []struct {
		after time.Duration
		want  int
	}{{5 * time.Hour, 2}, {6*time.Hour + time.Minute, 2}} {
		n := ingest(t, s, notification("firing", mkAlert("a", "firing", next)), t0.Add(c.after), ops, dev).Deliveries
		if n != c.want {
			t.Fatalf("new episode at %v: %d deliveries, want %d", c.after, n, c.want)
		}
	}
}

func TestAckInvalid(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	for _, c := range []struct {
		r    AckRequest
		want string
	}{
		{AckRequest{StartsAt: t0, By: "@a"}, "acknowledge: the alert fingerprint is missing"},
		{AckRequest{Fingerprint: "a", By: "@a"}, "acknowledge: the alert start is missing"},
		{AckRequest{Fingerprint: "a", StartsAt: t0}, "acknowledge: who acknowledges is missing"},
	} {
		t.Run(c.want, func(t *testing.T) {
			if _, err := s.Ack(context.Background(), c.r); err == nil || err.Error() != c.want {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}
