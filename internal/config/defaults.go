package config

import (
	"net/url"
	"path/filepath"
	"strings"
	"time"
)

// Default values that other packages need to know about when a Config was
// built in code rather than loaded (nil pointers mean "the default").
const (
	// DefaultStormThreshold is delivery.storm_threshold when unset.
	DefaultStormThreshold = 10
	// DefaultTelegramAPIURL is Telegram's public Bot API server.
	DefaultTelegramAPIURL = "https://api.telegram.org"
	// ConsoleChannelName is the channel Herald adds when none is configured,
	// so that a first run without a file shows alerts on standard output.
	ConsoleChannelName = "console"
	// TelegramChannelName is the channel built from HERALD_TELEGRAM_* when
	// there is no config file.
	TelegramChannelName = "telegram"
)

// DefaultConfig returns the configuration an empty file gives, before the
// console channel is added. It is a function rather than a variable because
// Config holds pointers and slices, which a shared variable would let one
// caller change for all.
func DefaultConfig() Config {
	storm := DefaultStormThreshold
	return Config{
		ListenAddress: ":9096",
		DataDir:       "./data",
		Storage: StorageConfig{
			Driver:        "sqlite",
			Synchronous:   "FULL",
			BusyTimeout:   Duration(5 * time.Second),
			Retention:     Duration(90 * 24 * time.Hour),
			LeaseDuration: Duration(15 * time.Second),
		},
		Prometheus: DefaultPrometheusConfig(),
		Grafana:    DefaultGrafanaConfig(),
		Graph:      DefaultGraphConfig(),
		Webhook: WebhookConfig{
			MaxBodySize: 5 << 20,
		},
		Telegram: TelegramConfig{
			APIURL:  DefaultTelegramAPIURL,
			HTTP:    defaultTelegramHTTP(),
			Timeout: Duration(30 * time.Second),
			// Telegram's documented limits: https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this
			RateLimits:        TelegramRateLimits{PerChat: 1, PerGroupPerMinute: 20, Global: 30},
			Mode:              BotPolling,
			PollTimeout:       Duration(50 * time.Second),
			Changes:           ChangesByAdmins,
			CommandsPerMinute: 20,
			Language:          "en",
		},
		Alertmanager: DefaultAlertmanagerConfig(),
		Collectors:   DefaultCollectorsConfig(),
		Images:       DefaultImagesConfig(),
		Delivery: DeliveryConfig{
			InitialBackoff: Duration(time.Second),
			MaxBackoff:     Duration(5 * time.Minute),
			MaxAge:         Duration(24 * time.Hour),
			Timeout:        Duration(30 * time.Second),
			StormThreshold: &storm,
		},
	}
}

// DefaultChannelConfig is the value every channels[] entry starts from.
func DefaultChannelConfig() ChannelConfig {
	return ChannelConfig{SendResolved: new(true)}
}

// DefaultRouteConfig is the value every routes[] entry starts from.
func DefaultRouteConfig() RouteConfig {
	return RouteConfig{RepeatInterval: Duration(time.Hour)}
}

func (c *ChannelConfig) setDefaults() { *c = DefaultChannelConfig() }
func (r *RouteConfig) setDefaults()   { *r = DefaultRouteConfig() }

// Channel returns the channel called name, or nil.
func (c *Config) Channel(name string) *ChannelConfig {
	for i := range c.Channels {
		if c.Channels[i].Name == name {
			return &c.Channels[i]
		}
	}
	return nil
}

// DatabasePath is where the store opens its database: storage.dsn when set,
// otherwise herald.db in the data directory.
func (c *Config) DatabasePath() string {
	if c.Storage.DSN != "" {
		return string(c.Storage.DSN)
	}
	return filepath.Join(c.DataDir, "herald.db")
}

// DatabaseForLog names the database for logs and messages without anything
// secret in storage.dsn: user, password and query parameters are removed
// (a PostgreSQL DSN carries a password; a SQLite URI may carry keys).
func (c *Config) DatabaseForLog() string {
	if c.Storage.DSN == "" {
		return c.DatabasePath()
	}
	return DSNForLog(string(c.Storage.DSN))
}

// DSNForLog is a database's DSN without anything secret: user, password
// and query parameters are removed from a URL, and a key=value DSN keeps
// only host, port and dbname.
func DSNForLog(p string) string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	if u, err := url.Parse(p); err == nil && u.Scheme != "" && u.Host != "" {
		u.User = nil
		return u.Redacted()
	}
	if i := strings.LastIndex(p, "@"); i >= 0 && strings.Contains(p, "://") {
		// Not parseable as a URL but shaped like one: drop what precedes
		// the host.
		p = p[:strings.Index(p, "://")+3] + p[i+1:]
	}
	if k, _, ok := strings.Cut(p, "="); ok && !strings.ContainsAny(k, "/\\. ") {
		// A key=value DSN (host=db password=...): keep only the keys that
		// locate the database.
		var keep []string
		for _, f := range strings.Fields(p) {
			if k, _, _ := strings.Cut(f, "="); k == "host" || k == "port" || k == "dbname" {
				keep = append(keep, f)
			}
		}
		return strings.Join(keep, " ")
	}
	return p
}

// StormThreshold is the number of waiting events above which ch's events are
// folded into one message: the channel's own value, else delivery's. Zero
// disables folding.
func (c *Config) StormThreshold(ch *ChannelConfig) int {
	if ch != nil && ch.StormThreshold != nil {
		return *ch.StormThreshold
	}
	if c.Delivery.StormThreshold != nil {
		return *c.Delivery.StormThreshold
	}
	return DefaultStormThreshold
}

// ResolvedEnabled reports whether resolved events go to the channel; a
// channel built in code (nil SendResolved) gets the default, true.
func (c *ChannelConfig) ResolvedEnabled() bool {
	return c.SendResolved == nil || *c.SendResolved
}

// defaultTelegramHTTP is the http_config of a telegram section that says
// nothing: HTTP/2 when the server offers it, as net/http's own client
// did before, and no redirects (the token is in the URL path).
func defaultTelegramHTTP() HTTPClientConfig {
	h := DefaultHTTPClientConfig()
	h.FollowRedirects = false
	return h
}
