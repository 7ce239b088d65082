package faketeams

import (
	"math"
	"time"
)

// Window is a rate limit: at most Requests in any interval of length Per;
// 0 Requests refuses every request.
type Window struct {
	Requests int
	Per      time.Duration
}

// Limits are the rate limits the fake enforces on its webhook.
type Limits struct {
	// Windows default to Teams' documented thresholds for a webhook: 4
	// requests a second and 60 in 30 seconds
	// (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#rate-limiting-for-connectors).
	// Teams counts in fixed windows; the fake counts in sliding ones,
	// which is stricter: a client that passes here passes there.
	Windows []Window
	// Unlimited turns rate limiting off.
	Unlimited bool
}

// DefaultWindows are Teams' limits.
var DefaultWindows = []Window{{Requests: 4, Per: time.Second}, {Requests: 60, Per: 30 * time.Second}}

// limiter applies Limits; guarded by Server.mu.
type limiter struct {
	cfg   Limits
	times [][]time.Time // per window, the requests still inside it
}

func newLimiter(cfg Limits) *limiter {
	if len(cfg.Windows) == 0 {
		cfg.Windows = DefaultWindows
	}
	return &limiter{cfg: cfg, times: make([][]time.Time, len(cfg.Windows))}
}

// allow admits one request at now, or returns how long until one would be
// admitted. A refused request is not counted, so that a client that waits
// as told gets through.
func (l *limiter) allow(now time.Time) time.Duration {
	if l.cfg.Unlimited {
		return 0
	}
	var wait time.Duration
	for i, w := range l.cfg.Windows {
		ts := l.times[i]
		for len(ts) > 0 && now.Sub(ts[0]) >= w.Per {
			ts = ts[1:]
		}
		l.times[i] = ts
		if w.Requests <= 0 {
			// A closed webhook: every request waits a whole window.
			wait = max(wait, w.Per)
			continue
		}
		if len(ts) >= w.Requests {
			wait = max(wait, ts[len(ts)-w.Requests].Add(w.Per).Sub(now))
		}
	}
	if wait > 0 {
		return wait
	}
	for i := range l.times {
		l.times[i] = append(l.times[i], now)
	}
	return 0
}

// retryAfter is the whole number of seconds put in Retry-After.
func retryAfter(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
