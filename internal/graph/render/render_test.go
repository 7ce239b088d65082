package render

import (
	"fmt"
	"image"
	"image/color"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil"
)

// plotRect is the data area of c as drawn by r, for sampling pixels.
func plotRect(r *Renderer, c Chart) (*area, layout) {
	l := r.layout(c, prepare(c, r.maxShown))
	return l.area, l
}

// blend is what a translucent colour over an opaque background becomes.
func blend(bg color.RGBA, c color.NRGBA) color.RGBA {
	mix := func(b, f uint8) uint8 {
		return uint8((float64(b)*(255-float64(c.A)) + float64(f)*float64(c.A)) / 255)
	}
	return color.RGBA{R: mix(bg.R, c.R), G: mix(bg.G, c.G), B: mix(bg.B, c.B), A: 0xff}
}

func rectOf(a *area) image.Rectangle {
	return image.Rect(int(a.l)+1, int(a.t)+1, int(a.r)-1, int(a.b)-1)
}

// checkChart holds for every chart with data: not blank, each drawn
// series' colour in the plot, the threshold dashed across it, the firing
// band shaded where nothing else is drawn.
func checkChart(t *testing.T, r *Renderer, c Chart, img *image.RGBA) {
	t.Helper()
	a, l := plotRect(r, c)
	th := r.theme
	if n := distinctColors(img, img.Bounds()); n < 100 {
		t.Errorf("only %d distinct colours: blank or nearly", n)
	}
	if got := img.RGBAAt(2, 2); !near(got, th.bg, 1) {
		t.Errorf("background %v, want %v", got, th.bg)
	}
	p := prepare(c, r.maxShown)
	for i := range p.lines {
		if n := countNear(img, rectOf(a), th.seriesColor(i), 12); n < 200 {
			t.Errorf("series %d: %d pixels of its colour %v in the plot, want a line", i, n, th.seriesColor(i))
		}
	}
	for _, m := range l.marks {
		if !m.shown {
			t.Fatalf("threshold %v not on the axis [%v, %v]", m.v, a.lo, a.hi)
		}
		y := int(a.y(m.v))
		row := image.Rect(int(a.l), y, int(a.r), y+1)
		if n, w := countNear(img, row, th.threshold, 40), row.Dx(); n < w*4/10 {
			t.Errorf("threshold row %d: %d of %d pixels in the threshold colour, want a dashed line", y, n, w)
		}
	}
	if want := len(c.lines()); len(l.marks) != want && len(c.Thresholds) == 0 {
		t.Errorf("%d threshold lines laid out, want %d", len(l.marks), want)
	}
	if !c.FiringFrom.IsZero() {
		band, col := th.firingBand, "firing"
		if c.Resolved {
			band, col = th.resolvedBand, "resolved"
		}
		// Near the bottom of the plot, under all data, between grid lines.
		y := int(a.b) - 4
		in := int(a.x(c.FiringFrom.Add(5 * time.Minute)))
		if got, want := img.RGBAAt(in, y), blend(th.bg, band); !near(got, want, 3) {
			t.Errorf("%s band at (%d,%d): %v, want %v", col, in, y, got, want)
		}
		out := int(a.x(c.FiringFrom.Add(-7 * time.Minute)))
		if got := img.RGBAAt(out, y); !near(got, th.bg, 1) {
			t.Errorf("left of the band at (%d,%d): %v, want background %v", out, y, got, th.bg)
		}
	}
}

func TestRenderLight(t *testing.T) {
	r := newRenderer(t, Options{})
	c := cpuChart(3, 600)
	checkChart(t, r, c, render(t, r, c))
}

func TestRenderDark(t *testing.T) {
	r := newRenderer(t, Options{Theme: "dark"})
	c := cpuChart(3, 600)
	img := render(t, r, c)
	checkChart(t, r, c, img)
	if l := luminance(img.RGBAAt(2, 2)); l > 40 {
		t.Errorf("dark background luminance %.0f, want dark", l)
	}
	a, _ := plotRect(r, c)
	if l := luminance(img.RGBAAt(int(a.l)+3, int(a.b)-4)); l > 40 {
		t.Errorf("dark plot background luminance %.0f, want dark", l)
	}
	// The title is light text on the dark background.
	if n := countNear(img, image.Rect(pad, pad, 300, pad+titleSize), r.theme.text, 30); n < 50 {
		t.Errorf("%d title pixels in the text colour, want light text", n)
	}
}

