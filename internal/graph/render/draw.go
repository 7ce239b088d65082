package render

import (
	"fmt"
	"image/color"
	"math"
	"strings"
	"time"

	"git.sr.ht/~sbinet/gg"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// canvas wraps the vg canvas with image coordinates (y grows downwards, as
// in the PNG), which keep layout code and the tests' pixel checks alike.
type canvas struct {
	dc  draw.Canvas
	ctx *gg.Context // for what vg has no call for: line caps and joins
	h   float64
}

func (c canvas) pt(x, y float64) vg.Point { return vg.Point{X: vg.Length(x), Y: vg.Length(c.h - y)} }

func (c canvas) text(sty draw.TextStyle, x, y float64, s string) {
	if s != "" {
		c.dc.FillText(sty, c.pt(x, y), s)
	}
}

// strokeChunk is how many segments go into one stroke. The rasteriser
// keeps each pixel row's cells in a sorted list, so one stroke costs the
// square of the cells it leaves on a row: a long, noisy line is several
// times faster drawn in short pieces. Round joins and caps make the seams
// invisible (joins are round by default).
const strokeChunk = 32

// strokeChunks strokes path one subpath at a time.
func (c canvas) strokeChunks(path vg.Path) {
	c.ctx.SetLineCapRound()
	for len(path) > 0 {
		n := 1
		for n < len(path) && path[n].Type != vg.MoveComp {
			n++
		}
		c.dc.Stroke(path[:n])
		path = path[n:]
	}
	c.ctx.SetLineCapButt()
}

func (c canvas) rect(col color.Color, x0, y0, x1, y1 float64) {
	if x1 <= x0 || y1 <= y0 {
		return
	}
	c.dc.SetColor(col)
	c.dc.Fill(vg.Path{
		{Type: vg.MoveComp, Pos: c.pt(x0, y0)}, {Type: vg.LineComp, Pos: c.pt(x1, y0)},
		{Type: vg.LineComp, Pos: c.pt(x1, y1)}, {Type: vg.LineComp, Pos: c.pt(x0, y1)},
		{Type: vg.CloseComp},
	})
}

// hline and vline draw one-pixel lines on pixel centres, so they are crisp.
func (c canvas) hline(col color.Color, w float64, dashes []vg.Length, x0, x1, y float64) {
	y = math.Floor(y) + 0.5
	c.dc.StrokeLine2(draw.LineStyle{Color: col, Width: vg.Length(w), Dashes: dashes}, vg.Length(x0), vg.Length(c.h-y), vg.Length(x1), vg.Length(c.h-y))
}

func (c canvas) vline(col color.Color, x, y0, y1 float64) {
	x = math.Floor(x) + 0.5
	c.dc.StrokeLine2(draw.LineStyle{Color: col, Width: 1}, vg.Length(x), vg.Length(c.h-y0), vg.Length(x), vg.Length(c.h-y1))
}

// draw paints the chart top to bottom: title, plot with its axes,
// legend, footer.
func (r *Renderer) draw(cv canvas, c Chart, p plan) {
	W, H := float64(r.opts.Width), float64(r.opts.Height)
	th := &r.theme
	loc := r.opts.Location
	l := r.layout(c, p)
	a := l.area

	r.drawTitle(cv, c, p.end)
	// Under the data: shading, then the grid.
	if l.windowKnown {
		r.drawBand(cv, c, a)
	}
	tickSty := r.fonts.style(false, tickSize, th.muted, draw.XRight, draw.YCenter)
	for i, v := range l.y.ticks {
		y := a.y(v)
		cv.hline(th.grid, 1, nil, a.l, a.r, y)
		cv.text(tickSty, a.l-yLabelGap, y, l.y.labels[i])
	}
	if l.windowKnown {
		r.drawTimeAxis(cv, a, loc)
	}

	var notes []string
	if p.hidden > 0 {
		notes = append(notes, fmt.Sprintf("%d of %d series shown", len(p.lines), p.total))
	}
	if p.hasData {
		r.drawLines(cv, a, p)
		notes = append(notes, r.drawThresholds(cv, a, l, p)...)
	} else {
		r.drawNoData(cv, a, p, loc, l.windowKnown)
	}

	r.drawLegend(cv, l.legend, a.b+xLabelsH)

	// Footer: notes on the left, the zone on the right.
	small := r.fonts.style(false, smallSize, th.muted, draw.XLeft, draw.YBottom)
	caption := ""
	if l.windowKnown {
		caption = zoneCaption(loc, p.end)
	}
	cw := width(small, caption)
	cv.text(small, pad, H-pad, fit(small, strings.Join(notes, " · "), W-2*pad-cw-24))
	small.XAlign = draw.XRight
	cv.text(small, W-pad, H-pad, caption)
}

// drawTitle draws the title on the left and the alert's state on the right.
func (r *Renderer) drawTitle(cv canvas, c Chart, end time.Time) {
	th := &r.theme
	W := float64(r.opts.Width)
	status, col := "", th.firingText
	if !c.FiringFrom.IsZero() {
		when := func(t time.Time) string {
			t = t.In(r.opts.Location)
			if sameDate(t, end.In(r.opts.Location)) {
				return t.Format("15:04")
			}
			return t.Format("Jan 2 15:04")
		}
		switch {
		case c.Resolved && !c.FiringTo.IsZero():
			status, col = "RESOLVED at "+when(c.FiringTo), th.resolvedText
		case c.Resolved:
			status, col = "RESOLVED", th.resolvedText
		default:
			status = "FIRING since " + when(c.FiringFrom)
		}
	}
	st := r.fonts.style(true, tickSize, col, draw.XRight, draw.YCenter)
	sw := width(st, status)
	cv.text(st, W-pad, pad+titleSize/2, status)
	tt := r.fonts.style(true, titleSize, th.text, draw.XLeft, draw.YCenter)
	cv.text(tt, pad, pad+titleSize/2, fit(tt, clean(c.Title), W-2*pad-sw-24))
}
