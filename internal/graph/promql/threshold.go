package promql

import (
	"math"

	"github.com/prometheus/prometheus/promql/parser"
)

// splitThreshold finds the expression to chart inside an alerting expression and the threshold the
// rule compares it with. changed reports whether q differs from e in meaning (parentheses around
// the whole expression do not count).
//
// An alerting rule fires while its expression returns series, so its top-level comparison is a
// filter: charting it would draw only the points above the threshold and hide the trend that led
// there. Without the comparison, the chart shows the metric and the threshold becomes a line.
//
// For a top-level `a and b` or `a unless b`, the result's values are always a's values; b only
// decides when they are shown. The chart keeps a (and looks for the threshold inside it) and drops
// b, so that it shows the metric across the whole window, including the times the filter hid it.
// `a or b` returns series of both sides, so it is charted as it is.
func splitThreshold(e parser.Expr) (q parser.Expr, thr *float64, op string, changed bool) {
	e = unparen(e)
	b, ok := e.(*parser.BinaryExpr)
	if !ok {
		return e, nil, "", false
	}
	switch {
	case b.Op == parser.LAND || b.Op == parser.LUNLESS:
		q, thr, op, _ = splitThreshold(b.LHS)
		return q, thr, op, true
	case b.Op.IsComparisonOperator() && !b.ReturnBool:
		// A `bool` comparison returns 0 or 1 for every series: it is a value, not a filter, and
		// charting that value is what the rule asks for.
		if v, ok := constant(b.RHS); ok && b.LHS.Type() == parser.ValueTypeVector {
			return unparen(b.LHS), &v, opString(b.Op, false), true
		}
		if v, ok := constant(b.LHS); ok && b.RHS.Type() == parser.ValueTypeVector {
			return unparen(b.RHS), &v, opString(b.Op, true), true
		}
	}
	// A comparison between two vectors, or against a non-constant scalar such as time(), has no
	// single number to draw: it stays in the query.
	return e, nil, "", false
}

// opString spells a comparison operator with the metric on the left; flip is set when the number
// was on the left (`90 < x` reads `x > 90`).
func opString(op parser.ItemType, flip bool) string {
	switch op {
	case parser.GTR:
		if flip {
			return "<"
		}
		return ">"
	case parser.GTE:
		if flip {
			return "<="
		}
		return ">="
	case parser.LSS:
		if flip {
			return ">"
		}
		return "<"
	case parser.LTE:
		if flip {
			return ">="
		}
		return "<="
	case parser.EQLC:
		return "=="
	case parser.NEQ:
		return "!="
	}
	return op.String()
}

// constant evaluates a pure number expression (`90 * 1024`, `-(1/2)`), as rules often spell a
// threshold in the unit a person thinks in. Anything else, and any result that is not a finite
// number (a chart cannot draw a line at NaN or infinity), reports false.
func constant(e parser.Expr) (float64, bool) {
	v, ok := eval(e)
	if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

func eval(e parser.Expr) (float64, bool) {
	switch n := e.(type) {
	case *parser.NumberLiteral:
		return n.Val, true
	case *parser.ParenExpr:
		return eval(n.Expr)
	case *parser.UnaryExpr:
		v, ok := eval(n.Expr)
		if !ok {
			return 0, false
		}
		switch n.Op {
		case parser.SUB:
			return -v, true
		case parser.ADD:
			return v, true
		}
	case *parser.BinaryExpr:
		l, ok := eval(n.LHS)
		if !ok {
			return 0, false
		}
		r, ok := eval(n.RHS)
		if !ok {
			return 0, false
		}
		// The operators of arithmetic in PromQL; comparisons between numbers need `bool` and are
		// not thresholds anyone writes.
		switch n.Op {
		case parser.ADD:
			return l + r, true
		case parser.SUB:
			return l - r, true
		case parser.MUL:
			return l * r, true
		case parser.DIV:
			return l / r, true
		case parser.MOD:
			return math.Mod(l, r), true
		case parser.POW:
			return math.Pow(l, r), true
		}
	}
	return 0, false
}
