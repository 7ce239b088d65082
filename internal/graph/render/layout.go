package render

import (
	"math"
	"strings"
	"time"

	"gonum.org/v1/plot/vg/draw"
)

// Layout constants in pixels.
const (
	pad       = 16 // around the whole image
	titleH    = 36 // title row, and the band caption under it
	xLabelsH  = 24 // time labels under the plot
	footerH   = 18 // note and time zone caption
	yLabelGap = 8  // between y labels and the plot
)

// area is the data rectangle in image coordinates with the mappings into it.
type area struct {
	l, t, r, b float64
	start      time.Time
	span       float64 // seconds
	lo, hi     float64
}

// x maps a time to a column of the plot; times outside the window land on
// its edge.
func (a *area) x(t time.Time) float64 {
	return a.l + (a.r-a.l)*unit01(seconds(a.start, t)/a.span)
}

// y maps a value to a row of the plot. Halves keep hi-lo finite near
// ±MaxFloat64; the fraction comes first so that nothing overflows on the
// way to pixels.
func (a *area) y(v float64) float64 {
	return a.b - (a.b-a.t)*unit01((v/2-a.lo/2)/(a.hi/2-a.lo/2))
}

// unit01 clamps f to [0, 1], NaN to 0. The rasteriser works in 26.6 fixed
// point and, given a coordinate millions of pixels away, loops for minutes
// over the cells in between, so no coordinate may leave the plot.
func unit01(f float64) float64 {
	if !(f > 0) {
		return 0
	}
	return math.Min(f, 1)
}

// layout is where everything goes. It is computed apart from drawing so
// that tests can find the pixels of a threshold or a band.
type layout struct {
	area        *area
	y           yAxis
	legend      legend
	unit        unit
	marks       []mark // the number thresholds
	limitShown  bool   // the threshold series are on the y axis
	windowKnown bool
}

// mark is one number threshold: on the y axis, or named in the footer.
type mark struct {
	op    string
	v     float64
	shown bool
}

func (r *Renderer) layout(c Chart, p plan) layout {
	W, H := float64(r.opts.Width), float64(r.opts.Height)
	l := layout{unit: unitOf(c.Unit, c.MetricName)}
	l.legend = r.planLegend(p, l.unit, W-2*pad, H)
	a := &area{l: pad, t: pad + titleH, r: W - pad, b: H - pad - footerH - l.legend.height - xLabelsH,
		start: p.start, span: seconds(p.start, p.end)}
	l.area = a
	l.windowKnown = !p.start.IsZero() && a.span > 0
	if !p.hasData {
		return l
	}
	full := fullScale(c.Unit)
	lo, hi := valueRange(p.lo, p.hi, full)
	fits := within(lo, hi)
	alo, ahi := lo, hi
	for _, t := range c.lines() {
		if t.Value == nil || !finite(*t.Value) {
			continue
		}
		m := mark{op: t.Op, v: *t.Value, shown: fits(*t.Value, *t.Value)}
		if m.shown {
			alo, ahi = math.Min(alo, m.v), math.Max(ahi, m.v)
		}
		l.marks = append(l.marks, m)
	}
	if !math.IsNaN(p.limLo) && fits(p.limLo, p.limHi) {
		l.limitShown = true
		alo, ahi = math.Min(alo, p.limLo), math.Max(ahi, p.limHi)
	}
	alo, ahi = headroom(alo, ahi, full)
	// About one tick every 60 px.
	l.y = niceYAxis(alo, ahi, l.unit, int((a.b-a.t)/60))
	a.lo, a.hi = l.y.lo, l.y.hi
	tickSty := r.fonts.style(false, tickSize, r.theme.muted, draw.XRight, draw.YCenter)
	labelW := 0.0
	for _, s := range l.y.labels {
		labelW = math.Max(labelW, width(tickSty, s))
	}
	a.l = pad + labelW + yLabelGap
	return l
}

// fullScale is 100 % in the chart's unit (Grafana's unit ids: "percent"
// is 0–100, "percentunit" 0–1, as is Herald's older "ratio"); 0 for any
// other unit.
func fullScale(unitID string) float64 {
	switch strings.ToLower(strings.TrimSpace(unitID)) {
	case "percent":
		return 100
	case "percentunit", "ratio":
		return 1
	}
	return 0
}

// valueRange is the range the y axis must show for data in [lo, hi]. A
// percentage is read against its whole: the axis starts at 0, and reaches
// 100 % once the values come within a fifth of it, so that 85 % does not
// look like a full disk.
func valueRange(lo, hi, full float64) (float64, float64) {
	if full > 0 {
		lo = math.Min(lo, 0)
		if hi >= 0.8*full {
			hi = math.Max(hi, full)
		}
	}
	return lo, hi
}

// maxGrowth is how much taller than the data the y axis may grow to show
// a threshold. Further away, a threshold would flatten every line into a
// few pixel rows, so it is only named in the footer.
const maxGrowth = 3

// within returns whether values in [a, b] may join the axis of data in
// [lo, hi]: whether the axis holding both is at most maxGrowth times the
// data's size. The size is the data's span, or its distance from zero
// when larger, since an axis from zero never misleads: a latency of
// 0.20–0.25 s may show its 0.5 s threshold, a flat line at 1 its 0.
// Halves keep everything finite near ±MaxFloat64.
func within(lo, hi float64) func(a, b float64) bool {
	size := math.Max(hi/2-lo/2, math.Max(math.Abs(lo), math.Abs(hi))/2)
	if size == 0 {
		size = 0.5
	}
	return func(a, b float64) bool {
		return math.Max(hi, b)/2-math.Min(lo, a)/2 <= maxGrowth*size
	}
}

// headroom keeps lines off the plot's top and bottom edges, without
// inventing negative values, or percentages over 100, that the data does
// not have.
func headroom(lo, hi, full float64) (float64, float64) {
	if full == 0 {
		full = math.Inf(1)
	}
	d := (hi/2 - lo/2) / 10 // 5% of the span
	if !finite(d) {
		return lo, hi
	}
	nlo := lo - d
	if lo >= 0 && nlo < 0 {
		nlo = 0
	}
	nhi := hi + d
	if hi <= full && nhi > full {
		nhi = full
	}
	if !finite(nhi) {
		nhi = hi
	}
	if !finite(nlo) {
		nlo = lo
	}
	return nlo, nhi
}
