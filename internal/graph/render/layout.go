package render

import (
	"math"
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
	area           *area
	y              yAxis
	legend         legend
	unit           unit
	threshold      float64
	thresholdShown bool // on the y axis, rather than named in the footer
	windowKnown    bool
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
	l.threshold, l.thresholdShown = thresholdRange(c, p, l.unit)
	lo, hi := p.lo, p.hi
	if l.thresholdShown {
		lo, hi = math.Min(lo, l.threshold), math.Max(hi, l.threshold)
	}
	lo, hi = headroom(lo, hi, l.unit)
	// About one tick every 60 px.
	l.y = niceYAxis(lo, hi, l.unit, int((a.b-a.t)/60))
	a.lo, a.hi = l.y.lo, l.y.hi
	tickSty := r.fonts.style(false, tickSize, r.theme.muted, draw.XRight, draw.YCenter)
	labelW := 0.0
	for _, s := range l.y.labels {
		labelW = math.Max(labelW, width(tickSty, s))
	}
	a.l = pad + labelW + yLabelGap
	return l
}

// thresholdRange says whether the threshold belongs on the y axis. A
// threshold far from the data would flatten every line into one pixel row,
// so beyond three times the data's size it is only named in the footer; on
// a percentage chart 0–100 % is always a sensible scale.
func thresholdRange(c Chart, p plan, u unit) (float64, bool) {
	if c.Threshold == nil || !finite(*c.Threshold) || !p.hasData {
		return 0, false
	}
	t := *c.Threshold
	if u == unitPercent && t >= 0 && t <= 100 || u == unitRatio && t >= 0 && t <= 1 {
		return t, true
	}
	size := math.Max(p.hi/2-p.lo/2, math.Max(math.Abs(p.lo), math.Abs(p.hi))/2)
	if size == 0 {
		size = 0.5
	}
	return t, t >= p.lo-6*size && t <= p.hi+6*size
}

// headroom keeps lines off the plot's top and bottom edges, without
// inventing negative values, or percentages over 100, that the data does
// not have.
func headroom(lo, hi float64, u unit) (float64, float64) {
	full := math.Inf(1)
	switch u {
	case unitPercent:
		full = 100
	case unitRatio:
		full = 1
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
