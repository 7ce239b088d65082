package faketelegram

import (
	"math"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakehttp"
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

// limiter applies Limits; guarded by Server.mu.
type limiter struct {
	cfg    Limits
	global *fakehttp.Bucket
	chats  map[int64]*fakehttp.Bucket
	groups map[int64]*fakehttp.Window
}

func newLimiter(cfg Limits) *limiter {
	cfg = cfg.withDefaults()
	return &limiter{
		cfg:    cfg,
		global: fakehttp.NewBucket(cfg.Global, int(math.Max(1, cfg.Global)), time.Now()),
		chats:  map[int64]*fakehttp.Bucket{},
		groups: map[int64]*fakehttp.Window{},
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
		cb = fakehttp.NewBucket(l.cfg.PerChat, l.cfg.PerChatBurst, now)
		l.chats[chat] = cb
	}
	wait := max(cb.Wait(now), l.global.Wait(now))
	group := l.groups[chat]
	if chat < 0 {
		if group == nil {
			group = &fakehttp.Window{N: l.cfg.GroupMessages, Per: l.cfg.GroupWindow}
			l.groups[chat] = group
		}
		wait = max(wait, group.Wait(now))
	}
	if wait > 0 {
		return wait
	}
	cb.Take()
	l.global.Take()
	if group != nil {
		group.Add(now)
	}
	return 0
}

// retryAfter is the whole number of seconds Telegram puts in retry_after.
func retryAfter(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
