package store

import (
	"context"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
)

func TestListDeliveries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t, "")
	ops, dev := alert.Target{Channel: "ops"}, alert.Target{Channel: "dev"}
	ingest(t, s, notification("firing", mkAlert("a", "firing", t0), mkAlert("b", "firing", t0), mkAlert("c", "firing", t0)), t0, ops, dev)
	ready, err := s.Ready(ctx, "ops", t0.Add(time.Minute), 10)
	if err != nil || len(ready) != 3 {
		t.Fatalf("ready: %v %d", err, len(ready))
	}
	// ops: a sent, b failed, c pending with a retry due.
	if err := s.Record(ctx, Outcome{Deliveries: ready[:1], State: StateSent, At: t0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, Outcome{Deliveries: ready[1:2], State: StateFailed, At: t0.Add(time.Minute), Error: "chat not found"}); err != nil {
		t.Fatal(err)
	}
	retry := t0.Add(5 * time.Minute)
	if err := s.Record(ctx, Outcome{Deliveries: ready[2:], State: StatePending, NextAttempt: retry, At: t0.Add(time.Minute), Error: "429"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		filter DeliveryFilter
		want   []string // instance label, newest first
	}{
		{"all", DeliveryFilter{}, []string{"c", "c", "b", "b", "a", "a"}},
		{"ops", DeliveryFilter{Channel: "ops"}, []string{"c", "b", "a"}},
		{"failed", DeliveryFilter{State: StateFailed}, []string{"b"}},
		{"sent", DeliveryFilter{State: StateSent}, []string{"a"}},
		{"pending ops", DeliveryFilter{State: StatePending, Channel: "ops"}, []string{"c"}},
		{"limit", DeliveryFilter{Limit: 2}, []string{"c", "c"}},
		{"none", DeliveryFilter{Channel: "nope"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListDeliveries(ctx, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			var inst []string
			for _, d := range got {
				inst = append(inst, d.Labels["instance"])
			}
			if len(inst) != len(tc.want) {
				t.Fatalf("got %v, want %v", inst, tc.want)
			}
			for i := range inst {
				if inst[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", inst, tc.want)
				}
			}
		})
	}
	got, _ := s.ListDeliveries(ctx, DeliveryFilter{Channel: "ops"})
	c, b := got[0], got[1]
	if c.State != StatePending || c.Attempts != 1 || c.LastError != "429" || !c.NextAttempt.Equal(retry) || c.Kind != "firing" || !c.CreatedAt.Equal(t0) {
		t.Errorf("pending: %+v", c)
	}
	if b.State != StateFailed || b.LastError != "chat not found" || !b.NextAttempt.IsZero() || b.Labels["alertname"] != "A" {
		t.Errorf("failed: %+v", b)
	}
	if _, err := s.ListDeliveries(ctx, DeliveryFilter{State: "lost"}); err == nil {
		t.Error("unknown state accepted")
	}
}
