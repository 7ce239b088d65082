package graph

import (
	"context"
	"fmt"
	"log/slog"
	"math"
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
func (b *Builtin) Draw(ctx context.Context, p Plan, a amtemplate.Alert) (Drawing, error) {
	// Series thresholds are queried alongside the chart's own query.
	limits := make([]chan []render.Series, len(p.Thresholds))
	for i, t := range p.Thresholds {
		if t.Query != "" {
			limits[i] = make(chan []render.Series, 1)
			go func() { limits[i] <- b.thresholdSeries(ctx, p, t.Query) }()
		}
	}
	res, err := b.Prom.QueryRange(ctx, p.Query, p.Start, p.End, p.Step, b.Limits)
	if err != nil {
		return Drawing{}, &QueryError{Err: err}
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
	c.Series = series(res)
	for i, t := range p.Thresholds {
		rt := render.Threshold{Op: t.Op, Value: t.Value}
		if limits[i] != nil {
			rt.Series = <-limits[i]
		}
		c.Thresholds = append(c.Thresholds, rt)
	}
	if err := ctx.Err(); err != nil {
		return Drawing{}, err
	}
	png, err := b.Renderer.Render(c)
	if err != nil {
		return Drawing{}, fmt.Errorf("render: %w", err)
	}
	return Drawing{PNG: png, Value: currentValue(c.Series, p.Op)}, nil
}

// currentValue is the last value of the alert's series: the one series the
// query gives for the alert after its labels were injected; when there are
// several, the one furthest past the threshold's side (the lowest for < and
// <=, else the highest), as the alert itself would pick. nil without data.
func currentValue(ss []render.Series, op string) *float64 {
	var best *float64
	low := op == "<" || op == "<="
	for _, s := range ss {
		if len(s.Points) == 0 {
			continue
		}
		v := s.Points[len(s.Points)-1].V
		if math.IsNaN(v) {
			continue
		}
		if best == nil || (low && v < *best) || (!low && v > *best) {
			best = &v
		}
	}
	return best
}

// thresholdSeries queries a series threshold. It costs only its own line:
// on failure the chart goes without it.
func (b *Builtin) thresholdSeries(ctx context.Context, p Plan, query string) []render.Series {
	res, err := b.Prom.QueryRange(ctx, query, p.Start, p.End, p.Step, b.Limits)
	if err != nil {
		if b.Logger != nil {
			b.Logger.Debug("chart goes without its threshold series", "query", query, "err", err)
		}
		return nil
	}
	return series(res)
}

// series converts a query answer for the renderer.
func series(res prom.Result) []render.Series {
	out := make([]render.Series, 0, len(res.Matrix))
	for _, s := range res.Matrix {
		rs := render.Series{Labels: s.Labels, Points: make([]render.Point, len(s.Points))}
		for i, pt := range s.Points {
			rs.Points[i] = render.Point{T: pt.T, V: pt.V}
		}
		out = append(out, rs)
	}
	return out
}

// Grafana renders through the image renderer of Grafana, with a template
// dashboard that takes the query from variables: read-only, so concurrent
// alerts never race.
type Grafana struct {
	Client *grafana.Client
	Cfg    config.GraphConfig
}

// Draw implements Drawer.
// The value is not known: Grafana returns only the picture.
func (g *Grafana) Draw(ctx context.Context, p Plan, _ amtemplate.Alert) (Drawing, error) {
	vars := map[string]string{grafana.VarQuery: p.Query, grafana.VarTitle: p.Title, grafana.VarThreshold: grafana.NoThreshold}
	if p.Threshold != nil {
		vars[grafana.VarThreshold] = strconv.FormatFloat(*p.Threshold, 'g', -1, 64)
	}
	png, err := g.Client.RenderPanel(ctx, grafana.PanelRequest{DashboardUID: g.Cfg.Grafana.DashboardUID,
		PanelID: g.Cfg.Grafana.PanelID, Vars: vars, From: p.Start, To: p.End,
		Width: g.Cfg.Width, Height: g.Cfg.Height, TZ: g.Cfg.Timezone, Theme: g.Cfg.Theme})
	return Drawing{PNG: png}, err
}
