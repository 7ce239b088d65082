// Package graph makes the chart that goes with an alert: it finds the rule's
// expression, rewrites it for the failing instance, chooses the window,
// queries Prometheus and renders the chart (built in or through Grafana),
// all within one time budget. A chart is best effort: on any failure or
// when the budget runs out the alert goes without it.
package graph

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/graph/promql"
	"github.com/heraldhq/herald/internal/graph/source"
	"github.com/heraldhq/herald/internal/graph/unit"
)

// Annotations that tune the chart of one alert rule.
const (
	// AnnotationUnit sets the unit of the chart: a Grafana unit id (see
	// package internal/graph/unit) or bytes, seconds, percent, ratio, short.
	AnnotationUnit = "herald_unit"
)

// Plan is what will be charted for one alert.
type Plan struct {
	Title      string
	Query      string
	Threshold  *float64
	Op         string
	Thresholds []promql.Threshold // all the lines; Threshold and Op are the first number
	Start, End time.Time
	Step       time.Duration
	Found      source.Found
	Rewrite    promql.Result
	MetricName string
	Unit       string // a Grafana unit id: herald_unit, else the analysis of Query
}

// MakePlan turns an alert and the expression found for it into a plan.
func MakePlan(g *config.GraphConfig, a amtemplate.Alert, found source.Found, now time.Time) Plan {
	res := promql.Rewrite(found.Expr, a.Labels, g.MatchLabels)
	resolved := a.Status == "resolved"
	start, end, step := promql.Window(found.For, found.Range, g.RangeFactor, g.MinRange.D(), g.MaxRange.D(),
		a.StartsAt, a.EndsAt, now, resolved)
	return Plan{
		Title: Title(a, g.MatchLabels), Query: res.Query, Threshold: res.Threshold, Op: res.Op,
		Thresholds: res.Thresholds, Start: start, End: end, Step: step, Found: found, Rewrite: res,
		MetricName: MetricName(res.Query), Unit: ChooseUnit(a.Annotations[AnnotationUnit], res.Query),
	}
}

// Title is the alert name followed by its identifying labels.
func Title(a amtemplate.Alert, matchLabels []string) string {
	var parts []string
	for _, l := range matchLabels {
		if v, ok := a.Labels[l]; ok && v != "" {
			parts = append(parts, fmt.Sprintf("%s=%s", l, v))
		}
	}
	sort.Strings(parts)
	name := a.Labels["alertname"]
	if len(parts) == 0 {
		return name
	}
	return name + " · " + strings.Join(parts, " ")
}

// MetricName is the name of the first metric the query selects; the
// renderer infers the unit from it (…_bytes, …_seconds).
func MetricName(query string) string {
	expr, err := parser.NewParser(parser.Options{}).ParseExpr(query)
	if err != nil {
		return ""
	}
	name := ""
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok && name == "" {
			name = vs.Name
		}
		return nil
	})
	return name
}

// Explain is the plan of `herald explain`: the rewritten query, threshold
// and window for an expression and labels, without Prometheus.
func Explain(g *config.GraphConfig, expr string, labels map[string]string, forDur, rng time.Duration, now time.Time) Plan {
	a := amtemplate.Alert{Status: "firing", Labels: labels, StartsAt: now.Add(-forDur)}
	return MakePlan(g, a, source.Found{Expr: expr, For: forDur, Range: rng, Origin: "command line"}, now)
}

// budget is the context of one enrichment.
func budget(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		d = 5 * time.Second
	}
	return context.WithTimeout(ctx, d)
}

// ChooseUnit is the Grafana unit id of a chart: the herald_unit annotation
// when the rule sets one (an unknown name is drawn as short), else the unit
// found by dimensional analysis of the query charted.
func ChooseUnit(annotation, query string) string {
	if strings.TrimSpace(annotation) != "" {
		if id, ok := unit.Normalize(annotation); ok {
			return id
		}
		return unit.Short
	}
	return unit.OfQuery(query)
}
