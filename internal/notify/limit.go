package notify

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rate is an allowance of Events per Per, with a burst of Burst.
type Rate struct {
	Events int
	Per    time.Duration
	Burst  int
}

func (r Rate) limiter() *rate.Limiter {
	burst := r.Burst
	if burst <= 0 {
		burst = 1
	}
	return rate.NewLimiter(rate.Limit(float64(r.Events)/r.Per.Seconds()), burst)
}

// Limiter holds a platform's rate limits: one global allowance (per bot or
// per account) and allowances per key (per chat, per robot). Waiting on it
// before each request keeps the platform from ever having to answer 429 in
// normal operation. It is safe for concurrent use.
type Limiter struct {
	global *rate.Limiter
	mu     sync.Mutex
	keys   map[string][]*rate.Limiter
}

// NewLimiter makes a Limiter; global may be the zero Rate for none.
func NewLimiter(global Rate) *Limiter {
	l := &Limiter{keys: map[string][]*rate.Limiter{}}
	if global.Events > 0 {
		l.global = global.limiter()
	}
	return l
}

// Wait blocks until one request to key is allowed by every rate that applies
// to it; rates are the allowances of that key (created on first use).
func (l *Limiter) Wait(ctx context.Context, key string, rates ...Rate) error {
	l.mu.Lock()
	ls, ok := l.keys[key]
	if !ok {
		for _, r := range rates {
			if r.Events > 0 {
				ls = append(ls, r.limiter())
			}
		}
		l.keys[key] = ls
	}
	l.mu.Unlock()
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
