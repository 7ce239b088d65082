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

// Build makes the enricher a configuration asks for, or nil when charts are
// off (no prometheus.url, or graph.enabled: false).
func Build(cfg *config.Config, m *Metrics, pub Publisher, logger *slog.Logger) (*Enricher, error) {
	if !cfg.GraphEnabled() {
		return nil, nil
	}
	pc, err := prom.New(cfg.Prometheus, logger, prom.WithMaxResponseSize(int64(cfg.Graph.ResponseSizeLimit())))
	if err != nil {
		return nil, fmt.Errorf("prometheus: %w", err)
	}
	drawer, err := NewDrawer(cfg, pc, logger)
	if err != nil {
		return nil, err
	}
	src := source.New(pc, cfg.Prometheus.RulesCacheTTL.D(), time.Now)
	e := NewEnricher(cfg.Graph, src, drawer, m, logger.With("component", "graph"))
	e.publisher = pub
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
