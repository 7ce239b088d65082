package notify

import (
	"context"
	"slices"
	"sync"
	"time"
)

// ThrottledError says that Herald's own rate limit for a platform needs a
// longer wait than the attempt may take. It is not a failure: the dispatcher
// pauses the channel for Wait and tries again without counting an attempt.
type ThrottledError struct {
	Wait time.Duration
}

func (e *ThrottledError) Error() string {
	return "rate limit: next send allowed in " + e.Wait.Round(time.Millisecond).String()
}

// Limiter holds a platform's rate limits: global allowances (per bot or per
// account) and allowances per key (per chat, per robot). Taking a place in
// it before each request keeps the platform from ever having to answer 429
// in normal operation. It is safe for concurrent use.
//
// One mutex guards every allowance, so that a request takes its places in
// all the allowances that apply to it at once or in none: a request that
// held a place in one while it waited for another would count where it was
// not sent.
type Limiter struct {
	mu     sync.Mutex
	global []allowance
	keys   map[string]*keyLimit
}

// keyLimit is the state of one key.
type keyLimit struct {
	allowances []allowance
	// rated is set once the key's rates were given (see Limiter.keyLimit).
	rated bool
	// pausedUntil is when a pause asked by the platform ends.
	pausedUntil time.Time
}

// NewLimiter makes a Limiter with the given global allowances, which apply
// to every key besides its own; none, or zero Rates, for none.
func NewLimiter(global ...Rate) *Limiter {
	l := &Limiter{keys: map[string]*keyLimit{}}
	l.global = allowances(global)
	return l
}

func allowances(rates []Rate) []allowance {
	var out []allowance
	for _, r := range rates {
		if a := r.allowance(); a != nil {
			out = append(out, a)
		}
	}
	return out
}

// keyLimit returns the state of key, its allowances made from rates the
// first time they are given (a Pause may come before the first request);
// the caller holds l.mu.
func (l *Limiter) keyLimit(key string, rates []Rate) *keyLimit {
	k, ok := l.keys[key]
	if !ok {
		k = &keyLimit{}
		l.keys[key] = k
	}
	if !k.rated && len(rates) > 0 {
		k.allowances, k.rated = allowances(rates), true
	}
	return k
}

// delay is how long until n requests to k in a row fit every allowance and
// its pause; the caller holds l.mu.
func (l *Limiter) delay(k *keyLimit, n int, now time.Time) time.Duration {
	d := max(k.pausedUntil.Sub(now), 0)
	for _, a := range k.allowances {
		d = max(d, a.delay(n, now))
	}
	for _, a := range l.global {
		d = max(d, a.delay(n, now))
	}
	return d
}

// Acquire waits until one request to key fits every allowance that applies
// to it (the global ones and rates, the allowances of key, made on first
// use) and takes its place in each. The caller sends the request and calls
// release once the platform's answer is in, or the request failed: window
// allowances count the request until one period after that (see Rate).
// release must be called exactly once; later calls do nothing.
//
// When the wait would go past ctx's deadline, Acquire returns a
// *ThrottledError at once, having taken nothing, so that the dispatcher
// pauses the channel instead of holding a worker for an attempt that would
// time out.
// The wait counts requests in flight as answered now, the soonest they can
// be; when they are answered later, Acquire finds out as it wakes, and
// may then return a *ThrottledError after all.
func (l *Limiter) Acquire(ctx context.Context, key string, rates ...Rate) (release func(), err error) {
	for {
		l.mu.Lock()
		k := l.keyLimit(key, rates)
		now := time.Now()
		wait := l.delay(k, 1, now)
		if wait == 0 {
			taken := append(append([]allowance(nil), k.allowances...), l.global...)
			for _, a := range taken {
				a.take(now)
			}
			l.mu.Unlock()
			return l.releaser(taken), nil
		}
		l.mu.Unlock()
		if err := sleep(ctx, now, wait); err != nil {
			return nil, err
		}
	}
}

// releaser returns the release function of a request that took taken.
func (l *Limiter) releaser(taken []allowance) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			now := time.Now()
			for _, a := range taken {
				a.release(now)
			}
		})
	}
}

// sleep waits d from now, or returns a *ThrottledError at once when that
// goes past ctx's deadline.
func sleep(ctx context.Context, now time.Time, d time.Duration) error {
	if dl, ok := ctx.Deadline(); ok && now.Add(d).After(dl) {
		return &ThrottledError{Wait: d}
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

// Wait is Acquire for a request whose answer does not matter to the count:
// it is released as soon as it is allowed, so that it counts from now.
func (l *Limiter) Wait(ctx context.Context, key string, rates ...Rate) error {
	release, err := l.Acquire(ctx, key, rates...)
	if err != nil {
		return err
	}
	release()
	return nil
}

// Delay is how long, as things stand, until n requests to key in a row fit
// every allowance and key's pause, counting a request in flight as
// answered now. A notifier about to send a message in n parts checks it
// first, so that its own limit never cuts a message in the middle: when the
// delay is longer than the attempt may take, it returns a *ThrottledError
// before sending anything.
func (l *Limiter) Delay(key string, n int, rates ...Rate) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.delay(l.keyLimit(key, rates), n, time.Now())
}

// Record counts a request to key made and answered at each time of at, in
// any order, in every allowance that applies to key (the global ones and
// rates, the allowances of key, made on first use), so that Acquire and
// Delay wait for them as for requests of this process: the requests are
// another process's, such as the replica that sent to the platform until
// this one took over. Each allowance counts them as it would have counted
// them then: a window for one period after each, so that older ones change
// nothing; a bucket until its pace has caught up with them. A time after
// now, from a clock ahead of this one, counts as now. Record is for
// requests this Limiter has not counted: given its own, it counts them
// twice.
func (l *Limiter) Record(key string, at []time.Time, rates ...Rate) {
	if len(at) == 0 {
		return
	}
	now := time.Now()
	sorted := make([]time.Time, len(at))
	for i, t := range at {
		if t.After(now) {
			t = now
		}
		sorted[i] = t
	}
	slices.SortFunc(sorted, time.Time.Compare)
	l.mu.Lock()
	defer l.mu.Unlock()
	k := l.keyLimit(key, rates)
	for _, a := range k.allowances {
		a.record(sorted, now)
	}
	for _, a := range l.global {
		a.record(sorted, now)
	}
}

// Pause holds every request to key back until until, for when the platform
// says when it takes the next one: a "too fast" answer or a 429 with
// Retry-After, or a header saying its allowance is spent until a reset.
// Acquire waits for a pause as for a full allowance. A pause only ever
// grows: an earlier until than the current one changes nothing.
func (l *Limiter) Pause(key string, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if k := l.keyLimit(key, nil); until.After(k.pausedUntil) {
		k.pausedUntil = until
	}
}

// Paused is how long key stays paused, 0 when it is not. A notifier may
// refuse at once while its platform asked for a pause, rather than wait in
// Acquire, so that every channel sharing the key backs off like the one
// that got the answer.
func (l *Limiter) Paused(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return max(time.Until(l.keyLimit(key, nil).pausedUntil), 0)
}
