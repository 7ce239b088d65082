package discord

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

// Discord does not document the limits of webhooks, and says not to hard
// code limits but to read the X-RateLimit-* headers of each answer
// (https://discord.com/developers/docs/topics/rate-limits#header-format).
// Herald does both: the headers are the authority (see limiter.observe);
// these allowances are the safety net for concurrent requests, which leave
// before the answer that says the bucket is empty. They sit a little below
// what webhooks are seen to get: a bucket of 5 requests per 2 seconds
// (X-RateLimit-Limit: 5, X-RateLimit-Reset-After: 2) and 30 messages a
// minute per channel.
const (
	webhookBurst  = 5
	webhookWindow = 2*time.Second + 100*time.Millisecond
	channelPerMin = 28
	channelWindow = time.Minute
)

// defaultRates are the allowances of one webhook.
func defaultRates() []notify.Rate {
	return []notify.Rate{
		{Events: webhookBurst, Per: webhookWindow, Window: true},
		{Events: channelPerMin, Per: channelWindow, Window: true},
	}
}

// limiter is the rate limit of one webhook: Herald's own allowances plus
// what Discord said in its last answers (after an answer with
// X-RateLimit-Remaining: 0, or a 429, no request goes out before the
// bucket resets). It is safe for concurrent use.
//
// The allowances are sliding windows like notify.Limiter's Window rates,
// with one difference that matters here: a request counts from when its
// answer comes back, not from when it leaves. Discord counts requests when
// they arrive, and a burst of new connections arrives later than it left
// (TLS handshakes), so counting from departure lets the next burst land in
// the same bucket; an answer always comes after the arrival.
type limiter struct {
	windows []*window
	mu      sync.Mutex
	// until is when Discord's bucket allows the next request.
	until time.Time
}

func newLimiter(rates []notify.Rate) *limiter {
	l := &limiter{}
	for _, r := range rates {
		if r.Events > 0 && r.Per > 0 {
			l.windows = append(l.windows, newWindow(r.Events, r.Per))
		}
	}
	return l
}

// blocked is how long Discord's last answers say to wait.
func (l *limiter) blocked() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return max(time.Until(l.until), 0)
}

// wait blocks until one request is allowed and returns the function to
// call once its answer is in (or it failed). It returns a
// *notify.ThrottledError, sending nothing, when the wait would outlast
// ctx's deadline.
func (l *limiter) wait(ctx context.Context) (done func(), err error) {
	if err := l.waitBlocked(ctx); err != nil {
		return nil, err
	}
	taken := make([]*slot, 0, len(l.windows))
	done = func() {
		for i, s := range taken {
			l.windows[i].release(s)
		}
	}
	for _, w := range l.windows {
		s, err := w.take(ctx)
		if err != nil {
			done() // nothing was sent: the slots taken end now
			return nil, err
		}
		taken = append(taken, s)
	}
	// While this request waited for its turn, the answer to an earlier one
	// may have said that the bucket is empty.
	if err := l.waitBlocked(ctx); err != nil {
		done()
		return nil, err
	}
	return done, nil
}

// waitBlocked waits until Discord's last answers allow a request.
func (l *limiter) waitBlocked(ctx context.Context) error {
	for d := l.blocked(); d > 0; d = l.blocked() {
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// sleep waits d, or returns a *notify.ThrottledError at once when d goes
// past ctx's deadline.
func sleep(ctx context.Context, d time.Duration) error {
	if dl, ok := ctx.Deadline(); ok && time.Now().Add(d).After(dl) {
		return &notify.ThrottledError{Wait: d}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// delay is how long, as things stand, until n requests in a row are allowed.
func (l *limiter) delay(n int) time.Duration {
	d := l.blocked()
	for _, w := range l.windows {
		d = max(d, w.delay(n))
	}
	return d
}

// pause holds every request back for d.
func (l *limiter) pause(d time.Duration) {
	if d <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if t := time.Now().Add(d); t.After(l.until) {
		l.until = t
	}
}

// observe reads the rate-limit headers of an answer: when the bucket is
// empty (X-RateLimit-Remaining: 0), the next request waits until it resets
// (X-RateLimit-Reset-After, seconds with decimals).
func (l *limiter) observe(h http.Header) {
	if strings.TrimSpace(h.Get("X-RateLimit-Remaining")) != "0" {
		return
	}
	d, err := seconds(h.Get("X-RateLimit-Reset-After"))
	if err != nil {
		// An empty bucket without a reset time: wait as long as a bucket lasts.
		d = webhookWindow
	}
	l.pause(d)
}

// seconds parses Discord's durations: seconds as a decimal number.
func seconds(s string) (time.Duration, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 || f > 24*3600 {
		return 0, fmt.Errorf("not a duration in seconds: %q", s)
	}
	// Rounded to the microsecond: 64.57 must not become 64.569999999s.
	return time.Duration(math.Round(f*1e6)) * time.Microsecond, nil
}

// slot is one request in a window: in flight until released, then
// counted until per after its release.
type slot struct {
	released time.Time
}

// window allows at most n requests in any interval of length per, each
// counted from when it was released.
type window struct {
	n   int
	per time.Duration

	mu      sync.Mutex
	slots   []*slot
	changed chan struct{}
}

func newWindow(n int, per time.Duration) *window {
	return &window{n: n, per: per, changed: make(chan struct{})}
}

// ends returns when each slot stops counting, soonest first, with slots in
// flight taken as released now; it drops the slots that stopped. The
// caller holds w.mu.
func (w *window) ends(now time.Time) []time.Time {
	kept := w.slots[:0]
	var ends []time.Time
	for _, s := range w.slots {
		end := now.Add(w.per)
		if !s.released.IsZero() {
			end = s.released.Add(w.per)
		}
		if s.released.IsZero() || end.After(now) {
			kept = append(kept, s)
			ends = append(ends, end)
		}
	}
	w.slots = kept
	slices.SortFunc(ends, func(a, b time.Time) int { return a.Compare(b) })
	return ends
}

// take waits for a free slot and takes it.
func (w *window) take(ctx context.Context) (*slot, error) {
	for {
		w.mu.Lock()
		now := time.Now()
		ends := w.ends(now)
		if len(ends) < w.n {
			s := &slot{}
			w.slots = append(w.slots, s)
			w.mu.Unlock()
			return s, nil
		}
		// The soonest a slot frees, were every request in flight answered now.
		wait := ends[len(ends)-w.n].Sub(now)
		changed := w.changed
		w.mu.Unlock()
		if dl, ok := ctx.Deadline(); ok && now.Add(wait).After(dl) {
			return nil, &notify.ThrottledError{Wait: wait}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-changed: // an answer came: look again
		case <-t.C:
		}
		t.Stop()
	}
}

// release starts s's time in the window, once its request is answered.
func (w *window) release(s *slot) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s.released = time.Now()
	close(w.changed)
	w.changed = make(chan struct{})
}

// delay is how long until n more requests fit, were every request in
// flight answered now.
func (w *window) delay(n int) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	ends := w.ends(now)
	leave := len(ends) + min(n, w.n) - w.n
	if leave <= 0 {
		return 0
	}
	return max(ends[leave-1].Sub(now), 0)
}
