package discord

import (
	"net/url"
	"strings"
	"unicode/utf16"

	"github.com/heraldhq/herald/internal/config"
)

// Config is a channel's `discord:` section: a Discord channel webhook.
type Config struct {
	URL       config.Secret `yaml:"url"`
	URLFile   string        `yaml:"url_file"`
	Username  string        `yaml:"username"`
	AvatarURL string        `yaml:"avatar_url"`
	// Title and Message are template bodies (defaults `discord.herald.title`, `discord.herald.message`).
	Title   string `yaml:"title"`
	Message string `yaml:"message"`
	// HTTPConfig is the client of the channel's requests (proxy, TLS),
	// Prometheus' http_config.
	HTTPConfig config.HTTPClientConfig `yaml:"http_config"`
}

// DefaultConfig is the section an empty `discord:` gives.
func DefaultConfig() Config { return Config{HTTPConfig: config.DefaultHTTPClientConfig()} }

// newConfig is the section the config loader decodes into.
func newConfig() config.Section { c := DefaultConfig(); return &c }

// Validate checks what Discord would refuse with every message: the
// webhook URL's form and the username. Messages never show the URL.
func (c *Config) Validate() []config.FieldError {
	var errs config.FieldErrors
	if errs.CheckURL("url", string(c.URL), true, true) {
		u, err := url.Parse(string(c.URL))
		switch {
		case err != nil || u.User != nil:
			errs.Add("url", "must not contain a user name or password")
		case !webhookPath.MatchString(u.Path):
			errs.Add("url", "must end in /webhooks/ID/TOKEN (copy it with \"Copy Webhook URL\"; the /slack and /github variants are not supported)")
		}
	}
	if c.AvatarURL != "" {
		errs.CheckURL("avatar_url", c.AvatarURL, false, false)
	}
	name := strings.ToLower(c.Username)
	switch {
	case strings.Contains(name, "discord") || strings.Contains(name, "clyde"):
		errs.Add("username", "%q is refused by Discord (it must not contain \"discord\" or \"clyde\")", c.Username)
	case len(utf16.Encode([]rune(c.Username))) > maxUsername:
		errs.Add("username", "longer than Discord's %d characters", maxUsername)
	}
	return errs
}
