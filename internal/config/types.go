// Package config loads, validates and reloads Herald's YAML configuration.
package config

import (
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"
	promconfig "github.com/prometheus/common/config"
)

// Config is the whole configuration file.
type Config struct {
	ListenAddress  string             `yaml:"listen_address"`
	ExternalURL    string             `yaml:"external_url"`
	DataDir        string             `yaml:"data_dir"`
	Storage        StorageConfig      `yaml:"storage"`
	Prometheus     PrometheusConfig   `yaml:"prometheus"`
	Grafana        GrafanaConfig      `yaml:"grafana"`
	Graph          GraphConfig        `yaml:"graph"`
	Webhook        WebhookConfig      `yaml:"webhook"`
	Telegram       TelegramConfig     `yaml:"telegram"`
	Delivery       DeliveryConfig     `yaml:"delivery"`
	Channels       []ChannelConfig    `yaml:"channels"`
	Routes         []RouteConfig      `yaml:"routes"`
	DefaultChannel string             `yaml:"default_channel"`
	Templates      []string           `yaml:"templates"`
	Images         ImagesConfig       `yaml:"images"`
	Alertmanager   AlertmanagerConfig `yaml:"alertmanager"`
	Charts         []ChartConfig      `yaml:"charts"`
	Collectors     CollectorsConfig   `yaml:"collectors"`

	// File is the path the configuration was loaded from ("" when built from
	// defaults and the environment).
	File string `yaml:"-"`

	// fileSecrets are secrets Herald does not keep but redacts: the
	// content of http_config's *_file keys, read by prometheus/common at
	// each request.
	fileSecrets []string
}

// StorageConfig selects the database.
type StorageConfig struct {
	// Driver is "sqlite" (default: one Herald) or "postgres" (one or
	// several replicas on one database).
	Driver string `yaml:"driver"`
	// DSN is the database: for postgres its DSN (required); for sqlite it
	// overrides the default <data_dir>/herald.db.
	DSN     Secret `yaml:"dsn"`
	DSNFile string `yaml:"dsn_file"`
	// Synchronous is SQLite's synchronous pragma: FULL (default), NORMAL,
	// EXTRA or OFF. FULL by default because an acknowledged alert must survive
	// a power cut.
	Synchronous string `yaml:"synchronous"`
	// BusyTimeout is how long a writer waits for a lock (default 5s).
	BusyTimeout Duration `yaml:"busy_timeout"`
	// Retention is how long finished deliveries and the notifications
	// behind them are kept (default 90d; 0 keeps everything). Episodes that
	// Alertmanager still reports are kept whatever their age, so that
	// their repeat notifications stay deduplicated.
	Retention Duration `yaml:"retention"`
	// LeaseDuration is how long a replica's singleton leases (dispatch,
	// Telegram poller, collectors, pruning) last without renewal (default
	// 15s): a dead holder is replaced within 1.25 times it.
	LeaseDuration Duration `yaml:"lease_duration"`
}

// WebhookConfig protects and limits the webhook receiver.
type WebhookConfig struct {
	// MaxBodySize is the largest accepted body (default 5MiB), e.g. "5MiB", "512KiB" or bytes.
	MaxBodySize     Bytes      `yaml:"max_body_size"`
	BearerToken     Secret     `yaml:"bearer_token"`
	BearerTokenFile string     `yaml:"bearer_token_file"`
	BasicAuth       *BasicAuth `yaml:"basic_auth"`
}

// BasicAuth is a user name and password.
type BasicAuth struct {
	Username     string `yaml:"username"`
	Password     Secret `yaml:"password"`
	PasswordFile string `yaml:"password_file"`
}

