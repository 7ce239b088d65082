package unit

import (
	"fmt"

	"github.com/prometheus/prometheus/promql/parser"
)

// Of returns the Grafana unit id of the values of expr: Short whenever the
// analysis is not sure. A top-level comparison without bool filters, so the
// unit is that of the side whose values it keeps.
func Of(expr parser.Expr) (id string) {
	defer func() {
		// Outside input reaches a third-party tree; a surprise there
		// costs the unit, never the chart.
		if r := recover(); r != nil {
			id = Short
		}
	}()
	return of(expr).id()
}

// OfQuery parses query and returns the unit id of its values; Short when
// it does not parse.
func OfQuery(query string) string {
	expr, err := parser.NewParser(parser.Options{}).ParseExpr(query)
	if err != nil {
		return Short
	}
	return Of(expr)
}

// OfMetric returns the unit id of a metric's samples from its name alone,
// by the same conventions.
func OfMetric(name string) string { return ofMetric(name, nil).id() }

// describe says what the analysis knows of expr, for test failures.
func describe(expr parser.Expr) string {
	x := of(expr)
	return fmt.Sprintf("kind=%d bytes=%d secs=%d events=%d f=%g counter=%v name=%q",
		x.kind, x.d.bytes, x.d.secs, x.d.events, x.d.f, x.counter, x.name)
}

func of(e parser.Expr) q {
	switch n := e.(type) {
	case *parser.ParenExpr:
		return of(n.Expr)
	case *parser.StepInvariantExpr:
		return of(n.Expr)
	case *parser.NumberLiteral:
		return qLit(n.Val)
	case *parser.VectorSelector:
		return ofMetric(n.Name, n.LabelMatchers)
	case *parser.MatrixSelector:
		return of(n.VectorSelector)
	case *parser.SubqueryExpr:
		return of(n.Expr)
	case *parser.UnaryExpr:
		x := of(n.Expr)
		if n.Op == parser.SUB {
			switch x.kind {
			case literal:
				x.val = -x.val
			case dim, celsius:
			default:
				return q{}
			}
		}
		return x
	case *parser.AggregateExpr:
		return aggregate(n.Op, of(n.Expr))
	case *parser.Call:
		return call(n)
	case *parser.BinaryExpr:
		return binary(n)
	}
	return q{}
}

// perSecond is the rate of change of x.
func perSecond(x q) q {
	if x.kind != dim {
		return q{}
	}
	x.d.secs--
	return x
}

// count is the number of series or samples of x.
func count(x q) q {
	c := qDim(0, 0, 1, 1)
	c.name = x.name
	return c
}

func aggregate(op parser.ItemType, x q) q {
	switch op {
	case parser.COUNT, parser.COUNT_VALUES:
		return count(x)
	case parser.GROUP:
		return q{kind: info}
	case parser.SUM:
		switch x.kind {
		case flag, info:
			return count(x) // how many are up
		case timestamp:
			return q{}
		}
		return x
	case parser.AVG:
		if x.kind == flag {
			return fraction() // the share that is up
		}
		return x
	case parser.STDDEV:
		if x.kind == dim || x.kind == celsius {
			return x
		}
		return q{}
	case parser.MIN, parser.MAX, parser.TOPK, parser.BOTTOMK, parser.QUANTILE,
		parser.LIMITK, parser.LIMIT_RATIO:
		return x
	}
	return q{} // stdvar and whatever comes next
}

func call(c *parser.Call) q {
	arg := func(i int) q {
		if i < len(c.Args) {
			return of(c.Args[i])
		}
		return q{}
	}
	switch c.Func.Name {
	case "rate", "irate", "deriv":
		return perSecond(arg(0))
	case "increase", "delta", "idelta":
		if x := arg(0); x.kind == dim || (x.kind == celsius && c.Func.Name != "increase") {
			return x
		}
		return q{}
	case "changes", "resets", "count_over_time":
		return count(arg(0))
	case "absent", "absent_over_time", "present_over_time":
		return q{kind: flag}
	case "avg_over_time":
		if x := arg(0); x.kind == flag {
			return fraction() // the share of the time it was up
		}
		return arg(0)
	case "sum_over_time":
		switch x := arg(0); x.kind {
		case flag, info:
			return count(x)
		case dim:
			return x
		}
		return q{}
	case "stddev_over_time", "mad_over_time":
		if x := arg(0); x.kind == dim || x.kind == celsius {
			return x
		}
		return q{}
	case "min_over_time", "max_over_time", "last_over_time", "first_over_time",
		"predict_linear", "holt_winters", "double_exponential_smoothing",
		"abs", "ceil", "floor", "round", "clamp", "clamp_min", "clamp_max",
		"sort", "sort_desc", "sort_by_label", "sort_by_label_desc",
		"label_replace", "label_join", "scalar", "vector", "info":
		return arg(0)
	case "quantile_over_time":
		return arg(1)
	case "histogram_quantile", "histogram_quantiles":
		if x := arg(1); x.hasObs {
			return q{kind: dim, d: x.obs}
		}
		return q{}
	case "histogram_avg", "histogram_stddev":
		if x := arg(0); x.hasObs {
			return q{kind: dim, d: x.obs}
		}
		return q{}
	case "histogram_fraction":
		return fraction()
	case "time", "timestamp", "start", "end",
		"ts_of_min_over_time", "ts_of_max_over_time", "ts_of_last_over_time", "ts_of_first_over_time":
		return q{kind: timestamp}
	case "pi":
		return qLit(3.141592653589793)
	}
	return q{}
}
