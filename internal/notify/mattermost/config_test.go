package mattermost

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/config"
)

const goodHook = "https://mm.example.com/hooks/xq7s9ht4wbnbdpdsfhhgzbzq4c"

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		edit func(*Config)
		want string // "" for valid; else every error, one per line
	}{
		{"valid", nil, ""},
		{"sub-path and overrides", func(c *Config) {
			c.URL = "http://chat.example.com/mattermost/hooks/abc123"
			c.Channel, c.Username, c.IconEmoji, c.MaxPostSize = "ops-alerts", "Herald", ":rotating_light:", 4000
		}, ""},
		{"direct message", func(c *Config) { c.Channel = "@alice.b" }, ""},
		{"url_file not read yet", func(c *Config) { c.URL, c.URLFile = "", "hook.txt" }, ""},
		{"missing", func(c *Config) { c.URL = "" }, "url: required (or url_file): the incoming webhook's URL, https://mattermost.example.com/hooks/<key>"},
		{"not a URL", func(c *Config) { c.URL = "mm.example.com/hooks/xq7s9ht4wbnbdpdsfhhgzbzq4c" },
			"url: must be an absolute http or https URL (https://mattermost.example.com/hooks/<key>)"},
		{"not a hook", func(c *Config) { c.URL = "https://mm.example.com/api/v4/posts" },
			"url: must end in /hooks/<key> (copy it from Integrations > Incoming Webhooks)"},
		{"user info", func(c *Config) { c.URL = "https://u:p@mm.example.com/hooks/abc" }, "url: must not contain a user name or password"},
		{"query", func(c *Config) { c.URL = goodHook + "?x=1" }, "url: must not contain a query or a fragment"},
		{"display name", func(c *Config) { c.Channel = "Town Square" },
			`channel: "Town Square" is not a channel name: want the name in the channel's URL (town-square), or @username`},
		{"two lines", func(c *Config) { c.Username = "a\nb" }, "username: must be one line of text"},
		{"icon", func(c *Config) { c.IconURL = "icon.png" }, `icon_url: must be an absolute http or https URL, got "icon.png"`},
		{"emoji", func(c *Config) { c.IconEmoji = "🔥" }, `icon_emoji: "🔥" is not an emoji name (want a name such as rotating_light)`},
		{"both icons", func(c *Config) { c.IconURL, c.IconEmoji = "https://x/i.png", "fire" },
			"icon_emoji: cannot be used together with icon_url (Mattermost shows the emoji and ignores the URL)"},
		{"post size", func(c *Config) { c.MaxPostSize = 20000 }, "max_post_size: must be between 1000 and 16383 characters, got 20000"},
		{"several", func(c *Config) { c.URL, c.MaxPostSize = "", 10 },
			"url: required (or url_file): the incoming webhook's URL, https://mattermost.example.com/hooks/<key>\nmax_post_size: must be between 1000 and 16383 characters, got 10"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := DefaultConfig()
			c.URL = goodHook
			if tt.edit != nil {
				tt.edit(&c)
			}
			var lines []string
			for _, e := range c.Validate() {
				lines = append(lines, e.Error())
			}
			got := strings.Join(lines, "\n")
			if got != tt.want {
				t.Errorf("Validate() = %q\nwant %q", got, tt.want)
			}
			if strings.Contains(got, "xq7s9ht4wbnbdpdsfhhgzbzq4c") {
				t.Errorf("the error shows the key: %s", got)
			}
		})
	}
}

func TestConfigDefaultsAndSecrets(t *testing.T) {
	t.Parallel()
	var c Config
	c.SetDefaults()
	if c.MaxPostSize != DefaultMaxPostSize || c.URL != "" {
		t.Errorf("defaults %+v", c)
	}
	c.URL = config.Secret(goodHook)
	if s := c.Secrets(); len(s) != 2 || s[0] != goodHook || s[1] != "xq7s9ht4wbnbdpdsfhhgzbzq4c" {
		t.Errorf("secrets %q", s)
	}
	if _, err := New("x", &Config{URL: "nope"}, mustTemplates(t), nil); err == nil || !strings.HasPrefix(err.Error(), "mattermost: url: ") {
		t.Errorf("New with a bad config: %v", err)
	}
}