// TelegramConfig is the default Telegram bot, used by every Telegram channel
// that does not name its own.
type TelegramConfig struct {
	BotToken     Secret `yaml:"bot_token"`
	BotTokenFile string `yaml:"bot_token_file"`
	// APIURL is the Bot API server (default https://api.telegram.org).
	APIURL string `yaml:"api_url"`
	// HTTP is Prometheus' http_config, written directly under telegram:
	// as under grafana: (proxy_url, tls_config, http_headers, ...). Its
	// proxy_url is the key Herald's files have always had (http, https,
	// socks5 or socks5h). Redirects are never followed, the token being
	// in the URL path: follow_redirects: true is refused.
	HTTP HTTPClientConfig `yaml:",inline"`
	// ProxyURLs are proxies tried in turn (http, https, socks5 or
	// socks5h, with credentials): the bot sends through the first and
	// moves to the next when the one in use fails (a connection error, a
	// refusal, a TLS handshake failure, a timeout), coming back to the
	// first after a while. Not with proxy_url. Of prometheus/common's URL
	// type, as proxy_url is, so that passwords are redacted by type and
	// hidden in YAML dumps.
	ProxyURLs []promconfig.URL `yaml:"proxy_urls"`
	// Timeout bounds one API request (default 30s).
	Timeout Duration `yaml:"timeout"`
	// RateLimits are the bot's own limits (Telegram's documented ones by default).
	RateLimits TelegramRateLimits `yaml:"rate_limits"`

	// The interactive bot (commands and buttons; see docs/bot.md).

	// Mode is how the bot receives updates: "polling" (default, getUpdates),
	// "webhook" (Telegram posts to external_url + /telegram/webhook) or
	// "off" (notifications only, no commands, no buttons).
	Mode string `yaml:"mode"`
	// PollTimeout is getUpdates' long-poll timeout (default 50s).
	PollTimeout Duration `yaml:"poll_timeout"`
	// Webhook is the webhook mode's secret and public URL.
	Webhook TelegramWebhookConfig `yaml:"webhook"`
	// AllowedUsers and AllowedChats may use the bot (ids or @usernames);
	// both empty means only Admins. Admins may also make changes.
	AllowedUsers []string `yaml:"allowed_users"`
	AllowedChats []string `yaml:"allowed_chats"`
	Admins       []string `yaml:"admins"`
	// Changes is who may make changes (silence, ack, unsilence, a
	// group's subscriptions): "admins" (default) or "allowed".
	Changes string `yaml:"changes"`
	// CommandsPerMinute is each user's command allowance (default 20).
	CommandsPerMinute int `yaml:"commands_per_minute"`
	// Language is the bot's language when a user's Telegram language is
	// not one it speaks (default en; en, ru, uk or zh).
	Language string `yaml:"language"`
}

// TelegramWebhookConfig is the bot's webhook mode.
type TelegramWebhookConfig struct {
	// URL is the public address Telegram posts to (default external_url +
	// /telegram/webhook).
	URL string `yaml:"url"`
	// SecretToken is sent by Telegram as X-Telegram-Bot-Api-Secret-Token
	// (1-256 of A-Z a-z 0-9 _ -); made from the bot token when empty.
	SecretToken     Secret `yaml:"secret_token"`
	SecretTokenFile string `yaml:"secret_token_file"`
}

// TelegramRateLimits are the allowances Herald keeps to, so that Telegram
// never has to answer 429 in normal operation.
type TelegramRateLimits struct {
	// PerChat is messages per second to one chat (default 1).
	PerChat float64 `yaml:"per_chat"`
	// PerGroupPerMinute is messages per minute to one group or channel (default 20).
	PerGroupPerMinute int `yaml:"per_group_per_minute"`
	// Global is messages per second over all chats (default 30).
	Global int `yaml:"global"`
}

// DeliveryConfig tunes the outbox and the retry stage.
type DeliveryConfig struct {
	// InitialBackoff is the wait after the first failure (default 1s).
	InitialBackoff Duration `yaml:"initial_backoff"`
	// MaxBackoff caps the wait between attempts (default 5m).
	MaxBackoff Duration `yaml:"max_backoff"`
	// MaxAge is how long a delivery is retried before Herald gives up (default 24h).
	MaxAge Duration `yaml:"max_age"`
	// Timeout bounds one attempt (default 30s).
	Timeout Duration `yaml:"timeout"`
	// StormThreshold: when more than this many events wait for one channel,
	// they are folded into one message (default 10; 0 disables folding).
	StormThreshold *int `yaml:"storm_threshold"`
}

// ChannelConfig is one named destination. Exactly one platform section
// (channels[].<platform>:) is set; its type belongs to the platform's
// package, and the loader decodes it through the Platform list it is given.
type ChannelConfig struct {
	Name string `yaml:"name"`
	// StormThreshold overrides delivery.storm_threshold for this channel.
	StormThreshold *int `yaml:"storm_threshold"`
	// SendResolved sends resolved events (default true).
	SendResolved *bool `yaml:"send_resolved"`

	// Platform is the name of the channel's platform, the key of its
	// section.
	Platform string `yaml:"-"`
	// Section is the platform's section (a pointer to the platform
	// package's config type), nil for a channel built in code without one.
	Section Section `yaml:"-"`
}

// RouteConfig sends alerts matching all Matchers to Channels.
type RouteConfig struct {
	// Matchers in Alertmanager syntax, e.g. severity="critical", job=~"node.*".
	Matchers []string `yaml:"matchers"`
	Channels []string `yaml:"channels"`
	// Continue goes on to the next route after a match.
	Continue bool `yaml:"continue"`
	// Repeat turns Alertmanager's repeat notifications into short reminders
	// (default false: repeats are suppressed).
	Repeat bool `yaml:"repeat"`
	// RepeatInterval is the least time between two reminders (default 1h).
	RepeatInterval Duration `yaml:"repeat_interval"`

	// Parsed is Matchers parsed with Alertmanager's pkg/labels.
	Parsed labels.Matchers `yaml:"-"`
}

// Duration is a time.Duration written like Prometheus durations ("30s", "5m", "1d").
type Duration time.Duration
