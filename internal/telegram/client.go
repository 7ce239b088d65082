// Package telegram is a client of the Telegram Bot API on plain net/http:
// the methods Herald's notifier and its interactive bot call, typed
// errors, the bot token kept out of every error and log line, Telegram's
// rate limits kept on Herald's side (per chat, per group, overall) and the
// transport of Prometheus' http_config (internal/httpconf). Answers go through the shared classifier
// (notify.CheckResponse) like every other platform's, so that the
// dispatcher's retry stage treats them alike.
package telegram

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/httpconf"
	"github.com/heraldhq/herald/internal/notify"
)

// Client is one Telegram bot: its token, the HTTP client that reaches the
// Bot API (built from the bot's http_config: proxy, TLS, headers) and the rate limiter that every
// user of the token shares. It is safe for concurrent use.
type Client struct {
	token  string
	apiURL string
	client *http.Client
	// poll is client without its timeout, for getUpdates, whose long poll
	// lasts longer than a request may (each call sets its own deadline).
	poll    *http.Client
	limiter *notify.Limiter
	perChat notify.Rate
	// perGroup is the extra allowance of groups, supergroups and channels.
	perGroup notify.Rate
	// secrets are redacted from every error: the token is in the URL path
	// and a proxy URL may carry a password.
	secrets []string
	logger  *slog.Logger
}

// Option sets an optional behaviour of a Client in New.
type Option func(*options)

type options struct {
	minute       time.Duration
	perChat      *notify.Rate
	proxyRecheck time.Duration
	now          func() time.Time
}

// WithGroupWindow sets the length of the group allowance's window
// (Telegram's minute), so that tests can check the group limit in seconds.
func WithGroupWindow(d time.Duration) Option { return func(o *options) { o.minute = d } }

// WithProxyRecheck sets how long a bot with proxy_urls keeps to the proxy
// it moved to before it tries the first again (DefaultProxyRecheck).
func WithProxyRecheck(d time.Duration) Option { return func(o *options) { o.proxyRecheck = d } }

// WithClock sets the clock of the proxy pool's recheck, so that tests can
// move time instead of waiting for it.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithPerChatRate replaces the per-chat allowance made from the config,
// so that tests can count tokens with a burst and a slow refill.
func WithPerChatRate(r notify.Rate) Option { return func(o *options) { o.perChat = &r } }

// New builds the client of cfg (the bot config; see the notifier's
// BotConfig). Zero rate limits and timeout take config.DefaultConfig's
// values, so that a Client built in code is as safe as one loaded from a
// file.
func New(cfg config.TelegramConfig, logger *slog.Logger, opts ...Option) (*Client, error) {
	o := options{minute: time.Minute, proxyRecheck: DefaultProxyRecheck, now: time.Now}
	for _, f := range opts {
		f(&o)
	}
	def := config.DefaultConfig().Telegram
	token := string(cfg.BotToken)
	if token == "" {
		return nil, errors.New("telegram: bot_token is empty")
	}
	if strings.ContainsAny(token, "/?#% ") {
		return nil, errors.New("telegram: bot_token contains characters that cannot be in a URL path (want the token as BotFather gives it)")
	}
	c := &Client{token: token, secrets: []string{token}, logger: logger}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	apiURL := orDefault(cfg.APIURL, def.APIURL)
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("telegram: api_url must be an absolute http or https URL")
	}
	c.apiURL = strings.TrimRight(apiURL, "/")
	if u.User != nil {
		c.secrets = append(c.secrets, u.User.String())
	}
	tr, err := c.transport(cfg, &o)
	if err != nil {
		return nil, err
	}
	timeout := cfg.Timeout.D()
	if timeout <= 0 {
		timeout = def.Timeout.D()
	}
	c.client = &http.Client{
		Transport: tr,
		Timeout:   timeout,
		// The token is in the path: following a redirect would hand it to
		// whatever host the redirect names, whatever follow_redirects
		// says (the loader refuses it). The Bot API never redirects.
		CheckRedirect: httpconf.NoRedirect,
	}
	poll := *c.client
	poll.Timeout = 0
	c.poll = &poll
	c.limits(cfg.RateLimits, def.RateLimits, o.minute)
	if o.perChat != nil {
		c.perChat = *o.perChat
	}
	return c, nil
}

// transport is the http_config's transport, built by internal/httpconf
// as every outgoing client of Herald is (proxy, tls_config, headers,
// authorization for a Bot API server behind a gateway), or a pool of such
// transports, one per proxy of proxy_urls. Its secrets (proxy passwords,
// credentials) join the token in redaction.
func (c *Client) transport(cfg config.TelegramConfig, o *options) (http.RoundTripper, error) {
	h := cfg.HTTP
	if p := h.ProxyURL.URL; p != nil {
		if len(cfg.ProxyURLs) > 0 {
			return nil, errors.New("telegram: proxy_urls cannot be used together with proxy_url")
		}
		if err := checkProxy(p, "proxy_url"); err != nil {
			return nil, err
		}
	}
	c.secrets = append(c.secrets, httpconf.Secrets(h)...)
	for _, u := range cfg.ProxyURLs {
		if u.URL == nil {
			continue
		}
		if pw, ok := u.User.Password(); ok && pw != "" {
			c.secrets = append(c.secrets, pw)
		}
	}
	if len(cfg.ProxyURLs) > 0 {
		return newProxyPool(h, cfg.ProxyURLs, o, c.logger, c.redact)
	}
	rt, err := httpconf.RoundTripper(h, "telegram")
	if err != nil {
		return nil, c.redact(err)
	}
	return rt, nil
}

// checkProxy refuses a proxy URL that net/http cannot dial, for a Client
// built in code (the loader checks the file's); key names it in the error.
func checkProxy(p *url.URL, key string) error {
	switch p.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return fmt.Errorf("telegram: unsupported %s scheme %q (want http, https, socks5 or socks5h)", key, p.Scheme)
	}
	if p.Host == "" {
		return fmt.Errorf("telegram: %s has no host", key)
	}
	return nil
}

// orDefault returns v, or def when v is not positive (or empty).
func orDefault[T int | float64 | string](v, def T) T {
	var zero T
	if v <= zero {
		return def
	}
	return v
}

// redact removes the bot's secrets from err.
func (c *Client) redact(err error) error { return notify.Redact(err, c.secrets...) }

// String names the bot without its token, so that %v of a Client (in a
// log line or a panic) cannot leak it. Value receivers cover *Client and
// Client.
func (c Client) String() string {
	s := "telegram bot at " + c.apiURL
	for _, secret := range c.secrets {
		s = strings.ReplaceAll(s, secret, "<secret>")
	}
	return s
}

// GoString hides the token from %#v as String does from %v.
func (c Client) GoString() string { return c.String() }

// LogValue hides the token from log/slog.
func (c Client) LogValue() slog.Value { return slog.StringValue(c.String()) }
