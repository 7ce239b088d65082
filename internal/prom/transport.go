package prom

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	promconfig "github.com/prometheus/common/config"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/httpconf"
)

// userAgent names Herald to the server, for its access logs.
const userAgent = "herald"

// newTransport builds the client of cfg's http_config (internal/httpconf),
// Herald's older headers merged into http_headers. Files named in it
// (credentials, certificates) are read at each request, so renewed ones
// are picked up without a reload.
func newTransport(cfg config.PrometheusConfig) (http.RoundTripper, error) {
	return httpconf.RoundTripper(cfg.ClientConfig(), "prometheus", promconfig.WithUserAgent(userAgent))
}

// redactor removes credentials from error texts. Prometheus and the
// proxies in front of it sometimes echo a request back (an auth proxy's
// "invalid token Bearer …"), so every error is filtered, not only the ones
// Herald builds.
type redactor struct {
	secrets []string
}

func newRedactor(cfg config.PrometheusConfig) *redactor {
	return &redactor{secrets: httpconf.Secrets(cfg.ClientConfig())}
}

// redactedError is an error whose text had secrets removed; Unwrap keeps
// errors.Is(err, context.DeadlineExceeded) and errors.As(*APIError) working.
type redactedError struct {
	msg string
	err error
}

// Error is the redacted text.
func (e *redactedError) Error() string { return e.msg }

// Unwrap returns the original error, for errors.Is and errors.As.
func (e *redactedError) Unwrap() error { return e.err }

// apply returns err with every secret replaced by <secret>, and a
// *url.Error's URL cut down to scheme, host and path: its query holds the
// whole PromQL expression, which makes logs unreadable. The *url.Error and
// *APIError inside are cleaned too (both are made afresh for each call), so
// that code reaching them with errors.As cannot print a secret either.
func (r *redactor) apply(err error) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.URL != "" {
		short := "<url>"
		if u, perr := url.Parse(ue.URL); perr == nil {
			u.User, u.RawQuery, u.Fragment = nil, "", ""
			short = u.String()
		}
		ue.URL = short
	}
	var ae *APIError
	if errors.As(err, &ae) {
		ae.Msg = r.clean(ae.Msg)
	}
	return &redactedError{msg: r.clean(err.Error()), err: err}
}

// clean replaces every secret in s.
func (r *redactor) clean(s string) string {
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, "<secret>")
	}
	return s
}
