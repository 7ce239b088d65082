package render

import (
	"image"
	"math"
	"slices"
	"testing"
	"time"
)

// flatChart is one series of n points over an hour moving between lo and
// hi, in unit u.
func flatChart(u string, lo, hi float64) Chart {
	start := testEnd.Add(-time.Hour)
	c := Chart{Title: "T", Unit: u, Start: start, End: testEnd}
	s := Series{Labels: map[string]string{"instance": "a"}}
	for k := range 300 {
		f := (1 + math.Sin(float64(k)/20)) / 2
		s.Points = append(s.Points, Point{T: start.Add(time.Duration(k) * 12 * time.Second), V: lo + (hi-lo)*f})
	}
	c.Series = []Series{s}
	return c
}

// thresholdRow checks that row y of the plot is a dashed line in the
// threshold colour.
func thresholdRow(t *testing.T, r *Renderer, img *image.RGBA, a *area, v float64) {
	t.Helper()
	y := int(a.y(v))
	row := image.Rect(int(a.l), y, int(a.r), y+1)
	if n, w := countNear(img, row, r.theme.threshold, 40), row.Dx(); n < w*4/10 {
		t.Errorf("threshold %v at row %d: %d of %d pixels in the threshold colour, want a dashed line", v, y, n, w)
	}
}

// tickLabel checks that the y axis has a tick labelled s, and that the
// label is drawn left of the plot at its row.
func tickLabel(t *testing.T, r *Renderer, img *image.RGBA, l layout, s string) {
	t.Helper()
	i := slices.Index(l.y.labels, s)
	if i < 0 {
		t.Errorf("no tick %q among %q", s, l.y.labels)
		return
	}
	y := int(l.area.y(l.y.ticks[i]))
	box := image.Rect(pad, y-7, int(l.area.l)-yLabelGap+1, y+7)
	if n := countNear(img, box, r.theme.muted, 60); n < 10 {
		t.Errorf("tick %q at row %d: %d text pixels", s, y, n)
	}
}

// A band draws both lines, each on its row, each with its caption.
func TestRenderBand(t *testing.T) {
	r := newRenderer(t, Options{})
	c := flatChart("percent", 30, 60)
	c.Thresholds = []Threshold{{Op: ">", Value: ptr(20.0)}, {Op: "<", Value: ptr(85.0)}}
	img := render(t, r, c)
	a, l := plotRect(r, c)
	if len(l.marks) != 2 || !l.marks[0].shown || !l.marks[1].shown {
		t.Fatalf("marks %+v, want both shown", l.marks)
	}
	thresholdRow(t, r, img, a, 20)
	thresholdRow(t, r, img, a, 85)
	// A percentage axis starts at 0; 60 % is not within a fifth of 100 %,
	// but the 85 % line is on the axis.
	tickLabel(t, r, img, l, "0 %")
	if a.lo != 0 || a.hi < 85 || a.hi > 100 {
		t.Errorf("axis [%v, %v], want [0, 85..100]", a.lo, a.hi)
	}
}

// Two lines a few pixels apart keep their captions apart.
func TestRenderCloseThresholds(t *testing.T) {
	r := newRenderer(t, Options{})
	c := flatChart("", 0, 100)
	c.Thresholds = []Threshold{{Op: "<", Value: ptr(50.0)}, {Op: ">", Value: ptr(51.0)}}
	img := render(t, r, c)
	a, _ := plotRect(r, c)
	thresholdRow(t, r, img, a, 50)
	thresholdRow(t, r, img, a, 51)
	// Both captions are bold text in the threshold colour near the right
	// end: above the upper line and under the lower one.
	y0, y1 := int(a.y(51)), int(a.y(50))
	above := image.Rect(int(a.r)-80, y0-20, int(a.r)-4, y0-2)
	under := image.Rect(int(a.r)-80, y1+3, int(a.r)-4, y1+21)
	for name, box := range map[string]image.Rectangle{"above": above, "under": under} {
		if n := countNear(img, box, r.theme.threshold, 40); n < 20 {
			t.Errorf("caption %s the lines: %d pixels", name, n)
		}
	}
}

// The axis of a percentage starts at 0 and reaches 100 % when the values
// come within a fifth of it; a ratio the same at 1.
func TestPercentAxis(t *testing.T) {
	for _, tc := range []struct {
		unit           string
		lo, hi         float64
		wantLo, wantHi float64 // wantHi 0: below full scale
		top            string
	}{
		{"percent", 50, 85, 0, 100, "100 %"},
		{"percent", 40, 60, 0, 0, ""},
		{"percentunit", 0.5, 0.9, 0, 1, "100 %"},
		{"ratio", 0.82, 0.95, 0, 1, "100 %"},
		{"percentunit", 0.2, 0.3, 0, 0, ""},
	} {
		t.Run(tc.unit, func(t *testing.T) {
			r := newRenderer(t, Options{})
			c := flatChart(tc.unit, tc.lo, tc.hi)
			img := render(t, r, c)
			a, l := plotRect(r, c)
			tickLabel(t, r, img, l, "0 %")
			if a.lo != tc.wantLo {
				t.Errorf("axis starts at %v, want %v", a.lo, tc.wantLo)
			}
			full := fullScale(tc.unit)
			switch {
			case tc.wantHi != 0 && a.hi != tc.wantHi:
				t.Errorf("axis ends at %v, want %v", a.hi, tc.wantHi)
			case tc.wantHi == 0 && a.hi >= 0.8*full:
				t.Errorf("axis ends at %v for data up to %v, want below %v", a.hi, tc.hi, 0.8*full)
			}
			if tc.top != "" {
				tickLabel(t, r, img, l, tc.top)
			}
		})
	}
}

