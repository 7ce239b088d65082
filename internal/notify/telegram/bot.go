package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
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

// Bot is one Telegram bot: its token, the HTTP client that reaches the Bot
// API (through a proxy if configured) and the rate limiter that every
// channel using the token shares. It is safe for concurrent use.
type Bot struct {
	token   string
	apiURL  string
	client  *http.Client
	limiter *notify.Limiter
	perChat notify.Rate
	// perGroup is the extra allowance of groups, supergroups and channels.
	perGroup notify.Rate
	// secrets are redacted from every error: the token is in the URL path
	// and a proxy URL may carry a password.
	secrets []string
	logger  *slog.Logger
}

// NewBot builds the bot of cfg. Zero rate limits and timeout take
// config.DefaultConfig's values, so that a Bot built in code is as safe as
// one loaded from a file.
func NewBot(cfg config.TelegramConfig, logger *slog.Logger) (*Bot, error) {
	return newBot(cfg, logger, time.Minute)
}

// newBot is NewBot with the length of the group window as a parameter, so
// that tests can check the group limit in seconds rather than minutes.
func newBot(cfg config.TelegramConfig, logger *slog.Logger, minute time.Duration) (*Bot, error) {
	def := config.DefaultConfig().Telegram
	token := string(cfg.BotToken)
	if token == "" {
		return nil, errors.New("telegram: bot_token is empty")
	}
	if strings.ContainsAny(token, "/?#% ") {
		return nil, errors.New("telegram: bot_token contains characters that cannot be in a URL path (want the token as BotFather gives it)")
	}
	b := &Bot{token: token, secrets: []string{token}, logger: logger}
	if b.logger == nil {
		b.logger = slog.New(slog.DiscardHandler)
	}

	apiURL := orDefault(cfg.APIURL, def.APIURL)
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("telegram: api_url must be an absolute http or https URL")
	}
	b.apiURL = strings.TrimRight(apiURL, "/")
	if u.User != nil {
		b.secrets = append(b.secrets, u.User.String())
	}

	tr := http.DefaultTransport.(*http.Transport).Clone()
	if cfg.ProxyURL != "" {
		p, err := url.Parse(cfg.ProxyURL)
		if err != nil || p.Host == "" {
			return nil, errors.New("telegram: proxy_url is not a valid URL")
		}
		switch p.Scheme {
		case "http", "https", "socks5", "socks5h":
		default:
			return nil, fmt.Errorf("telegram: unsupported proxy_url scheme %q (want http, https, socks5 or socks5h)", p.Scheme)
		}
		if pw, ok := p.User.Password(); ok && pw != "" {
			b.secrets = append(b.secrets, pw)
		}
		// net/http's Transport speaks all of these schemes itself.
		tr.Proxy = http.ProxyURL(p)
	}
	timeout := cfg.Timeout.D()
	if timeout <= 0 {
		timeout = def.Timeout.D()
	}
	b.client = &http.Client{
		Transport: tr,
		Timeout:   timeout,
		// The token is in the path: following a redirect would hand it to
		// whatever host the redirect names. The Bot API never redirects.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}

	rl := cfg.RateLimits
	b.perChat = every(orDefault(rl.PerChat, def.RateLimits.PerChat), time.Second)
	// Telegram counts a group's messages in a sliding minute; a window
	// allowance lets the first messages of a storm out at the per-chat pace
	// instead of spreading every message over the minute.
	perGroup := orDefault(rl.PerGroupPerMinute, def.RateLimits.PerGroupPerMinute)
	b.perGroup = notify.Rate{Events: max(1, int(float64(perGroup)*safetyMargin)), Per: minute, Window: true}
	b.limiter = notify.NewLimiter(every(float64(orDefault(rl.Global, def.RateLimits.Global)), time.Second))
	return b, nil
}

// orDefault returns v, or def when v is not positive (or empty).
func orDefault[T int | float64 | string](v, def T) T {
	var zero T
	if v <= zero {
		return def
	}
	return v
}

// every is an allowance of events per period with the safety margin and no
// burst, so that requests leave evenly spaced.
func every(events float64, per time.Duration) notify.Rate {
	return notify.Rate{Events: 1, Per: time.Duration(float64(per) / (events * safetyMargin)), Burst: 1}
}

