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

// ago is n times, each d before now.
func ago(n int, d time.Duration) []time.Time {
	ts := make([]time.Time, n)
	for i := range ts {
		ts[i] = time.Now().Add(-d)
	}
	return ts
}

func TestRecordWindow(t *testing.T) {
	t.Parallel()
	r := Rate{Events: 20, Per: time.Minute, Window: true}
	near := func(d, want time.Duration) bool { return d <= want && d > want-time.Second }
	for _, tc := range []struct {
		name string
		at   []time.Time
		ok   func(time.Duration) bool
	}{
		{"a full window 30 s ago waits 30 s", ago(20, 30*time.Second), func(d time.Duration) bool { return near(d, 30*time.Second) }},
		{"sends of 2 min ago change nothing", ago(20, 2*time.Minute), func(d time.Duration) bool { return d == 0 }},
		{"a window less one leaves one place", ago(19, 10*time.Second), func(d time.Duration) bool { return d == 0 }},
		// Unsorted: the oldest of 20 must leave first, whatever the order given.
		{"unsorted", append(ago(10, 10*time.Second), append(ago(1, 50*time.Second), ago(9, 20*time.Second)...)...),
			func(d time.Duration) bool { return near(d, 10*time.Second) }},
		{"a clock ahead counts as now", ago(20, -time.Hour), func(d time.Duration) bool { return near(d, time.Minute) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := NewLimiter()
			l.Record("robot", tc.at, r)
			if d := l.Delay("robot", 1); !tc.ok(d) {
				t.Fatalf("delay %v", d)
			}
		})
	}
}

// Recorded requests count with this process's own, in either order, and
// in the global allowances as in the key's.
func TestRecordWithOwnRequests(t *testing.T) {
	t.Parallel()
	win := Rate{Events: 3, Per: time.Minute, Window: true}
	l := NewLimiter(win)
	if err := l.Wait(ctxT(t, time.Second), "a"); err != nil {
		t.Fatal(err)
	}
	l.Record("b", append(ago(1, 30*time.Second), ago(1, 40*time.Second)...))
	if d := l.Delay("a", 1); d < 19*time.Second || d > 20*time.Second {
		t.Fatalf("the oldest recorded must leave first: %v", d)
	}
	if d := l.Delay("a", 2); d < 29*time.Second || d > 30*time.Second {
		t.Fatalf("then the other recorded one: %v", d)
	}
	if d := l.Delay("a", 3); d < 59*time.Second {
		t.Fatalf("a whole window needs this process's own to leave too: %v", d)
	}
	var te *ThrottledError
	if _, err := l.Acquire(ctxT(t, 100*time.Millisecond), "c"); !errors.As(err, &te) {
		t.Fatalf("a full global window must throttle every key: %v", err)
	}
}

func TestRecordBucket(t *testing.T) {
	t.Parallel()
	r := Rate{Events: 10, Per: time.Second, Burst: 5}
	l := NewLimiter()
	l.Record("chat", ago(5, 0), r)
	if d := l.Delay("chat", 1); d < 50*time.Millisecond || d > 100*time.Millisecond {
		t.Fatalf("a spent burst must make the next request wait one interval: %v", d)
	}
	l.Record("old", ago(5, 2*time.Second), r)
	if d := l.Delay("old", 5); d != 0 {
		t.Fatalf("a burst of 2 s ago is refilled: %v", d)
	}
	// Twice the pace for the last half second: in any order given, the
	// bucket is left where these requests in the order they left put it,
	// 550 ms of pace ahead of now, less the burst's 400 ms tolerance.
	var fast []time.Time
	for i := range 10 {
		fast = append(fast, time.Now().Add(-time.Duration(i)*50*time.Millisecond))
	}
	l.Record("fast", fast, r)
	if d := l.Delay("fast", 1); d < 100*time.Millisecond || d > 150*time.Millisecond {
		t.Fatalf("10 in half a second at 10/s with a burst of 5: %v", d)
	}
}
