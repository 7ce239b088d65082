// Package promql turns an alerting rule's expression into the query Herald charts for one alert,
// and chooses the time window of that chart.
//
// The rewriting works on the syntax tree of github.com/prometheus/prometheus/promql/parser, never on
// the text: PromQL has strings, quoted label names and nested parentheses that no regular expression
// handles. Every rewrite is conservative: when a step could change what the query means, that step is
// skipped or the original expression is charted as it is. A chart is an enrichment, so a bad rewrite
// must never be worse than no rewrite.
package promql

import (
	"fmt"
	"slices"

	"github.com/prometheus/prometheus/promql/parser"
)

// defaultMatchLabel is the identifying label when the caller configures none: it names the scrape
// target, which is what "the failing instance" means for most rules.
const defaultMatchLabel = "instance"

// Result is the query to chart for one alert, and what was learned from the rule on the way.
type Result struct {
	// Query is what to chart. It parses whenever the input parses; it is the input itself when
	// Rewritten is false.
	Query string
	// Threshold is the number of the comparison removed from the expression, nil when none.
	Threshold *float64
	// Op is the comparison operator as the chart should read it, with the metric on the left
	// (">", ">=", "<", "<=", "==", "!="); "" when there is no threshold.
	Op string
	// Injected lists, sorted, the label names whose equality matchers were injected.
	Injected []string
	// Rewritten is false when the expression is charted as it is.
	Rewritten bool
	// Reason says why the expression was not rewritten (for logs and herald explain); "" when it was.
	Reason string
}

// Rewrite turns an alerting rule's expression into the query to chart for one alert.
//
// It removes a top-level comparison against a number (keeping it as the threshold), keeps only the
// left side of a top-level and/unless, and injects equality matchers for the alert's identifying
// labels: matchLabels ("instance" when nil; an empty non-nil slice means none) plus the labels
// of the outermost `by (...)` aggregation, with the values the alert carries. A label is injected
// only into selectors from which it reaches the result unchanged, so the injection filters the
// result and never changes it otherwise. Rewrite never panics and never returns an error: on any
// doubt it returns the input with Rewritten false and a Reason.
func Rewrite(expr string, alertLabels map[string]string, matchLabels []string) (res Result) {
	defer func() {
		// The parser and the tree are third-party code fed with outside input; a panic there must
		// cost the chart, never the alert.
		if r := recover(); r != nil {
			res = unchanged(expr, fmt.Sprintf("internal error: %v", r))
		}
	}()
	p := parser.NewParser(parser.Options{})
	root, err := p.ParseExpr(expr)
	if err != nil {
		return unchanged(expr, fmt.Sprintf("parse: %v", err))
	}
	if t := root.Type(); t != parser.ValueTypeVector && t != parser.ValueTypeScalar {
		return unchanged(expr, fmt.Sprintf("a %s expression cannot be charted", t))
	}

	q, thr, op, changed := splitThreshold(root)
	if matchLabels == nil {
		matchLabels = []string{defaultMatchLabel}
	}
	values := identifying(q, matchLabels, alertLabels)
	inj := injector{values: values, done: map[string]bool{}}
	if err := inj.walk(q, sortedKeys(values)); err != nil {
		return unchanged(expr, err.Error())
	}
	if !changed && len(inj.done) == 0 {
		return unchanged(expr, "nothing to rewrite: no threshold, no filter and no label to inject")
	}

	out := q.String()
	// The printer is meant to round-trip, but label values from alerts can hold anything; checking
	// is cheaper than trusting.
	again, err := p.ParseExpr(out)
	if err != nil {
		return unchanged(expr, fmt.Sprintf("rewritten query does not parse: %v", err))
	}
	if again.String() != out {
		return unchanged(expr, "rewritten query does not print back the same")
	}
	return Result{
		Query:     out,
		Threshold: thr,
		Op:        op,
		Injected:  sortedKeys(inj.done),
		Rewritten: true,
	}
}

// unchanged is the answer for an expression charted as it is.
func unchanged(expr, reason string) Result {
	return Result{Query: expr, Reason: reason}
}

// sortedKeys returns m's keys in order, nil when there are none.
func sortedKeys[V any](m map[string]V) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// unparen removes parentheses around a top-level expression, where they cannot matter.
func unparen(e parser.Expr) parser.Expr {
	for {
		p, ok := e.(*parser.ParenExpr)
		if !ok {
			return e
		}
		e = p.Expr
	}
}
