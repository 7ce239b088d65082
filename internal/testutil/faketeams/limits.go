package faketeams

import (
	"math"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakehttp"
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
	cfg     Limits
	windows []*fakehttp.Window // one per configured window
}

func newLimiter(cfg Limits) *limiter {
	if len(cfg.Windows) == 0 {
		cfg.Windows = DefaultWindows
	}
	l := &limiter{cfg: cfg}
	for _, w := range cfg.Windows {
		l.windows = append(l.windows, &fakehttp.Window{N: w.Requests, Per: w.Per})
	}
	return l
}

// allow admits one request at now, or returns how long until one would be
// admitted. A refused request is not counted, so that a client that waits
// as told gets through.
func (l *limiter) allow(now time.Time) time.Duration {
	if l.cfg.Unlimited {
		return 0
	}
	var wait time.Duration
	for _, w := range l.windows {
		if w.N <= 0 {
			// A closed webhook: every request waits a whole window.
			wait = max(wait, w.Per)
			continue
		}
		wait = max(wait, w.Wait(now))
	}
	if wait > 0 {
		return wait
	}
	for _, w := range l.windows {
		w.Add(now)
	}
	return 0
}

// retryAfter is the whole number of seconds put in Retry-After.
func retryAfter(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
