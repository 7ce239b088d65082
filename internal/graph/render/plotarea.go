package render

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

const (
	lineWidth = 1.75
	dotRadius = 2.5
)

// thresholdDashes is the threshold line's pattern, long enough to tell it
// from a series at a glance.
var thresholdDashes = []vg.Length{8, 5}

// opText is the threshold's caption: "> 90 %".
func opText(op, value string) string {
	op = strings.TrimSpace(clean(op))
	if op == "" || len(op) > 4 { // an operator, not arbitrary text
		return value
	}
	return op + " " + value
}

// drawBand shades the firing interval, clipped to the window.
func (r *Renderer) drawBand(cv canvas, c Chart, a *area) {
	if c.FiringFrom.IsZero() {
		return
	}
	to := c.FiringTo
	if to.IsZero() {
		to = a.start.Add(time.Duration(a.span * float64(time.Second)))
	}
	x0, x1 := math.Max(a.x(c.FiringFrom), a.l), math.Min(a.x(to), a.r)
	if !(x1 > x0) {
		return
	}
	band, txt, label := r.theme.firingBand, r.theme.firingText, "firing"
	if c.Resolved {
		band, txt, label = r.theme.resolvedBand, r.theme.resolvedText, "resolved"
	}
	cv.rect(band, x0, a.t, x1, a.b)
	// The caption goes above the plot, where no line can run through it.
	sty := r.fonts.style(false, smallSize, txt, draw.XLeft, draw.YBottom)
	lx := math.Min(x0+2, float64(r.opts.Width)-pad-width(sty, label))
	cv.text(sty, lx, a.t-2, label)
}

// drawTimeAxis draws vertical grid lines and the time labels, keeping the
// outer labels inside the image.
func (r *Renderer) drawTimeAxis(cv canvas, a *area, loc *time.Location) {
	sty := r.fonts.style(false, tickSize, r.theme.muted, draw.XLeft, draw.YTop)
	W := float64(r.opts.Width)
	for _, tk := range timeTicks(a.start, a.start.Add(time.Duration(a.span*float64(time.Second))), loc, a.r-a.l) {
		x := a.x(tk.t)
		cv.vline(r.theme.grid, x, a.t, a.b)
		w := width(sty, tk.label)
		lx := math.Min(math.Max(x-w/2, pad/2), W-pad/2-w)
		cv.text(sty, lx, a.b+6, tk.label)
	}
}

// drawLines draws each series, breaking the line at non-finite values and
// drawing a lone sample as a dot. One path buffer serves every series, so
// the cost is not an allocation per point.
func (r *Renderer) drawLines(cv canvas, a *area, p plan) {
	var b pathBuf
	for i := len(p.lines) - 1; i >= 0; i-- { // the highest series on top
		col := r.theme.seriesColor(i)
		b.stroke(cv, a, p.lines[i].pts, draw.LineStyle{Color: col, Width: lineWidth})
	}
}

// pathBuf is the reusable path of one line and its lone points.
type pathBuf struct {
	path vg.Path
	dots []vg.Point
}

// stroke draws one series in sty.
func (b *pathBuf) stroke(cv canvas, a *area, pts []Point, sty draw.LineStyle) {
	path, dots := b.path[:0], b.dots[:0]
	run := 0
	var prev vg.Point
	for _, pt := range pts {
		if !finite(pt.V) {
			if run == 1 {
				dots = append(dots, prev)
			}
			run = 0
			continue
		}
		q := cv.pt(a.x(pt.T), a.y(pt.V))
		if run > 0 && run%strokeChunk == 0 {
			// Continue from the previous point in a new subpath.
			path = append(path, vg.PathComp{Type: vg.MoveComp, Pos: prev})
		}
		typ := vg.LineComp
		if run == 0 {
			typ = vg.MoveComp
		}
		path = append(path, vg.PathComp{Type: typ, Pos: q})
		prev = q
		run++
	}
	if run == 1 {
		dots = append(dots, prev)
	}
	b.path, b.dots = path, dots
	cv.dc.SetLineStyle(sty)
	cv.strokeChunks(path)
	cv.dc.SetColor(sty.Color)
	for _, d := range dots {
		var c vg.Path
		c.Move(vg.Point{X: d.X + dotRadius, Y: d.Y})
		c.Arc(d, dotRadius, 0, 2*math.Pi)
		c.Close()
		cv.dc.Fill(c)
	}
}

