package discord

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

// A request counts from its answer: while two are in flight the window of
// two is full, and it frees per after the answers, not after they left.
func TestWindowCountsFromTheAnswer(t *testing.T) {
	w := newWindow(2, 100*time.Millisecond)
	ctx := context.Background()
	a, _ := w.take(ctx)
	b, _ := w.take(ctx)
	time.Sleep(150 * time.Millisecond) // longer than per, still in flight
	if d := w.delay(1); d < 90*time.Millisecond {
		t.Fatalf("delay %v with two requests in flight", d)
	}
	got := make(chan time.Time)
	go func() {
		if _, err := w.take(ctx); err != nil {
			t.Error(err)
		}
		got <- time.Now()
	}()
	time.Sleep(20 * time.Millisecond)
	answered := time.Now()
	w.release(a)
	w.release(b)
	if at := <-got; at.Sub(answered) < 90*time.Millisecond {
		t.Fatalf("a slot freed %v after the answer, want per (100ms)", at.Sub(answered))
	}
}

func TestWindowThrottlesPastTheDeadline(t *testing.T) {
	w := newWindow(1, time.Second)
	s, _ := w.take(context.Background())
	w.release(s)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := w.take(ctx)
	var th *notify.ThrottledError
	if !errors.As(err, &th) || th.Wait < 800*time.Millisecond {
		t.Fatalf("%v", err)
	}
}

func TestLimiterFollowsHeaders(t *testing.T) {
	l := newLimiter(fastRates)
	l.observe(http.Header{"X-Ratelimit-Remaining": {"3"}, "X-Ratelimit-Reset-After": {"5"}})
	if d := l.blocked(); d != 0 {
		t.Fatalf("blocked %v with requests remaining", d)
	}
	l.observe(http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset-After": {"0.250"}})
	if d := l.delay(1); d < 200*time.Millisecond || d > 250*time.Millisecond {
		t.Fatalf("delay %v after an empty bucket resetting in 250ms", d)
	}
	start := time.Now()
	done, err := l.wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	done()
	if took := time.Since(start); took < 200*time.Millisecond {
		t.Fatalf("waited %v", took)
	}
	l.observe(http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset-After": {"nonsense"}})
	if d := l.blocked(); d < webhookWindow-100*time.Millisecond {
		t.Fatalf("blocked %v without a reset time, want a bucket's length", d)
	}
}

func TestSeconds(t *testing.T) {
	for in, want := range map[string]time.Duration{"1": time.Second, "0.5": 500 * time.Millisecond, " 64.57 ": 64570 * time.Millisecond} {
		if got, err := seconds(in); err != nil || got != want {
			t.Errorf("seconds(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "-1", "x", "1e9"} {
		if _, err := seconds(bad); err == nil {
			t.Errorf("seconds(%q) accepted", bad)
		}
	}
}
