package slack

import (
	"strings"

	"github.com/heraldhq/herald/internal/config"
)

// DefaultAPIURL is Slack's Web API.
const DefaultAPIURL = "https://slack.com/api"

// Config is a channel's `slack:` section: an incoming webhook, or a bot
// token with a channel.
type Config struct {
	WebhookURL     config.Secret `yaml:"webhook_url"`
	WebhookURLFile string        `yaml:"webhook_url_file"`
	BotToken       config.Secret `yaml:"bot_token"`
	BotTokenFile   string        `yaml:"bot_token_file"`
	// Channel is the channel id (C0123…) for the bot token.
	Channel string `yaml:"channel"`
	// APIURL is Slack's Web API base (default https://slack.com/api).
	APIURL string `yaml:"api_url"`
	// Message is a template body (default `slack.herald.message`).
	Message string `yaml:"message"`
	// HTTPConfig is the client of the channel's requests (proxy, TLS),
	// Prometheus' http_config.
	HTTPConfig config.HTTPClientConfig `yaml:"http_config"`
}

// DefaultConfig is the section an empty `slack:` gives.
func DefaultConfig() Config {
	return Config{APIURL: DefaultAPIURL, HTTPConfig: config.DefaultHTTPClientConfig()}
}

// newConfig is the section the config loader decodes into.
func newConfig() config.Section { c := DefaultConfig(); return &c }

// Validate checks that exactly one of the webhook and the bot is set, and
// what each needs. Messages never show the URL or the token.
func (c *Config) Validate() []config.FieldError {
	var errs config.FieldErrors
	switch {
	case c.WebhookURL == "" && c.BotToken == "":
		errs.Add("", "set webhook_url, or bot_token with channel")
	case c.WebhookURL != "" && c.BotToken != "":
		errs.Add("", "webhook_url and bot_token are both set; use one")
	case c.WebhookURL != "":
		errs.CheckURL("webhook_url", string(c.WebhookURL), true, true)
	default:
		if strings.ContainsAny(string(c.BotToken), " \t\r\n") {
			errs.Add("bot_token", "contains blanks (want the token as Slack shows it, xoxb-…)")
		}
		if c.Channel == "" {
			errs.Add("channel", "required with bot_token")
		}
		errs.CheckURL("api_url", c.APIURL, true, false)
	}
	return errs
}