// acquire blocks until a request to chat is within every limit that
// applies and takes its place; the caller releases it once Telegram
// answered, so that the group window counts the request until a window
// after that (Telegram counts arrivals; see notify.Rate).
func (b *Bot) acquire(ctx context.Context, chat config.ChatID) (release func(), err error) {
	release, err = b.limiter.Acquire(ctx, chat.String(), b.rates(chat)...)
	if err != nil {
		return nil, fmt.Errorf("telegram: waiting for the rate limit of chat %s: %w", chat, err)
	}
	return release, nil
}

// delay is how long, as things stand, until n more requests to chat are
// within every limit that applies.
func (b *Bot) delay(chat config.ChatID, n int) time.Duration {
	return b.limiter.Delay(chat.String(), n, b.rates(chat)...)
}

// idleDelay is how long n requests to one chat take with no other
// traffic: the least the per-chat limit can make them wait.
func (b *Bot) idleDelay(n int) time.Duration {
	burst := max(b.perChat.Burst, 1)
	if n <= burst || b.perChat.Events <= 0 {
		return 0
	}
	return time.Duration(n-burst) * b.perChat.Per / time.Duration(b.perChat.Events)
}

// rates are the allowances of chat besides the global one.
func (b *Bot) rates(chat config.ChatID) []notify.Rate {
	if chat.IsGroup() {
		return []notify.Rate{b.perChat, b.perGroup}
	}
	return []notify.Rate{b.perChat}
}

// redact removes the bot's secrets from err.
func (b *Bot) redact(err error) error { return notify.Redact(err, b.secrets...) }

// String names the bot without its token, so that %v of a Bot (in a log
// line or a panic) cannot leak it. Value receivers cover *Bot and Bot.
func (b Bot) String() string {
	s := "telegram bot at " + b.apiURL
	for _, secret := range b.secrets {
		s = strings.ReplaceAll(s, secret, "<secret>")
	}
	return s
}

// GoString hides the token from %#v as String does from %v.
func (b Bot) GoString() string { return b.String() }

// LogValue hides the token from log/slog.
func (b Bot) LogValue() slog.Value { return slog.StringValue(b.String()) }

// Bots hands out one Bot per token, so that channels sharing a token share
// its rate limiter: Telegram's limits are per bot, not per channel. It is
// safe for concurrent use.
type Bots struct {
	logger *slog.Logger
	mu     sync.Mutex
	bots   map[botKey]*Bot
	limits map[string]*notify.Limiter
}

// botKey is what makes two bots different.
type botKey struct {
	token, apiURL, proxyURL string
	timeout                 config.Duration
	limits                  config.TelegramRateLimits
}

// botsKey keys the Bots of a notify.Shared.
type botsKey struct{}

// SharedBots returns the Bots held by s, made on first use, so that bots
// (and their rate limiters) outlive the notifiers rebuilt on a reload.
func SharedBots(s *notify.Shared, logger *slog.Logger) *Bots {
	b, _ := notify.Share(s, botsKey{}, func() (*Bots, error) { return NewBots(logger), nil })
	return b
}

// NewBots makes an empty set of bots.
func NewBots(logger *slog.Logger) *Bots {
	return &Bots{logger: logger, bots: map[botKey]*Bot{}, limits: map[string]*notify.Limiter{}}
}

// Get returns the bot for cfg (config.Config.TelegramBot gives a channel's).
// Configurations that differ only in api_url, proxy or timeout get their
// own HTTP client but the same limiter when the token is the same.
func (s *Bots) Get(cfg config.TelegramConfig) (*Bot, error) {
	key := botKey{string(cfg.BotToken), cfg.APIURL, cfg.ProxyURL, cfg.Timeout, cfg.RateLimits}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.bots[key]; ok {
		return b, nil
	}
	b, err := NewBot(cfg, s.logger)
	if err != nil {
		return nil, err
	}
	if l, ok := s.limits[b.token]; ok {
		b.limiter = l
	} else {
		s.limits[b.token] = b.limiter
	}
	s.bots[key] = b
	return b, nil
}