// A threshold joins the axis when the axis stays within three times the
// data's size (its span, or its distance from zero); otherwise the footer
// names it.
func TestThresholdScale(t *testing.T) {
	for _, tc := range []struct {
		lo, hi, thr float64
		shown       bool
	}{
		{100, 110, 400, true},  // 0–110 is the size; 100–400 is within 330
		{100, 110, 600, false}, // 100–600 is not
		{100, 110, 0, true},
		{-50, 50, 200, true}, // span 100: -50–200 within 300
		{-50, 50, 300, false},
		{0.2, 0.25, 0.5, true}, // latency and its limit
		{0, 0, 1, true},        // all zero
		{5, 5, 1e9, false},
	} {
		r := newRenderer(t, Options{})
		c := flatChart("", tc.lo, tc.hi)
		c.Threshold, c.Op = ptr(tc.thr), ">"
		a, l := plotRect(r, c)
		if len(l.marks) != 1 || l.marks[0].shown != tc.shown {
			t.Errorf("data %v–%v, threshold %v: marks %+v, want shown %v", tc.lo, tc.hi, tc.thr, l.marks, tc.shown)
			continue
		}
		if tc.shown && (tc.thr < a.lo || tc.thr > a.hi) {
			t.Errorf("threshold %v shown outside the axis [%v, %v]", tc.thr, a.lo, a.hi)
		}
		if !tc.shown && a.hi-a.lo > 2*math.Max(tc.hi-tc.lo, 1) {
			t.Errorf("threshold %v off scale, yet the axis [%v, %v] grew", tc.thr, a.lo, a.hi)
		}
	}
}

// A series threshold is drawn dashed in the threshold colour and listed in
// the legend as "threshold" with its values.
func TestRenderSeriesThreshold(t *testing.T) {
	r := newRenderer(t, Options{})
	c := flatChart("celsius", 40, 70)
	lim := Series{Labels: map[string]string{"instance": "a", "sensor": "temp1"}}
	for k := range 300 {
		lim.Points = append(lim.Points, Point{T: c.Start.Add(time.Duration(k) * 12 * time.Second), V: 80})
	}
	c.Thresholds = []Threshold{{Op: ">", Series: []Series{lim}}}
	img := render(t, r, c)
	a, l := plotRect(r, c)
	if !l.limitShown {
		t.Fatalf("threshold series not on the axis [%v, %v]", a.lo, a.hi)
	}
	thresholdRow(t, r, img, a, 80)
	e := l.legend.entries
	if len(e) != 2 || e[1].label != "threshold" || !e[1].dashed || e[1].stats[2] != l.unit.format(80) {
		t.Errorf("legend %+v, want the series and a dashed threshold at 80", e)
	}

	// Far away it is named in the footer instead.
	for i := range lim.Points {
		lim.Points[i].V = 1e6
	}
	img = render(t, r, c)
	a, l = plotRect(r, c)
	if l.limitShown || a.hi > 1000 {
		t.Errorf("threshold series at 1e6 on the axis [%v, %v]", a.lo, a.hi)
	}
	footer := image.Rect(pad, r.opts.Height-pad-footerH, pad+200, r.opts.Height-pad)
	if n := countNear(img, footer, r.theme.muted, 40); n < 30 {
		t.Errorf("footer: %d text pixels, want the off-scale note", n)
	}
}

// A chart without a firing time (a preview) has no band and no state.
func TestRenderPreview(t *testing.T) {
	r := newRenderer(t, Options{})
	c := cpuChart(2, 300)
	c.FiringFrom = time.Time{}
	img := render(t, r, c)
	a, _ := plotRect(r, c)
	status := image.Rect(r.opts.Width-260, pad, r.opts.Width-pad, pad+titleSize)
	if n := distinctColors(img, status); n > 1 {
		t.Errorf("%d colours where the state would be, want the background only", n)
	}
	x, y := int(a.x(testEnd.Add(-5*time.Minute))), int(a.b)-4
	if got := img.RGBAAt(x, y); !near(got, r.theme.bg, 1) {
		t.Errorf("plot at (%d,%d): %v, want background", x, y, got)
	}
}
