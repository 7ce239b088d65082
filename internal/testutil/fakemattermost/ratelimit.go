package fakemattermost

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// Limits are the API rate limits the fake enforces on every request, as
// Mattermost's RateLimitSettings do when they are enabled: PerSec
// requests a second with a burst of MaxBurst beyond it (defaults 10 and
// 100, https://docs.mattermost.com/configure/rate-limiting-configuration-settings.html).
type Limits struct {
	PerSec   float64
	MaxBurst int
	// Unlimited turns rate limiting off, Mattermost's default.
	Unlimited bool
}

// limiter is a token bucket of MaxBurst+1 requests refilled at PerSec,
// the capacity throttled's GCRA gives Mattermost; guarded by Server.mu.
type limiter struct {
	cfg    Limits
	limit  float64
	tokens float64
	last   time.Time
}

func newLimiter(l Limits) *limiter {
	if l.PerSec <= 0 {
		l.PerSec = 10
	}
	if l.MaxBurst <= 0 {
		l.MaxBurst = 100
	}
	return &limiter{cfg: l, limit: float64(l.MaxBurst + 1), tokens: float64(l.MaxBurst + 1)}
}

// allow admits one request at now or reports that it is limited, and sets
// the headers Mattermost sets on every answer (setRateLimitHeaders in
// server/channels/app/ratelimit.go): X-RateLimit-Limit, -Remaining,
// -Reset (seconds, rounded up, until the bucket is full again), and
// Retry-After (seconds, rounded up) when limited.
func (l *limiter) allow(h http.Header, now time.Time) bool {
	if l.cfg.Unlimited {
		return false
	}
	if !l.last.IsZero() {
		l.tokens = math.Min(l.limit, l.tokens+now.Sub(l.last).Seconds()*l.cfg.PerSec)
	}
	l.last = now
	limited := l.tokens < 1
	if !limited {
		l.tokens--
	}
	h.Set("X-RateLimit-Limit", strconv.Itoa(int(l.limit)))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(int(math.Floor(l.tokens))))
	h.Set("X-RateLimit-Reset", strconv.Itoa(int(math.Ceil((l.limit-l.tokens)/l.cfg.PerSec))))
	if limited {
		h.Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil((1-l.tokens)/l.cfg.PerSec)))))
	}
	return limited
}