func TestRenderResolved(t *testing.T) {
	r := newRenderer(t, Options{})
	c := cpuChart(2, 400)
	c.FiringTo = testEnd.Add(-10 * time.Minute)
	c.End = testEnd.Add(5 * time.Minute) // the window runs past the resolution
	c.Resolved = true
	img := render(t, r, c)
	checkChart(t, r, c, img)
	a, _ := plotRect(r, c)
	// After the resolution, nothing is shaded.
	x, y := int(a.x(testEnd.Add(-3*time.Minute))), int(a.b)-4
	if got := img.RGBAAt(x, y); !near(got, r.theme.bg, 1) {
		t.Errorf("after resolution at (%d,%d): %v, want background", x, y, got)
	}
}

func TestRenderManySeries(t *testing.T) {
	r := newRenderer(t, Options{})
	c := cpuChart(17, 600)
	p := prepare(c, r.maxShown)
	if len(p.lines) != 10 || p.hidden != 7 {
		t.Fatalf("%d shown, %d hidden; want 10 and 7", len(p.lines), p.hidden)
	}
	// The highest by last value, in order.
	for i := 1; i < len(p.lines); i++ {
		if p.lines[i].last > p.lines[i-1].last {
			t.Errorf("line %d last %v above line %d last %v", i, p.lines[i].last, i-1, p.lines[i-1].last)
		}
	}
	img := render(t, r, c)
	checkChart(t, r, c, img)
	// The "+ 7 more series not shown" note in the footer's left corner.
	footer := image.Rect(pad, r.opts.Height-pad-footerH, pad+150, r.opts.Height-pad)
	if n := countNear(img, footer, r.theme.muted, 40); n < 30 {
		t.Errorf("footer note: %d text pixels, want the note", n)
	}
}

func TestRenderBytes(t *testing.T) {
	r := newRenderer(t, Options{})
	c := cpuChart(4, 300)
	c.Title = "NodeMemoryLow instance=db-1:9100"
	c.MetricName = "node_memory_MemAvailable_bytes"
	for i := range c.Series {
		for k := range c.Series[i].Points {
			c.Series[i].Points[k].V *= 1 << 27 // tens of percent → several GiB
		}
	}
	c.Threshold = ptr(10.0 * (1 << 30))
	c.Op = ">"
	checkChart(t, r, c, render(t, r, c))
}

func TestRenderAcrossDays(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		testutil.Missing(t, "no tz database (tzdata): "+err.Error())
	}
	r := newRenderer(t, Options{Location: berlin, Theme: "dark"})
	c := cpuChart(2, 500)
	c.Start = testEnd.Add(-36 * time.Hour)
	for i := range c.Series {
		for k := range c.Series[i].Points {
			c.Series[i].Points[k].T = c.Start.Add(time.Duration(k) * 36 * time.Hour / 499)
		}
	}
	c.FiringFrom = testEnd.Add(-3 * time.Hour)
	c.Threshold = nil
	render(t, r, c)
}

func TestRenderOffScaleThresh(t *testing.T) {
	r := newRenderer(t, Options{})
	c := cpuChart(2, 200)
	c.MetricName = "http_requests_inflight"
	c.Threshold = ptr(1e6)
	_, l := plotRect(r, c)
	if len(l.marks) != 1 || l.marks[0].shown {
		t.Fatalf("threshold 1e6 on a 0–100 axis [%v, %v]; want it named in the footer", l.area.lo, l.area.hi)
	}
	img := render(t, r, c)
	footer := image.Rect(pad, r.opts.Height-pad-footerH, pad+200, r.opts.Height-pad)
	if n := countNear(img, footer, r.theme.muted, 40); n < 30 {
		t.Errorf("footer: %d text pixels, want the off-scale threshold note", n)
	}
}

// TestRenderConcurrent renders different charts at once (run with -race)
// and checks each equals its sequential rendering.
func TestRenderConcurrent(t *testing.T) {
	r := newRenderer(t, Options{})
	charts := []Chart{cpuChart(1, 100), cpuChart(5, 300), cpuChart(12, 50), {Title: "empty"}}
	want := make([][]byte, len(charts))
	for i, c := range charts {
		b, err := r.Render(c)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = b
	}
	errs := make(chan error, 4*len(charts))
	for range 4 {
		for i, c := range charts {
			go func() {
				b, err := r.Render(c)
				if err == nil && string(b) != string(want[i]) {
					err = fmt.Errorf("chart %d differs when rendered concurrently", i)
				}
				errs <- err
			}()
		}
	}
	for range 4 * len(charts) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestRenderSmallest(t *testing.T) {
	r := newRenderer(t, Options{Width: MinWidth, Height: MinHeight})
	c := cpuChart(12, 100)
	img := render(t, r, c)
	if p := prepare(c, r.maxShown); p.hidden == 0 {
		t.Errorf("all 12 series listed in a %dx%d legend", MinWidth, MinHeight)
	}
	if n := distinctColors(img, img.Bounds()); n < 50 {
		t.Errorf("only %d distinct colours", n)
	}
}
