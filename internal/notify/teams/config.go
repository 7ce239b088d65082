package teams

import "github.com/heraldhq/herald/internal/config"

// Config is a channel's `teams:` section: a Microsoft Teams workflow
// ("Post to a channel when a webhook request is received") webhook.
type Config struct {
	URL     config.Secret `yaml:"url"`
	URLFile string        `yaml:"url_file"`
	// Title and Message are template bodies (defaults `teams.herald.title`, `teams.herald.message`).
	Title   string `yaml:"title"`
	Message string `yaml:"message"`
	// HTTPConfig is the client of the channel's requests (proxy, TLS),
	// Prometheus' http_config.
	HTTPConfig config.HTTPClientConfig `yaml:"http_config"`
}

// DefaultConfig is the section an empty `teams:` gives.
func DefaultConfig() Config { return Config{HTTPConfig: config.DefaultHTTPClientConfig()} }

// newConfig is the section the config loader decodes into.
func newConfig() config.Section { c := DefaultConfig(); return &c }

// Validate checks the workflow's URL without ever showing it (its sig
// parameter is the secret).
func (c *Config) Validate() []config.FieldError {
	var errs config.FieldErrors
	errs.CheckURL("url", string(c.URL), true, true)
	return errs
}
