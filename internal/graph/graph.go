package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/graph/source"
	"github.com/heraldhq/herald/internal/graph/unit"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/prom"
)

// Failure reasons, the values of herald_graph_failures_total's label.
const (
	ReasonNoQuery    = "no_query"
	ReasonPrometheus = "prometheus"
	ReasonRender     = "render"
	ReasonTimeout    = "timeout"
	// ReasonTooLarge is a Prometheus answer over graph.max_response_size
	// (or the rules answer over its own cap).
	ReasonTooLarge = "too_large"
)

// Drawer turns a plan into a PNG: the built-in renderer after a Prometheus
// query, or Grafana's image renderer.
type Drawer interface {
	Draw(ctx context.Context, p Plan, a amtemplate.Alert) (Drawing, error)
}

// Drawing is what a drawer made of a plan.
type Drawing struct {
	PNG []byte
	// Value is the current value of the charted query for the alert's
	// series (the last point drawn), nil when the drawer does not know it.
	Value *float64
}

// Finder finds the expression of an alert.
type Finder interface {
	Find(ctx context.Context, a amtemplate.Alert) (source.Found, error)
}

// Publisher hosts a PNG and returns a link to it.
type Publisher interface {
	Publish(png []byte) (string, error)
}

// Enricher makes charts for alert events within a budget and renders each
// event once, whatever the number of channels it goes to.
type Enricher struct {
	cfg    config.GraphConfig
	finder Finder
	drawer Drawer
	// local draws from Herald's own history (the collectors' alerts,
	// charts of source local); nil without collectors.
	local   Drawer
	logger  *slog.Logger
	now     func() time.Time
	metrics *Metrics
	// publisher hosts charts for platforms that take images by URL; nil
	// when Herald has no external_url.
	publisher Publisher
	mu        sync.Mutex
	entries   map[string]*entry
}

// entry is one event's chart, shared by the channels that wait for it.
type entry struct {
	done    chan struct{}
	img     *notify.Image
	expires time.Time
}

// Annotations of the alerts Herald raises itself (the collectors'): their
// chart is drawn from the history with the selector in herald_query.
const (
	AnnotationSource = "herald_source"
	SourceLocal      = "local"
	AnnotationQuery  = "herald_query"
)

// find is the expression of a and the drawer that draws it: the history's
// for an alert of the collectors, else Prometheus'. A nil drawer means no
// chart can be drawn for a.
func (e *Enricher) find(ctx context.Context, a amtemplate.Alert) (source.Found, Drawer, error) {
	if a.Annotations[AnnotationSource] == SourceLocal {
		if e.local == nil {
			return source.Found{}, nil, nil
		}
		return source.Found{Expr: a.Annotations[AnnotationQuery], Origin: "collected history"}, e.local, nil
	}
	if e.finder == nil {
		return source.Found{}, nil, nil
	}
	found, err := e.finder.Find(ctx, a)
	return found, e.drawer, err
}

// cacheTTL keeps a chart for the other destinations of the same event.
const cacheTTL = 10 * time.Minute

// Metrics are the chart metrics; made once per process, they outlive the
// enrichers that reloads replace.
type Metrics struct {
	failed *prometheus.CounterVec
	took   prometheus.Histogram
}

// NewMetrics registers the chart metrics.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_graph_failures_total",
			Help: "Alerts delivered without a chart, by reason (no_query, prometheus, too_large, render, timeout).",
		}, []string{"reason"}),
		took: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "herald_graph_duration_seconds",
			Help:    "Time to make one chart: rule lookup, query and render.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
	}
	for _, r := range []string{ReasonNoQuery, ReasonPrometheus, ReasonTooLarge, ReasonRender, ReasonTimeout} {
		m.failed.WithLabelValues(r)
	}
	if reg != nil {
		reg.MustRegister(m.failed, m.took)
	}
	return m
}

// NewEnricher makes an enricher around a finder and a drawer.
func NewEnricher(cfg config.GraphConfig, finder Finder, drawer Drawer, m *Metrics, logger *slog.Logger) *Enricher {
	if m == nil {
		m = NewMetrics(nil)
	}
	return &Enricher{cfg: cfg, finder: finder, drawer: drawer, logger: logger, now: time.Now,
		entries: map[string]*entry{}, metrics: m}
}

