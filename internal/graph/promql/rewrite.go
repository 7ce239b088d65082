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
	"errors"
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
	// Threshold is the number of the first comparison with a number removed from the
	// expression, nil when none.
	Threshold *float64
	// Op is that comparison's operator as the chart should read it, with the metric on the left
	// (">", ">=", "<", "<=", "==", "!="); "" when there is no threshold number.
	Op string
	// Thresholds are all the lines the rule compares the query with, in the rule's order: one
	// for `x > 90`, two for a band (`x > 10 and x < 90`, `x < 10 or x > 90`), a series for
	// `x > y * 0.8`. Nil when none.
	Thresholds []Threshold
	// Injected lists, sorted, the label names whose equality matchers were injected.
	Injected []string
	// Rewritten is false when the expression is charted as it is.
	Rewritten bool
	// Reason says why the expression was not rewritten (for logs and herald explain); "" when it was.
	Reason string
}

// Rewrite turns an alerting rule's expression into the query to chart for one alert.
//
// It removes a top-level comparison against a number or a series (keeping it as the threshold),
// recognises bands of two comparisons, keeps only the left side of a top-level and/unless, and
// injects equality matchers for the alert's identifying
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

	q, lims, changed := splitThreshold(root)
	if matchLabels == nil {
		matchLabels = []string{defaultMatchLabel}
	}
	values := identifying(q, matchLabels, alertLabels)
	keys := sortedKeys(values)
	inj := injector{values: values, done: map[string]bool{}}
	if err := inj.walk(q, keys); err != nil {
		return unchanged(expr, err.Error())
	}
	// A series threshold is narrowed by the labels that reach the comparison from its side, so
	// each charted series meets the threshold it is compared with.
	for _, l := range lims {
		if l.series == nil {
			continue
		}
		_, rhs := sides(l.cmp, keys)
		if err := inj.walk(l.series, rhs); err != nil {
			return unchanged(expr, err.Error())
		}
	}
	if !changed && len(inj.done) == 0 {
		return unchanged(expr, "nothing to rewrite: no threshold, no filter and no label to inject")
	}

	out, err := reprint(p, q)
	if err != nil {
		return unchanged(expr, err.Error())
	}
	res = Result{Query: out, Injected: sortedKeys(inj.done), Rewritten: true}
	for _, l := range lims {
		t := Threshold{Op: l.op, Value: l.value}
		if l.series != nil {
			if t.Query, err = reprint(p, unparen(l.series)); err != nil {
				return unchanged(expr, "threshold: "+err.Error())
			}
		} else if res.Threshold == nil {
			res.Threshold, res.Op = l.value, l.op
		}
		res.Thresholds = append(res.Thresholds, t)
	}
	return res
}

// reprint prints e. The printer is meant to round-trip, but label values from alerts can hold
// anything; checking is cheaper than trusting.
func reprint(p parser.Parser, e parser.Expr) (string, error) {
	out := e.String()
	again, err := p.ParseExpr(out)
	if err != nil {
		return "", fmt.Errorf("rewritten query does not parse: %v", err)
	}
	if again.String() != out {
		return "", errors.New("rewritten query does not print back the same")
	}
	return out, nil
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
