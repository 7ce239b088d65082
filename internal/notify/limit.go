package notify

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rate is an allowance of Events per Per: a token bucket with a burst of
// Burst, or, with Window set, at most Events in any interval of length Per
// (the way Telegram counts messages to a group per minute), which allows a
// burst without ever going over the platform's count.
type Rate struct {
	Events int
	Per    time.Duration
	Burst  int
	Window bool
}

// waiter is one allowance.
type waiter interface {
	Wait(ctx context.Context) error
	// delay is how long until n events in a row fit, as things stand.
	delay(n int) time.Duration
}

func (r Rate) limiter() waiter {
	if r.Window {
		return &window{n: r.Events, per: r.Per}
	}
	burst := r.Burst
	if burst <= 0 {
		burst = 1
	}
	return &bucket{rate.NewLimiter(rate.Limit(float64(r.Events)/r.Per.Seconds()), burst)}
}

// ThrottledError says that Herald's own rate limit for a platform needs a
// longer wait than the attempt may take. It is not a failure: the dispatcher
// pauses the channel for Wait and tries again without counting an attempt.
type ThrottledError struct {
	Wait time.Duration
}

func (e *ThrottledError) Error() string {
	return "rate limit: next send allowed in " + e.Wait.Round(time.Millisecond).String()
}

// bucket is a token-bucket allowance.
type bucket struct{ l *rate.Limiter }

func (b *bucket) delay(n int) time.Duration {
	missing := float64(n) - b.l.TokensAt(time.Now())
	if missing <= 0 || b.l.Limit() <= 0 {
		return 0
	}
	return time.Duration(missing / float64(b.l.Limit()) * float64(time.Second))
}

func (b *bucket) Wait(ctx context.Context) error {
	r := b.l.Reserve()
	delay := r.Delay()
	if dl, ok := ctx.Deadline(); ok && time.Now().Add(delay).After(dl) {
		r.Cancel()
		return &ThrottledError{Wait: delay}
	}
	if delay == 0 {
		return nil
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-ctx.Done():
		r.Cancel()
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// window is a sliding-window allowance: it remembers when the last n events
// happened and lets another one through only when the oldest of them is more
// than per ago.
type window struct {
	mu    sync.Mutex
	n     int
	per   time.Duration
	times []time.Time
}

func (w *window) delay(n int) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	if n > w.n {
		n = w.n
	}
	// The events that must leave the window before n more fit.
	leave := len(w.times) + n - w.n
	var d time.Duration
	if leave > 0 {
		d = w.times[leave-1].Add(w.per).Sub(now)
	}
	return max(d, 0)
}

func (w *window) Wait(ctx context.Context) error {
	for {
		w.mu.Lock()
		now := time.Now()
		cut := 0
		for cut < len(w.times) && now.Sub(w.times[cut]) >= w.per {
			cut++
		}
		w.times = w.times[cut:]
		if len(w.times) < w.n {
			w.times = append(w.times, now)
			w.mu.Unlock()
			return nil
		}
		wait := w.times[0].Add(w.per).Sub(now)
		w.mu.Unlock()
		if dl, ok := ctx.Deadline(); ok && now.Add(wait).After(dl) {
			return &ThrottledError{Wait: wait}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Limiter holds a platform's rate limits: one global allowance (per bot or
// per account) and allowances per key (per chat, per robot). Waiting on it
// before each request keeps the platform from ever having to answer 429 in
// normal operation. It is safe for concurrent use.
type Limiter struct {
	global waiter
	mu     sync.Mutex
	keys   map[string][]waiter
}

// NewLimiter makes a Limiter; global may be the zero Rate for none.
func NewLimiter(global Rate) *Limiter {
	l := &Limiter{keys: map[string][]waiter{}}
	if global.Events > 0 {
		l.global = global.limiter()
	}
	return l
}

// forKey returns the allowances of key, created from rates on first use.
func (l *Limiter) forKey(key string, rates []Rate) []waiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	ls, ok := l.keys[key]
	if !ok {
		for _, r := range rates {
			if r.Events > 0 {
				ls = append(ls, r.limiter())
			}
		}
		l.keys[key] = ls
	}
	return ls
}

// Delay is how long, as things stand, until n requests to key in a row fit
// every allowance. A notifier about to send a message in n parts checks it
// first, so that its own limit never cuts a message in the middle: when the
// delay is longer than the attempt may take, it returns a *ThrottledError
// before sending anything.
func (l *Limiter) Delay(key string, n int, rates ...Rate) time.Duration {
	var d time.Duration
	for _, w := range l.forKey(key, rates) {
		d = max(d, w.delay(n))
	}
	if l.global != nil {
		d = max(d, l.global.delay(n))
	}
	return d
}

// Wait blocks until one request to key is allowed by every rate that applies
// to it; rates are the allowances of that key (created on first use).
func (l *Limiter) Wait(ctx context.Context, key string, rates ...Rate) error {
	ls := l.forKey(key, rates)
	for _, kl := range ls {
		if err := kl.Wait(ctx); err != nil {
			return err
		}
	}
	if l.global != nil {
		return l.global.Wait(ctx)
	}
	return nil
}
