package unit

import "math"

// kind is what sort of value an expression has.
type kind uint8

const (
	unknown   kind = iota // nothing sure: charted as Short
	dim                   // a physical quantity: exponents of bytes, seconds and events
	literal               // a number written in the query: 100, 0.9, 86400 * 30
	flag                  // 0 or 1: up, probe_success, a comparison with bool
	info                  // always 1: _info metrics, group(); a factor that changes nothing
	celsius               // a temperature (not a quantity: 2 × 20 °C is not 40 °C)
	timestamp             // seconds since the epoch: time(), *_timestamp_seconds
)

// dims are the exponents of a physical quantity and its scale: a value v
// means v × f in the base units bytes^bytes · s^secs · events^events. A
// plain bytes metric is {bytes: 1, f: 1}; a percent is {f: 0.01}, as 42 %
// is 0.42 of the dimensionless 1; a _milliseconds metric is {secs: 1,
// f: 0.001}. Events are what counters count (requests, errors, restarts)
// and what count() counts (series).
type dims struct {
	bytes, secs, events int8
	f                   float64
}

func (d dims) zero() bool { return d.bytes == 0 && d.secs == 0 && d.events == 0 }

func (d dims) sameExps(o dims) bool {
	return d.bytes == o.bytes && d.secs == o.secs && d.events == o.events
}

// q is the unit of an expression as far as the analysis knows it.
type q struct {
	kind kind
	d    dims    // kind == dim
	val  float64 // kind == literal
	// counter marks events counted by a counter (_total, _count, _bucket
	// and their rates and increases), as opposed to series counted by
	// count(): the rate of errors over the rate of requests is a ratio,
	// the count of pods over the count of nodes is not.
	counter bool
	// name is the one metric the value comes from, "" when several or
	// none: count(up == 0) / count(up) counts the same thing twice.
	name string
	// obs is the unit of the observed values of a histogram (its _bucket,
	// _sum and _count series), for histogram_quantile; hasObs says it is
	// known.
	obs    dims
	hasObs bool
}

func qDim(bytes, secs, events int8, f float64) q {
	return q{kind: dim, d: dims{bytes: bytes, secs: secs, events: events, f: f}}
}

func qLit(v float64) q { return q{kind: literal, val: v} }

// fraction is a dimensionless quantity: 1 is 100 %.
func fraction() q { return qDim(0, 0, 0, 1) }

// sameScale says a and b are the same scale, up to floating point.
func sameScale(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) }

// id names q as a Grafana unit id; Short for anything it cannot name.
func (x q) id() string {
	switch x.kind {
	case flag, info:
		return None
	case celsius:
		return Celsius
	case dim:
		return x.d.id()
	}
	return Short
}

func (d dims) id() string {
	if d.events < 0 && (d.bytes != 0 || d.secs != 0) {
		d.events = 0 // per event: seconds per request is seconds
	}
	type named struct {
		f  float64
		id string
	}
	var ids []named
	switch {
	case d.zero():
		ids = []named{{1, PercentUnit}, {0.01, Percent}}
	case d.bytes == 1 && d.secs == 0 && d.events == 0:
		ids = []named{{1, Bytes}, {1 << 10, KiBytes}, {1 << 20, MiBytes}, {1 << 30, GiBytes}}
	case d.bytes == 1 && d.secs == -1 && d.events == 0:
		ids = []named{{1, BytesPerSec}, {1.0 / 8, BitsPerSec}}
	case d.bytes == 0 && d.secs == 1 && d.events == 0:
		ids = []named{{1e-9, Nanoseconds}, {1e-6, Microseconds}, {1e-3, Milliseconds}, {1, Seconds},
			{60, Minutes}, {3600, Hours}, {86400, Days}}
	case d.bytes == 0 && d.secs == -1 && d.events == 1:
		ids = []named{{1, PerSecond}}
	}
	for _, n := range ids {
		if sameScale(d.f, n.f) {
			return n.id
		}
	}
	return Short
}
