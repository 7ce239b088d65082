package promql

import (
	"math"

	"github.com/prometheus/prometheus/promql/parser"
)

// Threshold is one line a rule compares its series with.
type Threshold struct {
	// Op is the comparison as the chart reads it, with the metric on the left (">", ">=", "<",
	// "<=", "==", "!=").
	Op string `json:"op"`
	// Value is the number compared with; nil for a series threshold.
	Value *float64 `json:"value,omitempty"`
	// Query is a series threshold (`x > y * 0.8` gives `y * 0.8`), with the same labels injected
	// as the charted query where they reach the comparison; "" for a number.
	Query string `json:"query,omitempty"`
}

// limit is a threshold found in the tree: a number, or a series expression to chart.
type limit struct {
	op     string
	value  *float64
	series parser.Expr
	cmp    *parser.BinaryExpr // the comparison of a series threshold, for its label matching
}

// splitThreshold finds the expression to chart inside an alerting expression and the thresholds
// the rule compares it with. changed reports whether q differs from e in meaning (parentheses
// around the whole expression do not count).
//
// An alerting rule fires while its expression returns series, so its top-level comparison is a
// filter: charting it would draw only the points above the threshold and hide the trend that led
// there. Without the comparison, the chart shows the metric and the threshold becomes a line.
//
// For a top-level `a and b` or `a unless b`, the result's values are always a's values; b only
// decides when they are shown. The chart keeps a (and looks for the threshold inside it) and drops
// b, so that it shows the metric across the whole window, including the times the filter hid it.
// The exception is a band, `x > 10 and x < 90` (or `x < 10 or x > 90`): both sides compare the
// same series with a number, so the chart is x with both lines. Any other `a or b` returns
// series of both sides, so it is charted as it is.
//
// A comparison between two vectors (`x > y * 0.8`) charts the left side and keeps the right one
// as a series threshold, drawn dashed: Prometheus compares the values of matching series, so the
// threshold of each series is the matching right-hand value at each time.
func splitThreshold(e parser.Expr) (q parser.Expr, lims []limit, changed bool) {
	e = unparen(e)
	b, ok := e.(*parser.BinaryExpr)
	if !ok {
		return e, nil, false
	}
	switch {
	case b.Op == parser.LAND || b.Op == parser.LOR:
		if x, lims, ok := band(b); ok {
			return x, lims, true
		}
		if b.Op == parser.LAND {
			q, lims, _ = splitThreshold(b.LHS)
			return q, lims, true
		}
	case b.Op == parser.LUNLESS:
		q, lims, _ = splitThreshold(b.LHS)
		return q, lims, true
	case b.Op.IsComparisonOperator() && !b.ReturnBool:
		// A `bool` comparison returns 0 or 1 for every series: it is a value, not a filter, and
		// charting that value is what the rule asks for.
		if x, l, ok := numberComparison(b); ok {
			return x, []limit{l}, true
		}
		if x, l, ok := seriesComparison(b); ok {
			return x, []limit{l}, true
		}
	}
	// A comparison against a non-constant scalar such as time(), or one whose sides match in a
	// way the chart cannot show, has no line to draw: it stays in the query.
	return e, nil, false
}

// numberComparison splits `x > 90` (or `90 < x`) into x and the threshold.
func numberComparison(b *parser.BinaryExpr) (parser.Expr, limit, bool) {
	if v, ok := constant(b.RHS); ok && b.LHS.Type() == parser.ValueTypeVector {
		return unparen(b.LHS), limit{op: opString(b.Op, false), value: &v}, true
	}
	if v, ok := constant(b.LHS); ok && b.RHS.Type() == parser.ValueTypeVector {
		return unparen(b.RHS), limit{op: opString(b.Op, true), value: &v}, true
	}
	return nil, limit{}, false
}

// seriesComparison splits `x > y` into x and the series threshold y. The result of a filtering
// comparison carries the left side's values for one-to-one and group_left matching; group_right
// swaps the sides in a way the chart does not follow, so it is left alone.
func seriesComparison(b *parser.BinaryExpr) (parser.Expr, limit, bool) {
	if b.LHS.Type() != parser.ValueTypeVector || b.RHS.Type() != parser.ValueTypeVector {
		return nil, limit{}, false
	}
	if vm := b.VectorMatching; vm != nil && vm.Card != parser.CardOneToOne && vm.Card != parser.CardManyToOne {
		return nil, limit{}, false
	}
	return unparen(b.LHS), limit{op: opString(b.Op, false), series: b.RHS, cmp: b}, true
}

// band recognises `x > a and x < b` and `x < a or x > b` (in any order, numbers on either side,
// parenthesised or not): two comparisons of the same series with numbers.
func band(b *parser.BinaryExpr) (parser.Expr, []limit, bool) {
	l, ok := unparen(b.LHS).(*parser.BinaryExpr)
	if !ok || !l.Op.IsComparisonOperator() || l.ReturnBool {
		return nil, nil, false
	}
	r, ok := unparen(b.RHS).(*parser.BinaryExpr)
	if !ok || !r.Op.IsComparisonOperator() || r.ReturnBool {
		return nil, nil, false
	}
	x1, l1, ok1 := numberComparison(l)
	x2, l2, ok2 := numberComparison(r)
	if !ok1 || !ok2 || x1.String() != x2.String() {
		return nil, nil, false
	}
	return x1, []limit{l1, l2}, true
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
