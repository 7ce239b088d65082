package promql

import (
	"fmt"
	"slices"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// identifying returns the labels that pick the alert's own series out of the query, with the
// values the alert carries: the configured match labels plus the grouping of the outermost
// `by (...)` aggregation, whose labels are by construction the ones that reach the alert. Other
// alert labels are left out: a rule's static labels (severity, team) look like any other label
// but exist on no series, and injecting one would select nothing.
func identifying(q parser.Expr, matchLabels []string, alert map[string]string) map[string]string {
	names := slices.Clone(matchLabels)
	if agg := outermostAggregation(q); agg != nil && !agg.Without {
		names = append(names, agg.Grouping...)
	}
	values := map[string]string{}
	for _, n := range names {
		// Prometheus drops labels with an empty value, so an empty value means the label is
		// absent; the metric name is not an identity to narrow a chart to.
		if v := alert[n]; n != "" && n != labels.MetricName && v != "" {
			values[n] = v
		}
	}
	return values
}

// outermostAggregation is the aggregation nearest to the root (breadth first, leftmost on a tie).
func outermostAggregation(root parser.Expr) *parser.AggregateExpr {
	queue := []parser.Node{root}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if agg, ok := n.(*parser.AggregateExpr); ok {
			return agg
		}
		queue = append(queue, parser.Children(n)...)
	}
	return nil
}

// injector narrows the selectors of a query to one alert's series.
type injector struct {
	values map[string]string // identifying label -> the alert's value
	done   map[string]bool   // labels injected into at least one selector
}

// walk injects into the selectors under e the labels of keep: those that reach the result of the
// whole query from e with their value unchanged. Filtering such a label at the selector filters the
// result in the same way and changes nothing else; every other label stays out of that subtree,
// which keeps a rewritten query's values those of the original.
func (in *injector) walk(e parser.Expr, keep []string) error {
	if len(keep) == 0 {
		return nil
	}
	switch n := e.(type) {
	case *parser.VectorSelector:
		return in.inject(n, keep)
	case *parser.MatrixSelector:
		return in.walk(n.VectorSelector, keep)
	case *parser.SubqueryExpr:
		return in.walk(n.Expr, keep)
	case *parser.ParenExpr:
		return in.walk(n.Expr, keep)
	case *parser.UnaryExpr:
		return in.walk(n.Expr, keep)
	case *parser.NumberLiteral, *parser.StringLiteral:
		return nil
	case *parser.AggregateExpr:
		// The parameter (topk's k, quantile's φ) is a scalar computed over all series; narrowing
		// a selector inside it would change it, so it gets nothing.
		return in.walk(n.Expr, filter(keep, func(l string) bool {
			return grouped(n, l) && !countValuesTarget(n, l)
		}))
	case *parser.Call:
		return in.call(n, keep)
	case *parser.BinaryExpr:
		return in.binary(n, keep)
	}
	return fmt.Errorf("unsupported expression %T", e)
}

// inject replaces the matchers of keep's labels with equality matchers for the alert's values.
// Offsets and @ modifiers live on the selector, not in its matchers, and stay as they are.
func (in *injector) inject(vs *parser.VectorSelector, keep []string) error {
	ms := make([]*labels.Matcher, 0, len(vs.LabelMatchers)+len(keep))
	for _, m := range vs.LabelMatchers {
		if !slices.Contains(keep, m.Name) {
			ms = append(ms, m)
		}
	}
	for _, l := range keep {
		m, err := labels.NewMatcher(labels.MatchEqual, l, in.values[l])
		if err != nil {
			return fmt.Errorf("matcher %s: %w", l, err)
		}
		ms = append(ms, m)
		in.done[l] = true
	}
	vs.LabelMatchers = ms
	return nil
}

// grouped reports whether an aggregation keeps label l apart: then the aggregation of l's series
// does not depend on the other series, and filtering l below it equals filtering its result. This
// also holds for topk and friends, which select within each group.
func grouped(agg *parser.AggregateExpr, l string) bool {
	return slices.Contains(agg.Grouping, l) != agg.Without
}

// countValuesTarget reports whether count_values writes the sample values into label l.
func countValuesTarget(agg *parser.AggregateExpr, l string) bool {
	s, ok := unparen(agg.Param).(*parser.StringLiteral)
	return agg.Op == parser.COUNT_VALUES && (!ok || s.Val == l)
}

func filter(keep []string, ok func(string) bool) []string {
	var out []string
	for _, l := range keep {
		if ok(l) {
			out = append(out, l)
		}
	}
	return out
}

// without returns keep minus l.
func without(keep []string, l string) []string {
	return filter(keep, func(k string) bool { return k != l })
}
