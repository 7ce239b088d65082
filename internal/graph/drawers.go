package graph

import (
	"context"
	"fmt"
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
	QueryRange(ctx context.Context, query string, start, end time.Time, step time.Duration) (prom.Matrix, error)
}

// Builtin queries Prometheus and draws the chart in-process.
type Builtin struct {
	Prom     Querier
	Renderer *render.Renderer
}

// Draw implements Drawer.
func (b *Builtin) Draw(ctx context.Context, p Plan, a amtemplate.Alert) ([]byte, error) {
	m, err := b.Prom.QueryRange(ctx, p.Query, p.Start, p.End, p.Step)
	if err != nil {
		return nil, &QueryError{Err: err}
	}
	c := render.Chart{Title: p.Title, Threshold: p.Threshold, Op: p.Op, Unit: p.Unit, MetricName: p.MetricName,
		Start: p.Start, End: p.End, FiringFrom: a.StartsAt, Resolved: a.Status == "resolved"}
	if c.Resolved {
		c.FiringTo = a.EndsAt
	}
	for _, s := range m {
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
