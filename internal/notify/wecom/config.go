package wecom

import (
	"strings"

	"github.com/heraldhq/herald/internal/config"
)

// Config is a channel's `wecom:` section: a WeCom (企业微信) group robot
// (https://developer.work.weixin.qq.com/document/path/91770).
type Config struct {
	// URL is the robot's webhook with its key (a secret).
	URL     config.Secret `yaml:"url"`
	URLFile string        `yaml:"url_file"`
	Mention *Mention      `yaml:"mention"`
	// Message is a template body (default `{{ template "wecom.herald.message" . }}`).
	Message string `yaml:"message"`
	// SendImage sends the chart as an image message after the text (default true).
	SendImage *bool `yaml:"send_image"`
	// HTTPConfig is the client of the channel's requests (proxy, TLS),
	// Prometheus' http_config.
	HTTPConfig config.HTTPClientConfig `yaml:"http_config"`
}

// Mention names who a robot message notifies.
type Mention struct {
	All     bool     `yaml:"all"`
	Mobiles []string `yaml:"mobiles"`
	UserIDs []string `yaml:"user_ids"`
}

// DefaultConfig is the section an empty `wecom:` gives.
func DefaultConfig() Config {
	return Config{SendImage: new(true), HTTPConfig: config.DefaultHTTPClientConfig()}
}

// newConfig is the section the config loader decodes into.
func newConfig() config.Section { c := DefaultConfig(); return &c }

// ImagesEnabled reports whether WeCom sends the chart as an image message.
func (c *Config) ImagesEnabled() bool { return c.SendImage == nil || *c.SendImage }

// Validate checks the webhook URL, which must carry the robot's key, and
// the mentions. Messages never show the URL.
func (c *Config) Validate() []config.FieldError {
	var errs config.FieldErrors
	if errs.CheckURL("url", string(c.URL), true, true) {
		errs.CheckURLParam("url", string(c.URL), "key", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…")
	}
	if c.Mention != nil {
		for i, m := range c.Mention.Mobiles {
			if strings.TrimSpace(m) == "" {
				errs.Add("mention.mobiles", "entry %d is empty", i)
			}
		}
	}
	return errs
}
