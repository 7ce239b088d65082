package faketelegram

import (
	"math"
	"time"
)

// Limits are the rate limits the fake enforces. The defaults are
// Telegram's documented ones (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
// about one message per second in a chat (bursts are tolerated for a
// short while), 20 messages per minute in a group, 30 messages per second
// overall. Every call that sends or edits a message in a known chat counts,
// also one refused afterwards for its content, as a client's own limiter
// counts it.
type Limits struct {
	// PerChat is messages per second to one chat (default 1).
	PerChat float64
	// PerChatBurst is how many messages to one chat may come at once (default 3).
	PerChatBurst int
	// GroupMessages is how many messages a group (negative chat id) may get
	// in any GroupWindow (default 20).
	GroupMessages int
	// GroupWindow is the sliding window of GroupMessages (default 1 minute).
	GroupWindow time.Duration
	// Global is messages per second over all chats (default 30).
	Global float64
	// Unlimited turns rate limiting off.
	Unlimited bool
}

func (l Limits) withDefaults() Limits {
	if l.PerChat <= 0 {
		l.PerChat = 1
	}
	if l.PerChatBurst <= 0 {
		l.PerChatBurst = 3
	}
	if l.GroupMessages <= 0 {
		l.GroupMessages = 20
	}
	if l.GroupWindow <= 0 {
		l.GroupWindow = time.Minute
	}
	if l.Global <= 0 {
		l.Global = 30
	}
	return l
}

// bucket is a token bucket.
type bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func newBucket(rate float64, burst int, now time.Time) *bucket {
	return &bucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now}
}

// wait returns how long until a token is available (0: now).
func (b *bucket) wait(now time.Time) time.Duration {
	b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

// limiter applies Limits; guarded by Server.mu.
type limiter struct {
	cfg    Limits
	global *bucket
	chats  map[int64]*bucket
	groups map[int64][]time.Time
}

func newLimiter(cfg Limits) *limiter {
	cfg = cfg.withDefaults()
	return &limiter{
		cfg:    cfg,
		global: newBucket(cfg.Global, int(math.Max(1, cfg.Global)), time.Now()),
		chats:  map[int64]*bucket{},
		groups: map[int64][]time.Time{},
	}
}

// allow admits one message to chat at now, or returns how long to wait.
// A refused message takes nothing, like Telegram, which does not count 429s.
func (l *limiter) allow(chat int64, now time.Time) time.Duration {
	if l.cfg.Unlimited {
		return 0
	}
	cb := l.chats[chat]
	if cb == nil {
		cb = newBucket(l.cfg.PerChat, l.cfg.PerChatBurst, now)
		l.chats[chat] = cb
	}
	wait := max(cb.wait(now), l.global.wait(now))
	var window []time.Time
	if chat < 0 {
		window = l.groups[chat]
		for len(window) > 0 && now.Sub(window[0]) >= l.cfg.GroupWindow {
			window = window[1:]
		}
		l.groups[chat] = window
		if len(window) >= l.cfg.GroupMessages {
			wait = max(wait, window[0].Add(l.cfg.GroupWindow).Sub(now))
		}
	}
	if wait > 0 {
		return wait
	}
	cb.tokens--
	l.global.tokens--
	if chat < 0 {
		l.groups[chat] = append(window, now)
	}
	return 0
}

// retryAfter is the whole number of seconds Telegram puts in retry_after.
func retryAfter(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
