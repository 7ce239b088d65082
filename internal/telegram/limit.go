package telegram

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
)

// safetyMargin is the share of each configured rate limit Herald uses.
// The paces (per chat, overall) count a request when it leaves, and
// requests reach Telegram with network jitter; at 95% they would have to
// bunch by 5% of an interval before Telegram counts one too many. The group
// window counts each request until a window after its answer, which no
// jitter can bunch (see notify.Rate); there the margin (one message less a
// minute) is for what Herald's count cannot see, such as Telegram's clock.
const safetyMargin = 0.95

// limits sets the allowances of rl (def where rl has zeros); minute is the
// group window.
func (c *Client) limits(rl, def config.TelegramRateLimits, minute time.Duration) {
	c.perChat = every(orDefault(rl.PerChat, def.PerChat), time.Second)
	// Telegram counts a group's messages in a sliding minute; a window
	// allowance lets the first messages of a storm out at the per-chat pace
	// instead of spreading every message over the minute.
	perGroup := orDefault(rl.PerGroupPerMinute, def.PerGroupPerMinute)
	c.perGroup = notify.Rate{Events: max(1, int(float64(perGroup)*safetyMargin)), Per: minute, Window: true}
	c.limiter = notify.NewLimiter(every(float64(orDefault(rl.Global, def.Global)), time.Second))
}

// every is an allowance of events per period with the safety margin and no
// burst, so that requests leave evenly spaced.
func every(events float64, per time.Duration) notify.Rate {
	return notify.Rate{Events: 1, Per: time.Duration(float64(per) / (events * safetyMargin)), Burst: 1}
}

// acquire blocks until a message to chat is within every limit that
// applies and takes its place; the caller releases it once Telegram
// answered, so that the group window counts the request until a window
// after that (Telegram counts arrivals; see notify.Rate).
func (c *Client) acquire(ctx context.Context, chat config.ChatID) (release func(), err error) {
	release, err = c.limiter.Acquire(ctx, chat.String(), c.rates(chat)...)
	if err != nil {
		return nil, fmt.Errorf("telegram: waiting for the rate limit of chat %s: %w", chat, err)
	}
	return release, nil
}

// Delay is how long, as things stand, until n more messages to chat are
// within every limit that applies.
func (c *Client) Delay(chat config.ChatID, n int) time.Duration {
	return c.limiter.Delay(chat.String(), n, c.rates(chat)...)
}

// IdleDelay is how long n messages to one chat take with no other
// traffic: the least the per-chat limit can make them wait.
func (c *Client) IdleDelay(n int) time.Duration { return notify.IdleDelay(n, c.perChat) }

// rates are the allowances of chat besides the global one.
func (c *Client) rates(chat config.ChatID) []notify.Rate {
	if chat.IsGroup() {
		return []notify.Rate{c.perChat, c.perGroup}
	}
	return []notify.Rate{c.perChat}
}

// Record counts messages to chat that another process sent at the times of
// at (see notify.Limiter.Record): a replica taking over the channel.
func (c *Client) Record(chat config.ChatID, at []time.Time) {
	c.limiter.Record(chat.String(), at, c.rates(chat)...)
}
