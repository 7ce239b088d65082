package dingtalk

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

// window is a sliding-window allowance of n messages per period that
// counts each message until a period after its answer came back, not after
// it left. DingTalk counts a message when it arrives, which is somewhere
// between the two: counting from departure (as notify.Limiter does) lets a
// burst whose first messages were slow (a TLS handshake, a congested link)
// overlap the next window at DingTalk, and one message over the limit
// silences the robot for ten minutes. Counting from the answer is safe
// whatever the latency, and costs only the latency itself.
type window struct {
	n   int
	per time.Duration

	mu    sync.Mutex
	slots []*slot
	// changed is closed (and replaced) when a slot is released, waking
	// waiters that wait for in-flight messages.
	changed chan struct{}
}

// slot is one message's place in the window.
type slot struct {
	// end is when its answer came back; zero while it is in flight.
	end time.Time
}

func newWindow(n int, per time.Duration) *window {
	return &window{n: n, per: per, changed: make(chan struct{})}
}

// purge drops the slots that left the window; the caller holds w.mu.
func (w *window) purge(now time.Time) {
	w.slots = slices.DeleteFunc(w.slots, func(s *slot) bool {
		return !s.end.IsZero() && now.Sub(s.end) >= w.per
	})
}

// frees returns when each slot leaves the window, soonest first, counting
// an in-flight message as answered now (the best guess); the caller holds
// w.mu.
func (w *window) frees(now time.Time) []time.Time {
	out := make([]time.Time, len(w.slots))
	for i, s := range w.slots {
		end := s.end
		if end.IsZero() {
			end = now
		}
		out[i] = end.Add(w.per)
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// delay is how long, as things stand, until n messages in a row fit.
func (w *window) delay(n int) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	w.purge(now)
	leave := len(w.slots) + min(n, w.n) - w.n
	if leave <= 0 {
		return 0
	}
	return max(w.frees(now)[leave-1].Sub(now), 0)
}

// acquire takes a slot for one message, waiting for one to free. When the
// wait would outlast ctx it returns a *notify.ThrottledError at once. The
// caller must release the slot when the answer comes back.
func (w *window) acquire(ctx context.Context) (*slot, error) {
	for {
		w.mu.Lock()
		now := time.Now()
		w.purge(now)
		if len(w.slots) < w.n {
			s := &slot{}
			w.slots = append(w.slots, s)
			w.mu.Unlock()
			return s, nil
		}
		wait := w.frees(now)[0].Sub(now)
		changed := w.changed
		w.mu.Unlock()
		if dl, ok := ctx.Deadline(); ok && now.Add(wait).After(dl) {
			return nil, &notify.ThrottledError{Wait: wait}
		}
		t := time.NewTimer(max(wait, time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-changed:
		case <-t.C:
		}
		t.Stop()
	}
}

// release marks s answered now; it stays in the window for one period.
func (w *window) release(s *slot) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s.end = time.Now()
	close(w.changed)
	w.changed = make(chan struct{})
}
