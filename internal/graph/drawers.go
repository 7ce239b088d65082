package graph

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/grafana"
	"github.com/heraldhq/herald/internal/graph/render"
	"github.com/heraldhq/herald/internal/prom"
)

// Querier is the part of the Prometheus client the built-in drawer uses.
type Querier interface {
	QueryRange(ctx context.Context, query string, start, end time.Time, step time.Duration, lim prom.Limits) (prom.Result, error)
}

// Builtin queries Prometheus and draws the chart in-process.
type Builtin struct {
	Prom     Querier
	Renderer *render.Renderer
	// Limits bound what the answer may cost (graph.max_response_size,
	// graph.max_series); zero fields take the client's defaults.
	Limits prom.Limits
	// Logger notes the caps being hit; nil discards.
	Logger *slog.Logger
}

// Draw implements Drawer.
func (b *Builtin) Draw(ctx context.Context, p Plan, a amtemplate.Alert) ([]byte, error) {
	res, err := b.Prom.QueryRange(ctx, p.Query, p.Start, p.End, p.Step, b.Limits)
	if err != nil {
		return nil, &QueryError{Err: err}
	}
	if res.Series > len(res.Matrix) || res.Thinned > 0 {
		if b.Logger != nil {
			b.Logger.Debug("answer capped for the chart", "query", p.Query, "series", res.Series,
				"kept", len(res.Matrix), "thinned", res.Thinned)
		}
	}
	c := render.Chart{Title: p.Title, Threshold: p.Threshold, Op: p.Op, Unit: p.Unit, MetricName: p.MetricName,
		Start: p.Start, End: p.End, FiringFrom: a.StartsAt, Resolved: a.Status == "resolved",
		Omitted: res.Series - len(res.Matrix)}
	if c.Resolved {
		c.FiringTo = a.EndsAt
	}
	for _, s := range res.Matrix {
		rs := render.Series{Labels: s.Labels, Points: make([]render.Point, len(s.Points))}
		for i, pt := range s.Points {
			rs.Points[i] = render.Point{T: pt.T, V: pt.V}
		}
		c.Series = append(c.Series, rs)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	png, err := b.Renderer.Render(c)
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	return png, nil
}

// Grafana renders through the image renderer of Grafana, with a template
// dashboard that takes the query from variables: read-only, so concurrent
// alerts never race.
type Grafana struct {
	Client *grafana.Client
	Cfg    config.GraphConfig
}

// Draw implements Drawer.
func (g *Grafana) Draw(ctx context.Context, p Plan, _ amtemplate.Alert) ([]byte, error) {
	vars := map[string]string{grafana.VarQuery: p.Query, grafana.VarTitle: p.Title, grafana.VarThreshold: grafana.NoThreshold}
	if p.Threshold != nil {
		vars[grafana.VarThreshold] = strconv.FormatFloat(*p.Threshold, 'g', -1, 64)
	}
	return g.Client.RenderPanel(ctx, grafana.PanelRequest{DashboardUID: g.Cfg.Grafana.DashboardUID,
		PanelID: g.Cfg.Grafana.PanelID, Vars: vars, From: p.Start, To: p.End,
		Width: g.Cfg.Width, Height: g.Cfg.Height, TZ: g.Cfg.Timezone, Theme: g.Cfg.Theme})
}
