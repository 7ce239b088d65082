package graph

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/grafana"
	"github.com/heraldhq/herald/internal/graph/render"
	"github.com/heraldhq/herald/internal/graph/source"
	"github.com/heraldhq/herald/internal/prom"
)

// BuildOption adds to what Build makes.
type BuildOption func(*buildOptions)

type buildOptions struct{ history History }

// WithHistory draws the collectors' alerts and the charts of source local
// from Herald's own history, also without Prometheus.
func WithHistory(h History) BuildOption { return func(o *buildOptions) { o.history = h } }

// Build makes the enricher a configuration asks for, or nil when charts are
// off: graph.enabled false, or neither prometheus.url nor a history
// (WithHistory).
func Build(cfg *config.Config, m *Metrics, pub Publisher, logger *slog.Logger, opts ...BuildOption) (*Enricher, error) {
	var o buildOptions
	for _, f := range opts {
		f(&o)
	}
	disabled := cfg.Graph.Enabled != nil && !*cfg.Graph.Enabled
	if disabled || (!cfg.GraphEnabled() && o.history == nil) {
		return nil, nil
	}
	e := NewEnricher(cfg.Graph, nil, nil, m, logger.With("component", "graph"))
	e.publisher = pub
	if cfg.GraphEnabled() {
		pc, err := prom.New(cfg.Prometheus, logger, prom.WithMaxResponseSize(int64(cfg.Graph.ResponseSizeLimit())))
		if err != nil {
			return nil, fmt.Errorf("prometheus: %w", err)
		}
		if e.drawer, err = NewDrawer(cfg, pc, logger); err != nil {
			return nil, err
		}
		e.finder = source.New(pc, cfg.Prometheus.RulesCacheTTL.D(), time.Now)
	}
	if o.history != nil {
		r, err := NewRenderer(&cfg.Graph)
		if err != nil {
			return nil, err
		}
		e.local = &Builtin{Prom: LocalQuerier{History: o.history}, Renderer: r, Logger: logger}
	}
	return e, nil
}

// NewDrawer makes the drawer of graph.renderer.
func NewDrawer(cfg *config.Config, q Querier, logger *slog.Logger) (Drawer, error) {
	if cfg.Graph.Renderer == "grafana" {
		gc, err := grafana.New(cfg.Grafana, logger)
		if err != nil {
			return nil, fmt.Errorf("grafana: %w", err)
		}
		return &Grafana{Client: gc, Cfg: cfg.Graph}, nil
	}
	r, err := NewRenderer(&cfg.Graph)
	if err != nil {
		return nil, err
	}
	lim := prom.Limits{MaxBytes: int64(cfg.Graph.ResponseSizeLimit()), MaxSeries: cfg.Graph.MaxSeries}
	return &Builtin{Prom: q, Renderer: r, Limits: lim, Logger: logger}, nil
}

// NewRenderer makes the built-in renderer of a graph configuration.
func NewRenderer(g *config.GraphConfig) (*render.Renderer, error) {
	loc := time.UTC
	if g.Timezone != "" {
		l, err := time.LoadLocation(g.Timezone)
		if err != nil {
			return nil, fmt.Errorf("graph.timezone: %w", err)
		}
		loc = l
	}
	r, err := render.New(render.Options{Width: g.Width, Height: g.Height, Theme: g.Theme, Location: loc,
		MaxSeries: g.MaxSeries, FontFile: g.Font})
	if err != nil {
		return nil, fmt.Errorf("graph renderer: %w", err)
	}
	return r, nil
}
