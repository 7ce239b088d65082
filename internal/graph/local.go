package graph

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/heraldhq/herald/internal/prom"
	"github.com/heraldhq/herald/internal/store"
)

// History is Herald's own collected history (the store's), which charts
// of source local and the collectors' alerts are drawn from.
type History interface {
	QueryRange(ctx context.Context, name string, matchers []*labels.Matcher, from, to time.Time, maxPoints int) ([]store.HistorySeries, error)
}

// maxLocalPoints bounds a local chart's points per series, as thinning
// bounds Prometheus' answers.
const maxLocalPoints = 1000

// LocalQuerier answers the drawer's range queries from the collected
// history. A query is a selector, name{label="value", ...}: the history
// holds samples, not expressions.
type LocalQuerier struct {
	History History
}

// QueryRange implements Querier: the averages of the finest resolution
// that covers the window within the point budget.
func (q LocalQuerier) QueryRange(ctx context.Context, query string, start, end time.Time, _ time.Duration, lim prom.Limits) (prom.Result, error) {
	ms, err := parser.NewParser(parser.Options{}).ParseMetricSelector(query)
	if err != nil {
		return prom.Result{}, fmt.Errorf("a local chart takes a metric name with matchers, not %q: %w", query, err)
	}
	name := ""
	var rest []*labels.Matcher
	for _, m := range ms {
		if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
			name = m.Value
			continue
		}
		rest = append(rest, m)
	}
	if name == "" {
		return prom.Result{}, fmt.Errorf("a local chart needs a metric name: %q", query)
	}
	hs, err := q.History.QueryRange(ctx, name, rest, start, end, maxLocalPoints)
	if err != nil {
		return prom.Result{}, err
	}
	res := prom.Result{Series: len(hs)}
	for _, h := range hs {
		s := prom.Series{Labels: maps.Clone(h.Labels), Points: make([]prom.Point, 0, len(h.Points))}
		if s.Labels == nil {
			s.Labels = map[string]string{}
		}
		s.Labels[labels.MetricName] = h.Name
		for _, p := range h.Points {
			s.Points = append(s.Points, prom.Point{T: p.T, V: p.Avg})
		}
		res.Matrix = append(res.Matrix, s)
		if lim.MaxSeries > 0 && len(res.Matrix) == lim.MaxSeries {
			break
		}
	}
	return res, nil
}
