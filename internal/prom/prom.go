// Package prom is Herald's client for the Prometheus HTTP API, as served by
// Prometheus, Thanos, Mimir, Cortex and VictoriaMetrics. It sends requests
// through the official client's transport (client_golang's api package),
// adds Herald's authentication, TLS, per-call timeout and secret-free
// errors, and returns plain Go types so that the chart code does not depend
// on client_golang or common/model.
//
// It does not use client_golang's api/prometheus/v1 package: before Go 1.27
// that package needs github.com/json-iterator/go, which is not in Herald's
// module graph. The envelope it would decode is small (call.go).
package prom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/api"

	"github.com/heraldhq/herald/internal/config"
)

// Matrix is the result of a query: one entry per series.
type Matrix []Series

// Series is one time series. Labels include __name__ when the query keeps it.
type Series struct {
	Labels map[string]string
	Points []Point
}

// Point is one sample. V may be NaN or ±Inf, as Prometheus sends them: the
// chart decides how to draw a gap, the client does not hide it.
type Point struct {
	T time.Time
	V float64
}

// Rule is an alerting rule as /api/v1/rules reports it.
type Rule struct {
	// Name is the alert name (the alertname label of its alerts).
	Name string
	// Query is the rule's expression as Prometheus prints it.
	Query string
	// For is how long the condition must hold before the alert fires.
	For time.Duration
	// Labels are the rule's own labels (values may be templates).
	Labels map[string]string
	// Annotations are the rule's annotations, unexpanded.
	Annotations map[string]string
	// Group is the name of the rule group.
	Group string
}

// Result is a query's answer after the caps of Limits.
type Result struct {
	// Matrix holds the series kept, in the answer's order.
	Matrix Matrix
	// Series is how many series the answer held; more than len(Matrix)
	// when MaxSeries left some out.
	Series int
	// Thinned is how many of the kept series had more than MaxPoints
	// points and were thinned.
	Thinned int
}

// Client calls one Prometheus-API server. It is safe for concurrent use.
type Client struct {
	api        api.Client
	hc         *http.Client
	timeout    time.Duration
	maxBytes   int64
	rulesBytes int64
	redact     *redactor
	logger     *slog.Logger
}

// Option changes a Client made by New.
type Option func(*Client)

// WithMaxResponseSize sets the byte cap of query answers whose Limits give
// none (default DefaultMaxBytes). /api/v1/rules may take the larger of it
// and DefaultMaxRulesBytes.
func WithMaxResponseSize(n int64) Option {
	return func(c *Client) {
		if n > 0 {
			c.maxBytes = n
			c.rulesBytes = max(n, DefaultMaxRulesBytes)
		}
	}
}

// New builds a client for cfg.URL. It reads the TLS files now, so a bad
// certificate is reported at start-up (and at reload) rather than at the
// first alert. A nil logger discards logs.
func New(cfg config.PrometheusConfig, logger *slog.Logger, opts ...Option) (*Client, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.URL == "" {
		return nil, errors.New("prometheus: no url configured")
	}
	// url.Parse quotes its input in errors, and the input may carry a
	// password, so only the cause is kept.
	u, err := url.Parse(cfg.URL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("prometheus: invalid url: %v", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, errors.New("prometheus: url must be an absolute http or https URL")
	}
	if u.User != nil {
		return nil, errors.New("prometheus: url must not contain a user name or password (use basic_auth)")
	}
	rt, err := newTransport(cfg)
	if err != nil {
		return nil, fmt.Errorf("prometheus: %w", err)
	}
	c, err := api.NewClient(api.Config{Address: cfg.URL, RoundTripper: rt})
	if err != nil {
		return nil, fmt.Errorf("prometheus: %w", err)
	}
	timeout := cfg.Timeout.D()
	if timeout <= 0 {
		timeout = config.DefaultPrometheusConfig().Timeout.D()
	}
	cl := &Client{
		api: c,
		// The request is made here rather than by api.Client.Do, which
		// reads the whole body into memory before anything can look at it.
		hc:         &http.Client{Transport: rt},
		timeout:    timeout,
		maxBytes:   DefaultMaxBytes,
		rulesBytes: DefaultMaxRulesBytes,
		redact:     newRedactor(cfg),
		logger:     logger.With("component", "prometheus"),
	}
	for _, o := range opts {
		o(cl)
	}
	return cl, nil
}

// QueryRange evaluates query over [start, end] every step, within lim.
func (c *Client) QueryRange(ctx context.Context, query string, start, end time.Time, step time.Duration, lim Limits) (Result, error) {
	args := url.Values{
		"query": {query},
		"start": {formatTime(start)},
		"end":   {formatTime(end)},
		"step":  {strconv.FormatFloat(step.Seconds(), 'f', -1, 64)},
	}
	return c.query(ctx, "query_range", args, lim)
}

// Query evaluates query at one instant (now when at is zero). A vector
// comes back as one-point series, a scalar as one series without labels,
// and a range-vector selector (x[5m]) as the raw samples it selects.
func (c *Client) Query(ctx context.Context, query string, at time.Time, lim Limits) (Result, error) {
	args := url.Values{"query": {query}}
	if !at.IsZero() {
		args.Set("time", formatTime(at))
	}
	return c.query(ctx, "query", args, lim)
}

// query makes one query call and decodes its result within lim.
func (c *Client) query(ctx context.Context, op string, args url.Values, lim Limits) (Result, error) {
	q := queryDecoder{lim: lim.withDefaults(c.maxBytes)}
	if err := c.call(ctx, op, true, args, q.lim.MaxBytes, settingMaxBytes, q.decode); err != nil {
		return Result{}, err
	}
	return q.res, nil
}

// AlertingRules lists every alerting rule of every group. Recording rules
// are filtered out by the server (type=alert) where it supports that, and
// here otherwise.
func (c *Client) AlertingRules(ctx context.Context) ([]Rule, error) {
	var r rulesResult
	raise := settingMaxBytes
	if c.rulesBytes == DefaultMaxRulesBytes {
		raise += " above " + config.Bytes(DefaultMaxRulesBytes).String()
	}
	if err := c.call(ctx, "rules", false, url.Values{"type": {"alert"}}, c.rulesBytes, raise,
		func(dec *json.Decoder) error { return dec.Decode(&r) }); err != nil {
		return nil, err
	}
	var out []Rule
	for _, g := range r.Groups {
		for _, ar := range g.Rules {
			if ar.Type != "alerting" {
				continue
			}
			out = append(out, Rule{
				Name:        ar.Name,
				Query:       ar.Query,
				For:         time.Duration(ar.Duration * float64(time.Second)),
				Labels:      nonNil(ar.Labels),
				Annotations: nonNil(ar.Annotations),
				Group:       g.Name,
			})
		}
	}
	return out, nil
}

// Close releases the client's idle connections. Call it when a reload has
// replaced the client; a client in use keeps working after Close.
func (c *Client) Close() {
	c.hc.CloseIdleConnections()
}

// formatTime writes a time as Unix seconds with sub-second precision, the
// form every Prometheus-API server accepts.
func formatTime(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixNano())/1e9, 'f', -1, 64)
}

// nonNil lets callers read rule labels without a nil check.
func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
