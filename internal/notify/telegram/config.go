package telegram

import (
	"fmt"
	"net/url"
	"slices"

	promconfig "github.com/prometheus/common/config"

	"github.com/heraldhq/herald/internal/config"
)

// Config is a channel's `telegram:` section: a chat (and optionally a
// forum topic), sent to with the top-level bot unless the section names
// its own.
type Config struct {
	// ChatID is a numeric chat id or "@channelusername".
	ChatID          config.ChatID `yaml:"chat_id"`
	MessageThreadID int           `yaml:"message_thread_id"`
	// Message is a template body; default `{{ template "telegram.herald.message" . }}`.
	Message string `yaml:"message"`
	// SilentSeverities are severity label values sent without sound (default [info, none]).
	SilentSeverities []string `yaml:"silent_severities"`
	// DisableNotification sends every message without sound.
	DisableNotification bool `yaml:"disable_notification"`
	// EditOnResolve edits the firing message to show it resolved (default true).
	EditOnResolve *bool `yaml:"edit_on_resolve"`
	// Buttons are the buttons under alert messages (see docs/bot.md).
	Buttons ButtonsConfig `yaml:"buttons"`
	// Bot overrides the top-level telegram bot for this channel.
	BotToken     config.Secret `yaml:"bot_token"`
	BotTokenFile string        `yaml:"bot_token_file"`
	APIURL       string        `yaml:"api_url"`
	ProxyURL     string        `yaml:"proxy_url"`
}

// DefaultConfig is the section every channels[].telegram starts from.
// Info alerts arrive silently by default because a phone that buzzes for
// everything gets muted.
func DefaultConfig() Config {
	return Config{SilentSeverities: []string{"info", "none"}, EditOnResolve: new(true), Buttons: DefaultButtons()}
}

// newConfig is the section the config loader decodes into.
func newConfig() config.Section { c := DefaultConfig(); return &c }

// EditsOnResolve reports whether the firing message is edited when the alert
// resolves; nil means the default, true.
func (c *Config) EditsOnResolve() bool { return c.EditOnResolve == nil || *c.EditOnResolve }

// IsSilent reports whether an alert with this severity label value is sent
// without sound.
func (c *Config) IsSilent(severity string) bool {
	return c.DisableNotification || slices.Contains(c.SilentSeverities, severity)
}

// Validate checks the chat and the channel's own bot settings.
func (c *Config) Validate() []config.FieldError {
	var errs config.FieldErrors
	if c.ChatID == "" {
		errs.AddMissing("chat_id", "required")
	}
	if c.MessageThreadID < 0 {
		errs.Add("message_thread_id", "must not be negative")
	}
	errs.CheckBotToken("bot_token", c.BotToken)
	errs.CheckBotURLs("", c.APIURL, c.ProxyURL)
	c.Buttons.validate(&errs)
	return errs
}

// ValidateConfig checks that the channel has a bot: its own, or the
// top-level one.
func (c *Config) ValidateConfig(cfg *config.Config, ch *config.ChannelConfig) []config.FieldError {
	if c.BotToken == "" && cfg.Telegram.BotToken == "" {
		return []config.FieldError{{Missing: true,
			Msg: fmt.Sprintf("channel %q has no bot token: set telegram.bot_token (or bot_token_file) or this channel's bot_token", ch.Name)}}
	}
	return nil
}

// Secrets lists the password of the channel's proxy_url, a plain string
// that the loader cannot find by type.
func (c *Config) Secrets() []string {
	if u, err := url.Parse(c.ProxyURL); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			return []string{pw}
		}
	}
	return nil
}

// BotConfig is the bot a channel sends with: the top-level telegram
// section with the channel's own token, API URL and proxy laid over it,
// so a channel can use a second bot or a different network path without
// repeating the rest. A nil ch gives the top-level bot.
//
// The channel's proxy_url replaces every proxy setting of the top-level
// http_config (proxy_url, proxy_urls, proxy_from_environment) and drops
// its proxy_connect_header, which may hold credentials meant for the
// top-level proxy; the rest of the http_config (tls_config, headers, ...)
// applies as it is.
func BotConfig(cfg *config.Config, ch *Config) config.TelegramConfig {
	bot := cfg.Telegram
	if ch == nil {
		return bot
	}
	if ch.BotToken != "" {
		bot.BotToken, bot.BotTokenFile = ch.BotToken, ch.BotTokenFile
	}
	if ch.APIURL != "" {
		bot.APIURL = ch.APIURL
	}
	if ch.ProxyURL != "" {
		// Validate checked it; a URL that does not parse leaves the
		// top-level proxy rather than none.
		if u, err := url.Parse(ch.ProxyURL); err == nil {
			bot.HTTP.ProxyURL = promconfig.URL{URL: u}
			bot.ProxyURLs = nil
			bot.HTTP.ProxyFromEnvironment = false
			bot.HTTP.ProxyConnectHeader = nil
		}
	}
	return bot
}
