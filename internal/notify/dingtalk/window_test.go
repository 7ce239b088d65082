package dingtalk

import (
	"errors"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

// A message counts until a period after its answer, not after it left: a
// slow answer delays the next window by as much.
func TestWindowCountsFromTheAnswer(t *testing.T) {
	const per = 200 * time.Millisecond
	w := newWindow(2, per)
	a, _ := w.acquire(ctxT(t, time.Second))
	b, _ := w.acquire(ctxT(t, time.Second))
	// Both in flight: nothing frees before a period after an answer.
	_, err := w.acquire(ctxT(t, 50*time.Millisecond))
	var throttled *notify.ThrottledError
	if !errors.As(err, &throttled) || throttled.Wait != per {
		t.Fatalf("while in flight: %v", err)
	}
	if d := w.delay(1); d != per {
		t.Errorf("delay(1) = %v while in flight, want %v", d, per)
	}
	time.Sleep(100 * time.Millisecond) // a slow answer
	answered := time.Now()
	w.release(a)
	w.release(b)
	if d := w.delay(2); d < per-10*time.Millisecond || d > per {
		t.Errorf("delay(2) = %v, want about %v", d, per)
	}
	if _, err := w.acquire(ctxT(t, time.Second)); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(answered); waited < per {
		t.Errorf("next message after %v, want at least %v after the answer", waited, per)
	}
}

// A waiter for in-flight messages wakes when one is answered and then
// waits for it to leave the window.
func TestWindowWaitsForInFlight(t *testing.T) {
	const per = 100 * time.Millisecond
	w := newWindow(1, per)
	s, _ := w.acquire(ctxT(t, time.Second))
	go func() {
		time.Sleep(50 * time.Millisecond)
		w.release(s)
	}()
	start := time.Now()
	if _, err := w.acquire(ctxT(t, time.Second)); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 150*time.Millisecond-5*time.Millisecond {
		t.Errorf("acquired after %v, want about 150ms", took)
	}
}
