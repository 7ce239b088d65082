package fakehttp

import (
	"math"
	"time"
)

// Bucket is a token bucket as platforms describe per-chat or per-channel
// limits ("1 message per second, short bursts tolerated"). It is not safe
// for concurrent use: fakes guard it with their own lock.
type Bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

// NewBucket makes a full bucket of burst tokens refilled at rate per second.
func NewBucket(rate float64, burst int, now time.Time) *Bucket {
	return &Bucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now}
}

// Wait refills the bucket up to now and returns how long until a token is
// there (0: now). It takes nothing: call Take once the request is admitted
// by every limit, so that a refused request costs nothing, as on the
// platforms.
func (b *Bucket) Wait(now time.Time) time.Duration {
	b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

// Take spends a token.
func (b *Bucket) Take() { b.tokens-- }

// Window counts arrivals in a sliding window: at most N in any interval of
// length Per, the way platforms count "20 messages per minute". Not safe for
// concurrent use.
type Window struct {
	N     int
	Per   time.Duration
	times []time.Time
}

// Wait forgets arrivals older than Per and returns how long until another
// one fits (0: now). It counts nothing: call Add when the request is
// admitted.
func (w *Window) Wait(now time.Time) time.Duration {
	cut := 0
	for cut < len(w.times) && now.Sub(w.times[cut]) >= w.Per {
		cut++
	}
	w.times = w.times[cut:]
	if len(w.times) < w.N {
		return 0
	}
	return w.times[len(w.times)-w.N].Add(w.Per).Sub(now)
}

// Add counts an arrival at now.
func (w *Window) Add(now time.Time) { w.times = append(w.times, now) }

// Len is the number of arrivals counted in the window at the last Wait.
func (w *Window) Len() int { return len(w.times) }
