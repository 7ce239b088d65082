// Package httpconf builds the HTTP clients of Herald's outgoing calls
// (Prometheus, Grafana, S3, chat platforms) from an http_config, the one
// place that does, so that every call honours the same keys: proxies,
// TLS, authorization, OAuth2, headers and redirects, as Prometheus and
// Alertmanager do with prometheus/common/config.
package httpconf

import (
	"fmt"
	"net/http"

	promconfig "github.com/prometheus/common/config"

	"github.com/heraldhq/herald/internal/config"
)

// RoundTripper builds the transport of cfg for the caller called name
// (a label of prometheus/common's connection tracking). cfg must have
// been checked by the config loader, which makes its file paths absolute;
// files are read at each request, so renewed credentials and certificates
// are picked up without a reload. Platforms wrap it with their own
// RoundTrippers (request signing).
func RoundTripper(cfg config.HTTPClientConfig, name string, opts ...promconfig.HTTPClientOption) (http.RoundTripper, error) {
	rt, err := promconfig.NewRoundTripperFromConfig(cfg.HTTPClientConfig, name, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: http_config: %w", name, err)
	}
	return rt, nil
}

// Client builds a client on RoundTripper(cfg, name) that follows
// redirects only when cfg.FollowRedirects is set. A caller that must not
// follow them whatever the file says (a URL carrying a token) sets its own
// CheckRedirect.
func Client(cfg config.HTTPClientConfig, name string, opts ...promconfig.HTTPClientOption) (*http.Client, error) {
	rt, err := RoundTripper(cfg, name, opts...)
	if err != nil {
		return nil, err
	}
	c := &http.Client{Transport: rt}
	if !cfg.FollowRedirects {
		c.CheckRedirect = NoRedirect
	}
	return c, nil
}

// NoRedirect is a CheckRedirect that hands the redirect back to the
// caller instead of following it.
func NoRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
