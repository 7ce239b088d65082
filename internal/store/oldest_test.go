package store

import (
	"context"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
)

func TestOldestPending(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t, "")
	if _, ok, err := s.OldestPending(ctx); err != nil || ok {
		t.Fatalf("empty outbox: ok %v, err %v", ok, err)
	}
	ops := alert.Target{Channel: "ops"}
	ingest(t, s, notification("firing", mkAlert("a", "firing", t0)), t0, ops)
	ingest(t, s, notification("firing", mkAlert("b", "firing", t0)), t0.Add(time.Minute), ops)
	at, ok, err := s.OldestPending(ctx)
	if err != nil || !ok || !at.Equal(t0) {
		t.Fatalf("two pending: %v %v %v, want %v", at, ok, err, t0)
	}

	// A retry keeps a delivery pending and its age; sending it leaves the
	// next one the oldest, and failing that one empties the outbox.
	ds, err := s.Ready(ctx, "ops", t0.Add(time.Hour), 10)
	if err != nil || len(ds) != 2 {
		t.Fatalf("ready: %d %v", len(ds), err)
	}
	if err := s.Record(ctx, Outcome{Deliveries: ds[:1], State: StatePending, NextAttempt: t0.Add(2 * time.Hour), At: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if at, _, _ := s.OldestPending(ctx); !at.Equal(t0) {
		t.Fatalf("after a retry: %v, want %v", at, t0)
	}
	if err := s.Record(ctx, Outcome{Deliveries: ds[:1], State: StateSent, At: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if at, _, _ := s.OldestPending(ctx); !at.Equal(t0.Add(time.Minute)) {
		t.Fatalf("after sending the oldest: %v, want %v", at, t0.Add(time.Minute))
	}
	if err := s.Record(ctx, Outcome{Deliveries: ds[1:], State: StateFailed, At: t0.Add(time.Hour), Error: "gave up"}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.OldestPending(ctx); err != nil || ok {
		t.Fatalf("all done: ok %v, err %v", ok, err)
	}
}

func TestOldestPendingClosed(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	s.Close()
	if _, ok, err := s.OldestPending(context.Background()); err == nil || ok {
		t.Fatalf("closed store: ok %v, err %v", ok, err)
	}
}
