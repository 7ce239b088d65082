package prom

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/heraldhq/herald/internal/config"
)

// userAgent names Herald to the server, for its access logs.
const userAgent = "herald"

// newTransport builds the round-tripper chain: Herald's headers (custom
// ones, then authentication, which wins) over an http.Transport with the
// configured TLS. Credentials are resolved once: the config loader has
// already read every *_file, and a reload builds a new client.
func newTransport(cfg config.PrometheusConfig) (http.RoundTripper, error) {
	tlsCfg, err := cfg.TLS.ClientConfig()
	if err != nil {
		return nil, err
	}
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.TLSClientConfig = tlsCfg
	h := http.Header{}
	h.Set("User-Agent", userAgent)
	for name, v := range cfg.Headers {
		h.Set(name, string(v))
	}
	switch {
	case cfg.BasicAuth != nil:
		h.Set("Authorization", "Basic "+basicAuth(cfg.BasicAuth))
	case cfg.BearerToken != "":
		h.Set("Authorization", "Bearer "+string(cfg.BearerToken))
	}
	return &headerTransport{next: base, headers: h}, nil
}

// basicAuth is the credential part of a Basic Authorization header.
func basicAuth(ba *config.BasicAuth) string {
	return base64.StdEncoding.EncodeToString([]byte(ba.Username + ":" + string(ba.Password)))
}

// headerTransport sets fixed headers on every request.
type headerTransport struct {
	next    http.RoundTripper
	headers http.Header
}

// RoundTrip clones the request before changing it, as the RoundTripper
// contract requires (the caller may reuse it, e.g. for the GET fallback).
func (t *headerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	for name, vs := range t.headers {
		r.Header[name] = vs
	}
	return t.next.RoundTrip(r)
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// transport through the header layer.
func (t *headerTransport) CloseIdleConnections() {
	if ci, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// redactor removes credentials from error texts. Prometheus and the
// proxies in front of it sometimes echo a request back (an auth proxy's
// "invalid token Bearer …"), so every error is filtered, not only the ones
// Herald builds.
type redactor struct {
	secrets []string
}

func newRedactor(cfg config.PrometheusConfig) *redactor {
	var s []string
	if cfg.BearerToken != "" {
		s = append(s, string(cfg.BearerToken))
	}
	if ba := cfg.BasicAuth; ba != nil {
		// The encoded form is what travels, so it is what gets echoed.
		s = append(s, basicAuth(ba))
		if ba.Password != "" {
			s = append(s, string(ba.Password))
		}
	}
	for _, v := range cfg.Headers {
		if len(v) >= config.MinRedactedHeaderValue {
			s = append(s, string(v))
		}
	}
	return &redactor{secrets: s}
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
