package graph

import (
	"context"
	"errors"
	"fmt"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/graph/promql"
	"github.com/heraldhq/herald/internal/graph/source"
	"github.com/heraldhq/herald/internal/graph/unit"
)

// QueryChart is a chart asked for in chat (/graph, /chart): an expression
// over the last Range, with optional threshold lines.
type QueryChart struct {
	Title string
	// Local draws from Herald's collected history (Query is a selector).
	Local      bool
	Query      string
	Unit       string // a Grafana unit id; "" to find it from Query
	Thresholds []float64
	Range      time.Duration
}

// ErrNoSource says that the chart asked for has nowhere to come from:
// Prometheus for queries (prometheus.url), the history for local ones.
var ErrNoSource = errors.New("no data source for this chart (prometheus.url, or collectors for local charts)")

// ErrNoExpression says that the alert's expression could not be found
// (its rule is gone, or it carries no generator URL).
var ErrNoExpression = errors.New("the alert's expression is not known")

// Query draws c. Unlike an alert's chart it is neither cached nor hosted:
// the bot uploads the PNG itself.
func (e *Enricher) Query(ctx context.Context, c QueryChart) ([]byte, error) {
	ctx, cancel := budget(ctx, e.cfg.Timeout.D())
	defer cancel()
	now := e.now()
	u := c.Unit
	if u == "" {
		u = unit.OfQuery(c.Query)
	}
	p := Plan{Title: c.Title, Query: c.Query, Start: now.Add(-c.Range), End: now, Step: promql.Step(c.Range),
		MetricName: MetricName(c.Query), Unit: u, Found: source.Found{Expr: c.Query, Origin: "chat"}}
	if p.Title == "" {
		p.Title = c.Query
	}
	for i := range c.Thresholds {
		v := c.Thresholds[i]
		p.Thresholds = append(p.Thresholds, promql.Threshold{Op: ">", Value: &v})
	}
	drawer := e.drawer
	if c.Local {
		drawer = e.local
	}
	if drawer == nil {
		return nil, ErrNoSource
	}
	d, err := drawer.Draw(ctx, p, amtemplate.Alert{})
	if err != nil {
		return nil, err
	}
	return d.PNG, nil
}

// Redraw draws the chart of alert a over the last rng (the 6h / 24h / 7d
// buttons under an alert), found and rewritten as for its notification.
func (e *Enricher) Redraw(ctx context.Context, a amtemplate.Alert, rng time.Duration) ([]byte, error) {
	ctx, cancel := budget(ctx, e.cfg.Timeout.D())
	defer cancel()
	found, drawer, err := e.find(ctx, a)
	if drawer == nil {
		return nil, ErrNoSource
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoExpression, err)
	}
	if found.Expr == "" {
		return nil, ErrNoExpression
	}
	found.Range = rng
	g := e.cfg
	// The window is the button's: no wider to take in a long episode.
	g.MinRange, g.MaxRange = config.Duration(rng), config.Duration(rng)
	p := MakePlan(&g, a, found, e.now())
	d, err := drawer.Draw(ctx, p, a)
	if err != nil {
		return nil, err
	}
	return d.PNG, nil
}
