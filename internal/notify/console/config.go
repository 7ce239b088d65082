package console

import "github.com/heraldhq/herald/internal/config"

// Config is a channel's `console:` section: messages printed to standard
// output.
type Config struct {
	// Message is a template body; default `{{ template "console.herald.message" . }}`.
	Message string `yaml:"message"`
}

// newConfig is the section the config loader decodes into; an empty
// `console:` is a whole section.
func newConfig() config.Section { return &Config{} }

// Validate has nothing to check: a bad template is found when templates
// are parsed.
func (c *Config) Validate() []config.FieldError { return nil }
