package fakeslack

import (
	"math"
	"strconv"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakehttp"
)

// Limits are the rate limits the fake enforces. The defaults are Slack's
// documented ones (https://docs.slack.dev/apis/web-api/rate-limits):
// posting "1 per second" per channel with "short bursts >1 allowed" (the
// fake allows 2 at once), incoming webhooks the same, chat.update Tier 3
// (50 per minute), the files methods Tier 4 (100 per minute). A request
// refused for being too fast takes nothing; one refused afterwards for
// its content counts, as Slack counts calls.
type Limits struct {
	// PerChannel is messages per second to one channel or webhook (default 1).
	PerChannel float64
	// Burst is how many messages to one channel may come at once (default 2).
	Burst int
	// Tier3 is chat.update calls in any minute (default 50).
	Tier3 int
	// Tier4 is calls of each files method in any minute (default 100).
	Tier4 int
	// Window is the length of the tier windows (default 1 minute), so that
	// tests can check them in seconds.
	Window time.Duration
	// Unlimited turns rate limiting off.
	Unlimited bool
}

func (l Limits) withDefaults() Limits {
	if l.PerChannel <= 0 {
		l.PerChannel = 1
	}
	if l.Burst <= 0 {
		l.Burst = 2
	}
	if l.Tier3 <= 0 {
		l.Tier3 = 50
	}
	if l.Tier4 <= 0 {
		l.Tier4 = 100
	}
	if l.Window <= 0 {
		l.Window = time.Minute
	}
	return l
}

// Scaled are l (its defaults filled in) k times as fast: the per-channel
// pace times k and the tier windows divided by k, so that a test of
// pacing at Slack's limits takes a k-th of the time. Herald's allowances
// scale the same way (slack.WithRateScale). Retry-After stays in whole
// seconds, as Slack sends it.
func (l Limits) Scaled(k float64) Limits {
	l = l.withDefaults()
	l.PerChannel *= k
	l.Window = time.Duration(float64(l.Window) / k)
	return l
}

// tier names a per-method allowance.
type tier int

const (
	tier3 tier = 3
	tier4 tier = 4
)

// limiter applies Limits; guarded by Server.mu.
type limiter struct {
	cfg      Limits
	channels map[string]*fakehttp.Bucket
	methods  map[string]*fakehttp.Window
}

func newLimiter(cfg Limits) *limiter {
	return &limiter{cfg: cfg.withDefaults(), channels: map[string]*fakehttp.Bucket{}, methods: map[string]*fakehttp.Window{}}
}

// channelKey is the limiter key of a channel (or "webhook").
func channelKey(id string) string { return "channel:" + id }

// allow admits one message under key at now, or returns how long to wait.
func (l *limiter) allow(key string, now time.Time) time.Duration {
	if l.cfg.Unlimited {
		return 0
	}
	b := l.channels[key]
	if b == nil {
		b = fakehttp.NewBucket(l.cfg.PerChannel, l.cfg.Burst, now)
		l.channels[key] = b
	}
	if wait := b.Wait(now); wait > 0 {
		return wait
	}
	b.Take()
	return 0
}

// allowTier admits one call of method in its tier's sliding window, or
// returns how long to wait.
func (l *limiter) allowTier(method string, t tier, now time.Time) time.Duration {
	if l.cfg.Unlimited {
		return 0
	}
	n := l.cfg.Tier4
	if t == tier3 {
		n = l.cfg.Tier3
	}
	w := l.methods[method]
	if w == nil {
		w = &fakehttp.Window{N: n, Per: l.cfg.Window}
		l.methods[method] = w
	}
	if wait := w.Wait(now); wait > 0 {
		return wait
	}
	w.Add(now)
	return 0
}

// retryAfter is the whole number of seconds Slack puts in Retry-After.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
}
