package dingtalk

import (
	"strings"

	"github.com/heraldhq/herald/internal/config"
)

// Config is a channel's `dingtalk:` section: a DingTalk custom robot
// (https://open.dingtalk.com/document/robots/custom-robot-access).
type Config struct {
	// URL is the robot's webhook with its access_token (a secret).
	URL     config.Secret `yaml:"url"`
	URLFile string        `yaml:"url_file"`
	// Secret signs requests when the robot's "additional signature"
	// security setting is on.
	Secret     config.Secret `yaml:"secret"`
	SecretFile string        `yaml:"secret_file"`
	// Mention asks DingTalk to notify people.
	Mention *Mention `yaml:"mention"`
	// Title and Message are template bodies (defaults:
	// `{{ template "dingtalk.herald.title" . }}`, `{{ template "dingtalk.herald.message" . }}`).
	Title   string `yaml:"title"`
	Message string `yaml:"message"`
	// HTTPConfig is the client of the robot's requests (proxy, TLS),
	// Prometheus' http_config.
	HTTPConfig config.HTTPClientConfig `yaml:"http_config"`
}

// Mention names who a robot message notifies.
type Mention struct {
	All     bool     `yaml:"all"`
	Mobiles []string `yaml:"mobiles"`
	UserIDs []string `yaml:"user_ids"`
}

// DefaultConfig is the section an empty `dingtalk:` gives.
func DefaultConfig() Config { return Config{HTTPConfig: config.DefaultHTTPClientConfig()} }

// newConfig is the section the config loader decodes into.
func newConfig() config.Section { c := DefaultConfig(); return &c }

// Validate checks the webhook URL, which must carry the robot's
// access_token, and the mentions. Messages never show the URL.
func (c *Config) Validate() []config.FieldError {
	var errs config.FieldErrors
	if errs.CheckURL("url", string(c.URL), true, true) {
		errs.CheckURLParam("url", string(c.URL), "access_token", "https://oapi.dingtalk.com/robot/send?access_token=…")
	}
	if c.Mention != nil {
		checkMobiles(&errs, c.Mention.Mobiles)
	}
	return errs
}

// checkMobiles refuses empty mobile numbers, which DingTalk drops
// silently.
func checkMobiles(errs *config.FieldErrors, mobiles []string) {
	for i, m := range mobiles {
		if strings.TrimSpace(m) == "" {
			errs.Add("mention.mobiles", "entry %d is empty", i)
		}
	}
}
