package promql

import (
	"slices"

	"github.com/prometheus/prometheus/promql/parser"
)

// labelPreserving reports whether a function's result series carry the labels of its argument
// series unchanged (only the metric name may go), each computed from its own series alone.
// A function missing here is not walked into: its selectors are charted unfiltered, which is
// safe, where a wrong guess would not be.
func labelPreserving(name string) bool {
	switch name {
	case "abs", "absent", "absent_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh",
		"avg_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min", "cos", "cosh",
		"count_over_time", "day_of_month", "day_of_week", "day_of_year", "days_in_month", "deg",
		"delta", "deriv", "double_exponential_smoothing", "exp", "first_over_time", "floor",
		"histogram_avg", "histogram_count", "histogram_fraction", "histogram_quantile",
		"histogram_stddev", "histogram_stdvar", "histogram_sum", "hour", "idelta", "increase",
		"irate", "label_join", "label_replace", "last_over_time", "ln", "log10", "log2",
		"mad_over_time", "max_over_time", "min_over_time", "minute", "month", "predict_linear",
		"present_over_time", "quantile_over_time", "rad", "rate", "resets", "round", "sgn", "sin",
		"sinh", "sort", "sort_desc", "sqrt", "stddev_over_time", "stdvar_over_time", "sum_over_time",
		"tan", "tanh", "timestamp", "year":
		return true
	}
	return false
}

// call walks a function call. Scalar arguments (φ, a clamp bound) are walked too: a selector can
// only hide in one behind scalar() or similar, and those are not label preserving, so nothing is
// injected there.
//
// absent() is label preserving in the sense that matters: its one series takes its labels from the
// selector's equality matchers, so an injected `instance="a"` comes out as the alert's instance.
func (in *injector) call(n *parser.Call, keep []string) error {
	name := n.Func.Name
	if !labelPreserving(name) {
		return nil
	}
	switch name {
	case "histogram_quantile", "histogram_fraction":
		// The bucket label is consumed: the result has no `le`.
		keep = without(keep, "le")
	case "label_replace", "label_join":
		// The destination label is overwritten, so the alert's value of it says nothing about
		// the series below.
		if len(n.Args) < 2 {
			return nil
		}
		dst, ok := unparen(n.Args[1]).(*parser.StringLiteral)
		if !ok {
			return nil
		}
		keep = without(keep, dst.Val)
	}
	for _, a := range n.Args {
		if err := in.walk(a, keep); err != nil {
			return err
		}
	}
	return nil
}

// binary walks a binary expression, sending each label to the side or sides whose value of it the
// result carries (see resultMetric in prometheus/promql/engine.go):
//
//   - with a scalar side, the vector side's labels pass unchanged;
//   - a label in the matching set is equal on both sides of every matched pair, so both sides get it;
//   - otherwise `and`/`unless` return left-hand series as they are, so the left side gets it, while
//     `or` mixes both sides in a way a filter on one side changes, so neither does;
//   - one-to-one matching keeps only matching labels, so no side gets any other;
//   - group_left/group_right keep the "many" side's labels, except those listed in the modifier,
//     which come from the "one" side.
func (in *injector) binary(n *parser.BinaryExpr, keep []string) error {
	lhs, rhs := sides(n, keep)
	if err := in.walk(n.LHS, lhs); err != nil {
		return err
	}
	return in.walk(n.RHS, rhs)
}

// sides splits keep into the labels each side of n passes to the result unchanged.
func sides(n *parser.BinaryExpr, keep []string) (lhs, rhs []string) {
	vm := n.VectorMatching
	if vm == nil {
		return keep, keep
	}
	for _, l := range keep {
		included := slices.Contains(vm.Include, l)
		switch {
		case slices.Contains(vm.MatchingLabels, l) == vm.On:
			lhs, rhs = append(lhs, l), append(rhs, l)
		case n.Op == parser.LAND || n.Op == parser.LUNLESS:
			lhs = append(lhs, l)
		case n.Op == parser.LOR:
		case vm.Card == parser.CardManyToOne && included, vm.Card == parser.CardOneToMany && !included:
			rhs = append(rhs, l)
		case vm.Card == parser.CardManyToOne, vm.Card == parser.CardOneToMany:
			lhs = append(lhs, l)
		}
	}
	return lhs, rhs
}
