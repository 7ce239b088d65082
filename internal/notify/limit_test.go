package notify

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestWindowAllowsBurstThenWaits(t *testing.T) {
	l := NewLimiter(Rate{})
	r := Rate{Events: 5, Per: 200 * time.Millisecond, Window: true}
	start := time.Now()
	for i := 0; i < 5; i++ {
		if err := l.Wait(context.Background(), "g", r); err != nil {
			t.Fatal(err)
		}
	}
	if time.Since(start) > 50*time.Millisecond {
		t.Fatal("a burst within the window must not wait")
	}
	if err := l.Wait(context.Background(), "g", r); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 200*time.Millisecond {
		t.Fatal("the sixth event came inside the window")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	for i := 0; i < 5; i++ {
		_ = l.Wait(context.Background(), "h", r)
	}
	var te *ThrottledError
	if err := l.Wait(ctx, "h", r); !errors.As(err, &te) || te.Wait < 150*time.Millisecond {
		t.Fatalf("a wait past the deadline must fail at once with the wait needed: %v", err)
	}
}

func TestTokenBucketPerKey(t *testing.T) {
	l := NewLimiter(Rate{Events: 1000, Per: time.Second, Burst: 1000})
	r := Rate{Events: 10, Per: time.Second, Burst: 1}
	start := time.Now()
	for i := 0; i < 3; i++ {
		if err := l.Wait(context.Background(), "a", r); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took < 150*time.Millisecond {
		t.Fatalf("3 events at 10/s took %v", took)
	}
	// Another key has its own allowance.
	start = time.Now()
	if err := l.Wait(context.Background(), "b", r); err != nil || time.Since(start) > 50*time.Millisecond {
		t.Fatalf("key b waited %v: %v", time.Since(start), err)
	}
}

func TestDelayForSeveralEvents(t *testing.T) {
	l := NewLimiter(Rate{})
	win := Rate{Events: 3, Per: time.Second, Window: true}
	if d := l.Delay("g", 3, win); d != 0 {
		t.Fatalf("empty window: %v", d)
	}
	for i := 0; i < 2; i++ {
		_ = l.Wait(context.Background(), "g", win)
	}
	if d := l.Delay("g", 1, win); d != 0 {
		t.Fatalf("one free slot: %v", d)
	}
	if d := l.Delay("g", 2, win); d < 900*time.Millisecond || d > time.Second {
		t.Fatalf("two events need the oldest to leave: %v", d)
	}
	bucket := Rate{Events: 10, Per: time.Second, Burst: 1}
	_ = l.Wait(context.Background(), "b", bucket)
	if d := l.Delay("b", 3, bucket); d < 250*time.Millisecond || d > 300*time.Millisecond {
		t.Fatalf("3 events at 10/s with an empty bucket: %v", d)
	}
}