// drawThresholds draws the threshold series and lines that are on the
// axis and returns the footer notes naming those that are not.
func (r *Renderer) drawThresholds(cv canvas, a *area, l layout, p plan) []string {
	var notes []string
	if l.limitShown {
		var b pathBuf
		sty := draw.LineStyle{Color: r.theme.threshold, Width: 1.5, Dashes: thresholdDashes}
		for _, s := range p.limits {
			b.stroke(cv, a, s.pts, sty)
		}
	} else if !math.IsNaN(p.limLo) {
		notes = append(notes, "threshold series "+offScale(p.limHi < a.lo)+" the chart")
	}
	// Captions top to bottom, each moved clear of the one above it.
	shown := make([]mark, 0, len(l.marks))
	for _, m := range l.marks {
		if m.shown {
			shown = append(shown, m)
		} else {
			notes = append(notes, fmt.Sprintf("threshold %s is %s the chart", opText(m.op, l.unit.format(m.v)), offScale(m.v < a.lo)))
		}
	}
	slices.SortStableFunc(shown, func(x, y mark) int { return cmp.Compare(y.v, x.v) })
	below := math.Inf(-1) // the lowest caption so far
	for _, m := range shown {
		below = r.drawThreshold(cv, a, m.op, l.unit.format(m.v), m.v, below)
	}
	return notes
}

// offScale says where an off-scale threshold is.
func offScale(low bool) string {
	if low {
		return "below"
	}
	return "above"
}

// drawThreshold draws the dashed line and its caption at the right end,
// on a background patch so that lines under it do not garble it. The
// caption goes above the line, or under it when that leaves the plot or
// meets the caption above (whose bottom is below); it returns the
// caption's bottom.
func (r *Renderer) drawThreshold(cv canvas, a *area, op, value string, t, below float64) float64 {
	y := a.y(t)
	cv.hline(r.theme.threshold, 1.5, thresholdDashes, a.l, a.r, y)
	sty := r.fonts.style(true, tickSize, r.theme.threshold, draw.XRight, draw.YBottom)
	s := opText(op, value)
	w, h := width(sty, s), float64(tickSize)*r.fonts.height
	ly := y - 3
	if ly-h < a.t || ly-h < below+1 {
		ly = math.Max(y+3+h, below+1+h)
	}
	bg := color.NRGBA{R: r.theme.bg.R, G: r.theme.bg.G, B: r.theme.bg.B, A: 0xd0}
	cv.rect(bg, a.r-6-w-4, ly-h, a.r-6+4, ly+1)
	cv.text(sty, a.r-6, ly, s)
	return ly
}

// drawNoData says clearly that there is nothing to draw, and for when.
func (r *Renderer) drawNoData(cv canvas, a *area, p plan, loc *time.Location, windowKnown bool) {
	th := &r.theme
	// A frame, so the empty plot reads as a chart and not as a broken image.
	cv.hline(th.grid, 1, nil, a.l, a.r, a.t)
	cv.hline(th.grid, 1, nil, a.l, a.r, a.b-1)
	cx, cy := (a.l+a.r)/2, (a.t+a.b)/2
	big := r.fonts.style(true, bigSize, th.muted, draw.XCenter, draw.YBottom)
	var why string
	switch {
	case p.total == 0:
		why = "The query returned no series"
	case p.total == 1:
		why = "The series has no samples"
	default:
		why = fmt.Sprintf("%d series, none with samples", p.total)
	}
	if windowKnown {
		s, e := p.start.In(loc), p.end.In(loc)
		f := "Jan 2 15:04"
		if sameDate(s, e) {
			why += fmt.Sprintf(" between %s and %s", s.Format(f), e.Format("15:04"))
		} else {
			why += fmt.Sprintf(" between %s and %s", s.Format(f), e.Format(f))
		}
	}
	sub := r.fonts.style(false, tickSize+2, th.muted, draw.XCenter, draw.YTop)
	why = fit(sub, why, a.r-a.l)
	// A patch of background keeps grid lines from running through the words.
	w := math.Max(width(big, "No data"), width(sub, why))/2 + 12
	cv.rect(th.bg, cx-w, cy-bigSize-8, cx+w, cy+10+tickSize+12)
	cv.text(big, cx, cy, "No data")
	cv.text(sub, cx, cy+10, why)
}
