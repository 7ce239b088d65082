package render

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/examples/*.png")

// testEnd is a fixed "now", so charts and pixel positions are reproducible.
var testEnd = time.Date(2025, 3, 14, 15, 0, 0, 0, time.UTC)

// cpuChart is a realistic firing alert: n series of CPU usage in percent
// over two hours; the first one climbs over the 80 % threshold 25 minutes
// before the end.
func cpuChart(n, points int) Chart {
	start := testEnd.Add(-2 * time.Hour)
	step := 2 * time.Hour / time.Duration(points-1)
	firing := testEnd.Add(-25 * time.Minute)
	c := Chart{
		Title:      "HighCPU instance=web-0:9100 job=node",
		Threshold:  ptr(80.0),
		Op:         ">",
		MetricName: "instance:cpu_usage:percent",
		Start:      start,
		End:        testEnd,
		FiringFrom: firing,
	}
	for i := range n {
		s := Series{Labels: map[string]string{
			"__name__": "instance:cpu_usage:percent",
			"instance": fmt.Sprintf("web-%d:9100", i),
			"job":      "node",
		}}
		base := 55 - 4*float64(i)
		for k := range points {
			t := start.Add(time.Duration(k) * step)
			v := base + 6*math.Sin(float64(k)/17+float64(i)) + 3*math.Sin(float64(k*k%97)/7)
			if i == 0 && t.After(firing.Add(-20*time.Minute)) {
				v += 35 * math.Min(1, seconds(firing.Add(-20*time.Minute), t)/1200)
			}
			s.Points = append(s.Points, Point{T: t, V: v})
		}
		c.Series = append(c.Series, s)
	}
	return c
}

func ptr[T any](v T) *T { return &v }

func newRenderer(t testing.TB, o Options) *Renderer {
	t.Helper()
	r, err := New(o)
	if err != nil {
		t.Fatalf("New(%+v): %v", o, err)
	}
	return r
}

// render draws c and decodes the PNG, checking its size.
func render(t testing.TB, r *Renderer, c Chart) *image.RGBA {
	t.Helper()
	b, err := r.Render(c)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if got := img.Bounds().Size(); got.X != r.opts.Width || got.Y != r.opts.Height {
		t.Fatalf("size %v, want %dx%d", got, r.opts.Width, r.opts.Height)
	}
	rgba := image.NewRGBA(img.Bounds())
	for y := 0; y < img.Bounds().Dy(); y++ {
		for x := 0; x < img.Bounds().Dx(); x++ {
			rgba.Set(x, y, img.At(x, y))
		}
	}
	writeExample(t, b)
	return rgba
}

// writeExample keeps the PNG of an example test under testdata/examples
// when run with -update, for people to look at.
func writeExample(t testing.TB, b []byte) {
	if !*update {
		return
	}
	name, ok := examples[t.Name()]
	if !ok {
		return
	}
	dir := filepath.Join("testdata", "examples")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// examples maps test names to the example files they write.
var examples = map[string]string{
	"TestRenderLight":          "light.png",
	"TestRenderDark":           "dark.png",
	"TestRenderNoData":         "nodata.png",
	"TestRenderManySeries":     "many-series.png",
	"TestRenderResolved":       "resolved.png",
	"TestRenderBytes":          "bytes.png",
	"TestRenderGaps":           "gaps.png",
	"TestRenderCJKFontFile":    "cjk.png",
	"TestRenderAcrossDays":     "across-days.png",
	"TestRenderOffScaleThresh": "off-scale-threshold.png",
}

// distinctColors counts the different colours in r.
func distinctColors(img *image.RGBA, r image.Rectangle) int {
	seen := map[color.RGBA]bool{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			seen[img.RGBAAt(x, y)] = true
		}
	}
	return len(seen)
}

// near reports whether two colours are within d on every channel.
func near(a, b color.RGBA, d int) bool {
	abs := func(x int) int { return max(x, -x) }
	return abs(int(a.R)-int(b.R)) <= d && abs(int(a.G)-int(b.G)) <= d && abs(int(a.B)-int(b.B)) <= d
}

// countNear counts the pixels of r within d of c.
func countNear(img *image.RGBA, r image.Rectangle, c color.RGBA, d int) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if near(img.RGBAAt(x, y), c, d) {
				n++
			}
		}
	}
	return n
}

func luminance(c color.RGBA) float64 {
	return 0.2126*float64(c.R) + 0.7152*float64(c.G) + 0.0722*float64(c.B)
}
