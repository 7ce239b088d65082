package render

import (
	"math"
	"strconv"
)

// yAxis is the value axis: its range and its labelled ticks.
type yAxis struct {
	lo, hi float64
	ticks  []float64
	labels []string
}

// maxYTicks bounds the tick loop whatever floating point does.
const maxYTicks = 25

// niceYAxis widens [lo, hi] to round ticks about n of which fit, chosen in
// the display unit (0, 0.5, 1, 1.5 GiB rather than multiples of 2^29 bytes).
// lo and hi must be finite with lo <= hi.
func niceYAxis(lo, hi float64, u unit, n int) yAxis {
	lo, hi = spread(lo, hi)
	if n < 2 {
		n = 2
	}
	sc := u.scaleFor(math.Max(math.Abs(lo), math.Abs(hi)))
	// Halves keep hi-lo from overflowing near ±MaxFloat64.
	raw := (hi/2 - lo/2) * 2 / float64(n) / sc.div
	step, dec := niceStep(raw)
	stepRaw := step * sc.div
	if stepRaw == 0 || math.IsInf(stepRaw, 0) || math.IsNaN(stepRaw) {
		return yAxis{lo: lo, hi: hi}
	}
	a := yAxis{lo: math.Floor(lo/stepRaw) * stepRaw, hi: math.Ceil(hi/stepRaw) * stepRaw}
	if math.IsInf(a.lo, 0) || a.lo > lo {
		a.lo = lo
	}
	if math.IsInf(a.hi, 0) || a.hi < hi {
		a.hi = hi
	}
	first := math.Ceil(a.lo / stepRaw)
	for i := 0.0; i < maxYTicks; i++ {
		v := (first + i) * stepRaw
		if v > a.hi {
			break
		}
		x := v / sc.div
		if math.Abs(x) < step/1e6 {
			x = 0 // not "-0" from rounding
		}
		a.ticks = append(a.ticks, v)
		a.labels = append(a.labels, u.join(strconv.FormatFloat(x, 'f', dec, 64), sc.suffix))
	}
	return a
}

// spread gives an empty range a height, so that a flat line sits in the
// middle of the chart with sensible ticks around it.
func spread(lo, hi float64) (float64, float64) {
	if lo < hi {
		return lo, hi
	}
	if lo == 0 {
		return 0, 1 // all zero: a flat line at the bottom, no negative ticks
	}
	d := math.Abs(lo) / 10
	if d == 0 { // subnormal
		d = 1
	}
	a, b := lo-d, lo+d
	// Near ±MaxFloat64 one side overflows; keep the other.
	if math.IsInf(a, 0) {
		a = lo
	}
	if math.IsInf(b, 0) {
		b = lo
	}
	return a, b
}

// niceStep rounds raw to the nearest 1, 2, 2.5 or 5 × 10^k and returns the
// decimals its multiples need.
func niceStep(raw float64) (float64, int) {
	if !(raw > 0) || math.IsInf(raw, 0) {
		return 0, 0
	}
	exp := math.Floor(math.Log10(raw))
	pow := math.Pow(10, exp)
	f := raw / pow
	var m float64
	switch {
	case f < 1.5:
		m = 1
	case f < 2.25:
		m = 2
	case f < 3.5:
		m = 2.5
	case f < 7.5:
		m = 5
	default:
		m, exp, pow = 1, exp+1, pow*10
	}
	dec := int(-exp)
	if m == 2.5 {
		dec++
	}
	dec = max(0, min(dec, 12))
	return m * pow, dec
}
