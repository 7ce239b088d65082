package mattermost

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/heraldhq/herald/internal/config"
)

// Config is a channel's `mattermost:` section: a Mattermost incoming
// webhook (https://developers.mattermost.com/integrate/webhooks/incoming/).
//
//	channels:
//	  - name: ops
//	    mattermost:
//	      url_file: /run/secrets/mattermost-hook   # or url: https://mm.example.com/hooks/<key>
//	      channel: ops-alerts                      # optional: the webhook's channel otherwise
//	      username: Herald
//	      icon_url: https://herald.example/icon.png
type Config struct {
	// URL is the incoming webhook, https://mm.example.com/hooks/<key>; the
	// key is a secret: anyone who has it can post to the channel.
	URL config.Secret `yaml:"url"`
	// URLFile holds URL, for secrets kept out of the config file.
	URLFile string `yaml:"url_file"`
	// Channel overrides the webhook's channel: a channel's name as in its
	// URL (town-square), or @username for a direct message. The webhook
	// must not be locked to its channel.
	Channel string `yaml:"channel"`
	// Username and IconURL or IconEmoji override the name and picture the
	// posts show; the server ignores them unless "Enable integrations to
	// override usernames / profile picture icons" is on.
	Username  string `yaml:"username"`
	IconURL   string `yaml:"icon_url"`
	IconEmoji string `yaml:"icon_emoji"`
	// Title and Message are template bodies (defaults TitleTemplate and
	// DefaultMessage): the attachment's title (one line) and text
	// (Mattermost Markdown).
	Title   string `yaml:"title"`
	Message string `yaml:"message"`
	// MaxPostSize is the longest text of one post, in characters (default
	// DefaultMaxPostSize, the limit of Mattermost 5.0 and later; 4000 for
	// older servers). Longer messages go as several posts.
	MaxPostSize int `yaml:"max_post_size"`
	// HTTPConfig is the client of the webhook's requests (proxy, TLS),
	// Prometheus' http_config.
	HTTPConfig config.HTTPClientConfig `yaml:"http_config"`
}

// DefaultConfig is the section an empty `mattermost:` gives.
func DefaultConfig() Config {
	return Config{MaxPostSize: DefaultMaxPostSize, HTTPConfig: config.DefaultHTTPClientConfig()}
}

// SetDefaults applies DefaultConfig to a section about to be decoded, as
// the config loader does for every section it creates.
func (c *Config) SetDefaults() { *c = DefaultConfig() }

// FieldError is a problem with one key of the section. Field is the YAML
// key (url, icon_url…), relative to the section, so that the config
// loader can prefix the channel's path and add the line.
type FieldError = config.FieldError

// newConfig is the section the config loader decodes into.
func newConfig() config.Section { c := DefaultConfig(); return &c }

// hookPath is the end of an incoming webhook's path: /hooks/<key>, the key
// being a Mattermost id (26 lowercase letters and digits; the server's
// route takes [A-Za-z0-9]+). Servers under a sub-path (/chat/hooks/…)
// are fine.
var hookPath = regexp.MustCompile(`/hooks/([A-Za-z0-9]+)/?$`)

// channelName is a channel's name (lowercase letters, digits, "-", "_",
// at most 64: model.ChannelNameMaxLength) or @username.
var channelName = regexp.MustCompile(`^(@[a-z0-9][a-z0-9._-]{0,63}|[a-z0-9][a-z0-9_-]{0,63})$`)

// emojiName is an emoji's name, with or without its colons.
var emojiName = regexp.MustCompile(`^:?[a-z0-9_+-]+:?$`)

// Validate checks the section once url_file was read into URL. The
// errors name the key and never show the webhook URL.
func (c *Config) Validate() []config.FieldError {
	var errs []config.FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	switch {
	case c.URL == "" && c.URLFile == "":
		add("url", "required (or url_file): the incoming webhook's URL, https://mattermost.example.com/hooks/<key>")
	case c.URL != "":
		if _, err := hookKey(string(c.URL)); err != nil {
			add("url", "%v", err)
		}
	}
	if c.Channel != "" && !channelName.MatchString(c.Channel) {
		add("channel", "%q is not a channel name: want the name in the channel's URL (town-square), or @username", c.Channel)
	}
	if strings.ContainsFunc(c.Username, unicode.IsControl) {
		add("username", "must be one line of text")
	}
	if c.IconURL != "" {
		if u, err := url.Parse(c.IconURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("icon_url", "must be an absolute http or https URL, got %q", c.IconURL)
		}
	}
	if c.IconEmoji != "" && !emojiName.MatchString(c.IconEmoji) {
		add("icon_emoji", "%q is not an emoji name (want a name such as rotating_light)", c.IconEmoji)
	}
	if c.IconURL != "" && c.IconEmoji != "" {
		add("icon_emoji", "cannot be used together with icon_url (Mattermost shows the emoji and ignores the URL)")
	}
	if c.MaxPostSize < minPostSize || c.MaxPostSize > DefaultMaxPostSize {
		add("max_post_size", "must be between %d and %d characters, got %d", minPostSize, DefaultMaxPostSize, c.MaxPostSize)
	}
	return errs
}

// hookKey checks an incoming webhook URL and returns its key. The errors
// never quote the URL.
func hookKey(raw string) (string, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return "", errors.New("must be an absolute http or https URL (https://mattermost.example.com/hooks/<key>)")
	case u.User != nil:
		return "", errors.New("must not contain a user name or password")
	case u.RawQuery != "" || u.Fragment != "":
		return "", errors.New("must not contain a query or a fragment")
	}
	m := hookPath.FindStringSubmatch(u.Path)
	if m == nil {
		return "", errors.New("must end in /hooks/<key> (copy it from Integrations > Incoming Webhooks)")
	}
	return m[1], nil
}

// Secrets are the strings no error or log line may show: the webhook URL
// and its key.
func (c *Config) Secrets() []string {
	if c.URL == "" {
		return nil
	}
	out := []string{string(c.URL)}
	if key, err := hookKey(string(c.URL)); err == nil {
		out = append(out, key)
	}
	return out
}
