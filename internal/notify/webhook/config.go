package webhook

import (
	"golang.org/x/net/http/httpguts"

	"github.com/heraldhq/herald/internal/config"
)

// DefaultSignatureHeader is the header that carries the body's signature.
const DefaultSignatureHeader = "X-Herald-Signature"

// Config is a channel's `webhook:` section: Herald's event JSON posted to
// any HTTP endpoint.
type Config struct {
	URL     config.Secret            `yaml:"url"`
	URLFile string                   `yaml:"url_file"`
	Headers map[string]config.Secret `yaml:"headers"`
	// HMACSecret signs the body: header SignatureHeader carries
	// "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)) and
	// X-Herald-Timestamp the timestamp.
	HMACSecret      config.Secret `yaml:"hmac_secret"`
	HMACSecretFile  string        `yaml:"hmac_secret_file"`
	SignatureHeader string        `yaml:"signature_header"`
	// HTTPConfig is the client of the webhook's requests (proxy, TLS,
	// authorization, OAuth2), Prometheus' http_config.
	HTTPConfig config.HTTPClientConfig `yaml:"http_config"`
}

// DefaultConfig is the section an empty `webhook:` gives.
func DefaultConfig() Config {
	return Config{SignatureHeader: DefaultSignatureHeader, HTTPConfig: config.DefaultHTTPClientConfig()}
}

// newConfig is the section the config loader decodes into.
func newConfig() config.Section { c := DefaultConfig(); return &c }

// Validate checks the URL (never shown), the headers and the signature
// header's name.
func (c *Config) Validate() []config.FieldError {
	var errs config.FieldErrors
	errs.CheckURL("url", string(c.URL), true, true)
	// The values may be sent on every request, so they are checked as
	// Prometheus' headers are; Herald's own headers win over them.
	errs.CheckHeaders("headers", c.Headers)
	switch h := c.SignatureHeader; {
	case h == "":
		errs.Add("signature_header", "must not be empty")
	case !httpguts.ValidHeaderFieldName(h):
		errs.Add("signature_header", "invalid header name %q", h)
	}
	return errs
}
