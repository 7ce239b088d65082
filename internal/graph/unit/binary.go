package unit

import (
	"math"

	"github.com/prometheus/prometheus/promql/parser"
)

func binary(b *parser.BinaryExpr) q {
	l, r := of(b.LHS), of(b.RHS)
	switch {
	case b.Op.IsComparisonOperator():
		if b.ReturnBool {
			return q{kind: flag}
		}
		if l.kind == literal && r.kind != literal {
			return r // 0.9 < x keeps the samples of x
		}
		return l
	case b.Op == parser.LAND, b.Op == parser.LUNLESS:
		return l
	case b.Op == parser.LOR:
		return or(l, r)
	}
	// x * on(instance) group_left(nodename) node_uname_info: a join with
	// an info metric (always 1) adds labels and changes no value.
	if r.kind == info && (b.Op == parser.MUL || b.Op == parser.DIV) {
		return l
	}
	if l.kind == info && b.Op == parser.MUL {
		return r
	}
	switch b.Op {
	case parser.ADD:
		return add(l, r, false)
	case parser.SUB:
		return add(l, r, true)
	case parser.MUL:
		return mul(l, r)
	case parser.DIV:
		return div(l, r)
	case parser.MOD:
		if l.kind == literal && r.kind == literal {
			return qLit(math.Mod(l.val, r.val))
		}
		if r.kind == literal && (l.kind == dim || l.kind == timestamp) {
			return l
		}
	case parser.POW:
		if l.kind == literal && r.kind == literal {
			return qLit(math.Pow(l.val, r.val))
		}
		if r.kind == literal && r.val == 1 {
			return l
		}
	}
	return q{}
}

// or merges two results: their unit if they share one. A literal side
// (x or vector(0)) takes the unit of the other.
func or(l, r q) q {
	switch {
	case l.kind == literal:
		return r
	case r.kind == literal:
		return l
	case l.kind != unknown && l.id() == r.id():
		return l
	}
	return q{}
}

func add(l, r q, sub bool) q {
	switch {
	case l.kind == literal && r.kind == literal:
		if sub {
			return qLit(l.val - r.val)
		}
		return qLit(l.val + r.val)
	case l.kind == literal:
		return plusNumber(r, l.val)
	case r.kind == literal:
		return plusNumber(l, r.val)
	case l.kind == timestamp && r.kind == timestamp && sub:
		return qDim(0, 1, 0, 1) // time() - node_boot_time_seconds: uptime
	case l.kind == timestamp && isSeconds(r) && sub, r.kind == timestamp && isSeconds(l) && sub:
		// time() - systemd_timer_last_trigger_seconds: the _seconds side
		// is a moment whose name does not say so; a moment minus a
		// duration is no chart anyone draws.
		return qDim(0, 1, 0, 1)
	case l.kind == timestamp && isSeconds(r), r.kind == timestamp && isSeconds(l):
		return q{kind: timestamp}
	case l.kind == celsius && r.kind == celsius && sub:
		return l
	case l.kind == dim && r.kind == dim && l.d.sameExps(r.d) && sameScale(l.d.f, r.d.f):
		x := l
		x.counter = l.counter && r.counter
		if l.name != r.name {
			x.name = ""
		}
		x.hasObs = l.hasObs && r.hasObs && l.obs == r.obs
		return x
	}
	return q{}
}

func isSeconds(x q) bool {
	return x.kind == dim && x.d.bytes == 0 && x.d.events == 0 && x.d.secs == 1 && x.d.f == 1
}

// plusNumber is x ± c: the number is in the unit of x, so that unit stays.
// A ratio plus more than 1 (or a percent plus more than 100) is no longer
// sure to be one: 100 - ratio is a mistake in the rule, not a percent.
func plusNumber(x q, c float64) q {
	switch x.kind {
	case dim:
		if x.d.zero() && math.Abs(c)*x.d.f > 1+1e-9 {
			return q{}
		}
		return x
	case celsius, timestamp:
		return x
	}
	return q{}
}

func mul(l, r q) q {
	switch {
	case l.kind == literal && r.kind == literal:
		return qLit(l.val * r.val)
	case l.kind == literal:
		return times(r, l.val)
	case r.kind == literal:
		return times(l, r.val)
	case l.kind == dim && r.kind == dim:
		return qDim(l.d.bytes+r.d.bytes, l.d.secs+r.d.secs, l.d.events+r.d.events, l.d.f*r.d.f)
	}
	return q{}
}

func div(l, r q) q {
	switch {
	case l.kind == literal && r.kind == literal:
		if r.val == 0 {
			return q{}
		}
		return qLit(l.val / r.val)
	case r.kind == literal:
		if r.val == 0 {
			return q{}
		}
		return times(l, 1/r.val)
	case l.kind == literal && r.kind == dim && l.val != 0:
		// c / v: a value v' means 1/(c·f) of the inverse base unit.
		return qDim(-r.d.bytes, -r.d.secs, -r.d.events, 1/(l.val*r.d.f))
	case l.kind == dim && r.kind == dim:
		return quotient(l, r)
	}
	return q{}
}

// quotient is l / r. A dimensionless result is a ratio only when both
// sides measure the same thing: bytes over bytes, seconds over seconds,
// ratios over ratios, and events only when both are counted by counters
// (errors / requests) or both count the same metric (count(up == 0) /
// count(up)). count(kube_pod_info) / count(kube_node_info), pods per node,
// is a plain number.
func quotient(l, r q) q {
	d := dims{bytes: l.d.bytes - r.d.bytes, secs: l.d.secs - r.d.secs, events: l.d.events - r.d.events,
		f: l.d.f / r.d.f}
	if d.zero() && l.d.events != 0 && !(l.counter && r.counter) && (l.name == "" || l.name != r.name) {
		return q{}
	}
	return q{kind: dim, d: d}
}

// times is x × c. Units are converted by a few factors (×100 makes a ratio
// a percent, ×1000 seconds milliseconds, /1024 bytes KiB, ×8 bytes/s
// bits/s); when c is such a factor the scale of x changes, and the result
// is named only if it lands on a known unit. Any other factor (0.8, 2) is
// arithmetic on the quantity, which keeps its unit: bytes × 0.8 is bytes.
func times(x q, c float64) q {
	if c == 1 {
		return x
	}
	if x.kind != dim || c == 0 || math.IsInf(c, 0) || math.IsNaN(c) {
		return q{}
	}
	x.hasObs = false
	if conversion(c) || conversion(1/c) {
		x.d.f /= c
	}
	return x
}

// conversion says whether c converts between units: powers of ten and of
// 1024, bits in a byte, seconds in a minute, hour, day or week.
func conversion(c float64) bool {
	switch c {
	case 8, 60, 3600, 86400, 604800, 1 << 10, 1 << 20, 1 << 30, 1 << 40:
		return true
	}
	e := math.Log10(c)
	return e >= 1 && math.Abs(e-math.Round(e)) < 1e-9
}
