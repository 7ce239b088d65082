package render

import (
	"errors"
	"image"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil"
)

func TestRenderNoData(t *testing.T) {
	r := newRenderer(t, Options{})
	c := cpuChart(1, 2)
	c.Series = nil
	img := render(t, r, c)
	checkNoData(t, r, img)
}

// TestRenderNoDataShapes covers the other ways of having nothing to draw.
func TestRenderNoDataShapes(t *testing.T) {
	r := newRenderer(t, Options{})
	nan := math.NaN()
	base := cpuChart(1, 2)
	for name, c := range map[string]Chart{
		"series without points": {Title: "x", Series: []Series{{}, {}}, Start: base.Start, End: base.End},
		"only NaN and Inf": {Title: "x", Start: base.Start, End: base.End, Series: []Series{{Points: []Point{
			{base.Start, nan}, {base.End, math.Inf(1)}}}}},
		"points outside the window": {Title: "x", Start: base.Start, End: base.End, Series: []Series{{Points: []Point{
			{base.Start.Add(-time.Hour), 1}}}}},
		"no window either": {Title: "nothing at all"},
		"zero chart":       {},
	} {
		t.Run(name, func(t *testing.T) {
			p := prepare(c, 10)
			if p.hasData {
				t.Fatalf("has data: %+v", p)
			}
			checkNoData(t, r, render(t, r, c))
		})
	}
}

// checkNoData: the words "No data" in the middle, no series colours.
func checkNoData(t *testing.T, r *Renderer, img *image.RGBA) {
	t.Helper()
	W, H := r.opts.Width, r.opts.Height
	mid := image.Rect(W/2-60, H/2-40, W/2+60, H/2)
	if n := countNear(img, mid, r.theme.muted, 30); n < 200 {
		t.Errorf("%d muted text pixels in the middle, want a big \"No data\"", n)
	}
	for i := range 3 {
		if n := countNear(img, img.Bounds(), r.theme.seriesColor(i), 12); n > 20 {
			t.Errorf("%d pixels of series colour %d on a chart without data", n, i)
		}
	}
}

func TestRenderGaps(t *testing.T) {
	r := newRenderer(t, Options{})
	c := cpuChart(1, 600)
	c.Threshold, c.FiringFrom = nil, time.Time{}
	pts := c.Series[0].Points
	for k := 200; k < 300; k++ {
		pts[k].V = []float64{math.NaN(), math.Inf(1), math.Inf(-1)}[k%3]
	}
	// A lone sample between gaps is a dot.
	pts[449].V, pts[451].V = math.NaN(), math.NaN()
	pts[450].V = 20
	// A second series with a single point.
	one := Series{Labels: map[string]string{"instance": "lonely"}, Points: []Point{{pts[100].T, 30}}}
	c.Series = append(c.Series, one)
	img := render(t, r, c)
	a, _ := plotRect(r, c)

	col := r.theme.seriesColor(0)
	gap := image.Rect(int(a.x(pts[201].T))+3, int(a.t), int(a.x(pts[298].T))-3, int(a.b))
	if n := countNear(img, gap, col, 12); n > 0 {
		t.Errorf("%d pixels of the line inside its NaN gap %v", n, gap)
	}
	before := image.Rect(int(a.x(pts[100].T)), int(a.t), int(a.x(pts[190].T)), int(a.b))
	if n := countNear(img, before, col, 12); n < 50 {
		t.Errorf("%d line pixels before the gap, want a line", n)
	}
	for _, d := range []struct {
		name  string
		pt    Point
		color int
	}{{"lone sample", pts[450], 0}, {"single-point series", one.Points[0], 1}} {
		x, y := int(a.x(d.pt.T)), int(a.y(d.pt.V))
		dot := image.Rect(x-1, y-1, x+2, y+2)
		if n := countNear(img, dot, r.theme.seriesColor(d.color), 30); n < 4 {
			t.Errorf("%s: no dot at (%d,%d)", d.name, x, y)
		}
	}
}

// unicodeChart has Chinese, Cyrillic and control characters in its labels.
func unicodeChart() Chart {
	c := cpuChart(3, 200)
	c.Title = "磁盘空间不足 instance=сервер-1 \n\t\x00 job=узел"
	names := []string{"数据库-主", "база-данных", "bad\xffutf8\nline"}
	for i := range c.Series {
		c.Series[i].Labels["instance"] = names[i]
	}
	return c
}

func TestRenderUnicodeDefaultFont(t *testing.T) {
	r := newRenderer(t, Options{})
	c := unicodeChart()
	checkChart(t, r, c, render(t, r, c))
}

// cjkFont is where Debian's fonts-noto-cjk puts its collection.
const cjkFont = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

func TestRenderCJKFontFile(t *testing.T) {
	if _, err := os.Stat(cjkFont); err != nil {
		testutil.Missing(t, "fonts-noto-cjk is not installed: "+err.Error())
	}
	r := newRenderer(t, Options{FontFile: cjkFont})
	c := unicodeChart()
	checkChart(t, r, c, render(t, r, c))
}

func TestNewErrors(t *testing.T) {
	dir := t.TempDir()
	notFont := filepath.Join(dir, "font.ttf")
	if err := os.WriteFile(notFont, []byte("this is not a font"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		o    Options
		want string
	}{
		{Options{Width: 100}, "size 100x600 out of range"},
		{Options{Height: MaxHeight + 1}, "out of range"},
		{Options{Theme: "solarized"}, `unknown theme "solarized"`},
		{Options{MaxSeries: -1}, "must not be negative"},
		{Options{FontFile: filepath.Join(dir, "missing.ttf")}, "no such file"},
		{Options{FontFile: notFont}, "not a TrueType/OpenType font"},
	} {
		_, err := New(tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want an error with %q", tc.o, err, tc.want)
		}
	}
	if _, err := New(Options{FontFile: notFont}); !errors.Is(err, errNoFont) {
		t.Errorf("not a font: %v does not wrap errNoFont", err)
	}
}
