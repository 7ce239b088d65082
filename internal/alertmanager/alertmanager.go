// Package alertmanager is Herald's client of the Alertmanager API v2, for
// what the chat bot needs: listing alerts with filters, and listing,
// reading, creating and expiring silences.
//
// It is written by hand rather than on Alertmanager's api/v2/client: that
// client drags go-openapi and its runtime into Herald for five calls whose
// JSON is small (alerts.go, silences.go). Requests go through the
// http_config of the alertmanager: section (internal/httpconf), so basic
// auth, bearer tokens, TLS and proxies work as in Prometheus.
//
// The client never retries. Every failure is an *Error, free of
// credentials, that says whether another attempt may succeed (IsRetryable):
// Alertmanager's own reason is quoted for a refused request (a bad matcher,
// an end time in the past), and a silence that does not exist is
// ErrNotFound.
package alertmanager

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/httpconf"
)

// DefaultMaxResponseSize bounds the body of one answer. An alert list is
// about 600 bytes an alert, so 16 MiB holds some 25,000 alerts: far more
// than a chat shows, and a bound on what a runaway Alertmanager (or a
// proxy's endless page) costs.
const DefaultMaxResponseSize = 16 << 20

// userAgent names Herald in Alertmanager's and proxies' access logs.
const userAgent = "herald"

// Client calls one Alertmanager. It is safe for concurrent use and holds
// no state between calls.
type Client struct {
	base     *url.URL
	hc       *http.Client
	timeout  time.Duration
	maxBytes int64
	// secrets are redacted from every error text.
	secrets []string
	logger  *slog.Logger
	now     func() time.Time
}

// Option changes a Client made by New.
type Option func(*Client)

// WithMaxResponseSize sets the largest answer read (default
// DefaultMaxResponseSize).
func WithMaxResponseSize(n int64) Option {
	return func(c *Client) {
		if n > 0 {
			c.maxBytes = n
		}
	}
}

// WithClock sets the clock that dates a silence created without a start
// (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *Client) {
		if now != nil {
			c.now = now
		}
	}
}

// New makes a client of cfg.URL, Alertmanager's base URL (with the path
// prefix of --web.route-prefix, if any). It builds the transport of
// cfg's http_config now, so a bad certificate is reported at start-up and
// at reload rather than at the first command. A nil logger discards logs.
func New(cfg config.AlertmanagerConfig, logger *slog.Logger, opts ...Option) (*Client, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.URL == "" {
		return nil, errors.New("alertmanager: no url configured")
	}
	// url.Parse quotes its input in errors, and the input may hold a
	// password: only the cause is kept.
	u, err := url.Parse(strings.TrimRight(cfg.URL, "/"))
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return nil, fmt.Errorf("alertmanager: invalid url: %v", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, errors.New("alertmanager: url must be an absolute http or https URL")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		// Whatever is in the URL is printed wherever the URL is.
		return nil, errors.New("alertmanager: url must not contain credentials, a query or a fragment (use basic_auth or authorization)")
	}
	hc, err := httpconf.Client(cfg.HTTP, "alertmanager", promconfig.WithUserAgent(userAgent))
	if err != nil {
		return nil, fmt.Errorf("alertmanager: %w", err)
	}
	timeout := cfg.Timeout.D()
	if timeout <= 0 {
		timeout = config.DefaultAlertmanagerConfig().Timeout.D()
	}
	c := &Client{
		base:     u,
		hc:       hc,
		timeout:  timeout,
		maxBytes: DefaultMaxResponseSize,
		secrets:  httpconf.Secrets(cfg.HTTP),
		logger:   logger.With("component", "alertmanager"),
		now:      time.Now,
	}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Close releases the client's idle connections. Call it when a reload has
// replaced the client; a client in use keeps working after Close.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

// String names the client without its credentials (New refuses a URL that
// holds any), so that %v of a Client in a log line or a panic cannot leak
// them. Value receivers cover *Client and Client.
func (c Client) String() string {
	if c.base == nil {
		return "alertmanager (not configured)"
	}
	return "alertmanager at " + c.base.String()
}

// GoString hides the credentials from %#v as String does from %v.
func (c Client) GoString() string { return c.String() }

// LogValue hides the credentials from log/slog.
func (c Client) LogValue() slog.Value { return slog.StringValue(c.String()) }