// Image returns the chart of an alert event, or nil when there is none
// within the budget. It never returns an error: the reason is logged and
// counted, and the alert goes without a chart.
func (e *Enricher) Image(ctx context.Context, a amtemplate.Alert, kind alert.Kind) *notify.Image {
	key := a.Fingerprint + "@" + a.StartsAt.UTC().Format(time.RFC3339Nano) + "/" + string(kind)
	e.mu.Lock()
	now := e.now()
	for k, en := range e.entries {
		if !en.expires.IsZero() && now.After(en.expires) {
			delete(e.entries, k)
		}
	}
	en, ok := e.entries[key]
	if !ok {
		en = &entry{done: make(chan struct{})}
		e.entries[key] = en
	}
	e.mu.Unlock()
	if ok {
		select {
		case <-en.done:
			return en.img
		case <-ctx.Done():
			return nil
		}
	}
	en.img = e.make(ctx, a)
	e.mu.Lock()
	en.expires = e.now().Add(cacheTTL)
	e.mu.Unlock()
	close(en.done)
	return en.img
}

func (e *Enricher) make(parent context.Context, a amtemplate.Alert) *notify.Image {
	start := time.Now()
	ctx, cancel := budget(parent, e.cfg.Timeout.D())
	defer cancel()
	defer func() { e.metrics.took.Observe(time.Since(start).Seconds()) }()
	logger := e.logger.With("alertname", a.Labels["alertname"], "fingerprint", a.Fingerprint)
	found, drawer, err := e.find(ctx, a)
	if drawer == nil {
		return nil // charts come from the history only, and this alert is not the collectors'
	}
	if err != nil || found.Expr == "" {
		e.fail(logger, tooLargeOr(err, ReasonNoQuery), ctx, fmt.Errorf("no expression to chart: %w", errOr(err)))
		return nil
	}
	p := MakePlan(&e.cfg, a, found, e.now())
	if !p.Rewrite.Rewritten {
		logger.Debug("charting the expression as it is", "reason", p.Rewrite.Reason)
	}
	drawing, err := drawer.Draw(ctx, p, a)
	png := drawing.PNG
	if err != nil {
		var qe *QueryError
		reason := ReasonRender
		if errors.As(err, &qe) {
			reason = tooLargeOr(err, ReasonPrometheus)
		}
		e.fail(logger, reason, ctx, err)
		return nil
	}
	logger.Debug("chart rendered", "query", p.Query, "took", time.Since(start).Round(time.Millisecond))
	img := &notify.Image{PNG: png, Width: e.cfg.Width, Height: e.cfg.Height, Alt: p.Title,
		Query: p.Query, Threshold: p.Threshold, Op: p.Op, Unit: p.Unit}
	if v := drawing.Value; v != nil {
		img.Value, img.ValueText = v, unit.Format(p.Unit, *v)
	}
	for _, t := range p.Thresholds {
		img.Thresholds = append(img.Thresholds, notify.Threshold{Op: t.Op, Value: t.Value, Query: t.Query})
	}
	if e.publisher != nil {
		// A hosting failure costs only the platforms that need a URL.
		if u, err := e.publisher.Publish(png); err != nil {
			logger.Warn("cannot host the chart; platforms that take images by URL go without it", "err", err)
		} else {
			img.URL = u
		}
	}
	return img
}

func (e *Enricher) fail(logger *slog.Logger, reason string, ctx context.Context, err error) {
	if ctx.Err() != nil {
		reason = ReasonTimeout
	}
	e.metrics.failed.WithLabelValues(reason).Inc()
	logger.Warn("alert goes without a chart", "reason", reason, "err", err)
}

// tooLargeOr is ReasonTooLarge when err is an answer over its byte cap,
// else reason.
func tooLargeOr(err error, reason string) string {
	var tl *prom.TooLargeError
	if errors.As(err, &tl) {
		return ReasonTooLarge
	}
	return reason
}

func errOr(err error) error {
	if err == nil {
		return errors.New("none found")
	}
	return err
}

// QueryError marks a failure of the Prometheus query (as opposed to the
// render), for the failure metric.
type QueryError struct{ Err error }

func (e *QueryError) Error() string { return "query Prometheus: " + e.Err.Error() }
func (e *QueryError) Unwrap() error { return e.Err }
