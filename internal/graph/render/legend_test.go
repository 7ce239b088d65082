package render

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestShortLabels(t *testing.T) {
	type L = map[string]string
	long := strings.Repeat("x", 100)
	for _, tc := range []struct {
		name   string
		labels []L
		want   []string
	}{
		{"one series shows all its labels",
			[]L{{"__name__": "up", "job": "node", "instance": "a"}},
			[]string{"up{instance=a, job=node}"}},
		{"only the labels that differ",
			[]L{{"job": "node", "instance": "a", "mode": "user"}, {"job": "node", "instance": "b", "mode": "user"}},
			[]string{"instance=a", "instance=b"}},
		{"a label missing on one series differs",
			[]L{{"instance": "a", "device": "sda"}, {"instance": "a"}},
			[]string{"device=sda", "{}"}},
		{"the metric name when it differs",
			[]L{{"__name__": "a_total", "job": "x"}, {"__name__": "b_total", "job": "x"}},
			[]string{"a_total", "b_total"}},
		{"no labels", []L{{}}, []string{"{}"}},
		{"identical series", []L{{"a": "1"}, {"a": "1"}}, []string{"{}", "{}"}},
		{"long values are cut",
			[]L{{"path": long}},
			[]string{"path=" + strings.Repeat("x", maxValueRunes-1) + "…"}},
		{"control characters",
			[]L{{"msg": "two\nlines\x00"}},
			[]string{"msg=two lines"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lines := make([]line, len(tc.labels))
			for i, l := range tc.labels {
				lines[i].labels = l
			}
			if got := shortLabels(lines); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPrepare(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	pts := func(vs ...float64) []Point {
		out := make([]Point, len(vs))
		for i, v := range vs {
			out[i] = Point{t0.Add(time.Duration(i) * time.Minute), v}
		}
		return out
	}
	nan := math.NaN()
	c := Chart{Series: []Series{
		{Labels: map[string]string{"s": "low"}, Points: pts(5, 1, 2)},
		{Labels: map[string]string{"s": "high"}, Points: pts(1, 9, 8, nan)}, // last finite: 8
		{Labels: map[string]string{"s": "empty"}, Points: pts(nan)},
		{Labels: map[string]string{"s": "mid"}, Points: pts(3, math.Inf(1), 4)},
	}}
	p := prepare(c, 3)
	var got []string
	for _, l := range p.lines {
		got = append(got, l.labels["s"])
	}
	if want := []string{"high", "mid", "low"}; !slices.Equal(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
	if p.hidden != 1 || p.total != 4 {
		t.Errorf("hidden %d of %d, want 1 of 4", p.hidden, p.total)
	}
	// Series the query left out count as hidden too: "3 of 10004 series shown".
	c.Omitted = 10_000
	if p := prepare(c, 3); len(p.lines) != 3 || p.hidden != 10_001 || p.total != 10_004 {
		t.Errorf("with omitted: %d shown, %d hidden of %d, want 3, 10001 of 10004", len(p.lines), p.hidden, p.total)
	}
	c.Omitted = 0
	if h := p.lines[0]; h.min != 1 || h.max != 9 || h.last != 8 {
		t.Errorf("high: min %v max %v last %v, want 1 9 8", h.min, h.max, h.last)
	}
	if p.lo != 1 || p.hi != 9 {
		t.Errorf("range [%v, %v], want [1, 9]", p.lo, p.hi)
	}
	if !p.start.Equal(t0) || !p.end.Equal(t0.Add(3*time.Minute)) {
		t.Errorf("window %v–%v, want the data's extent", p.start, p.end)
	}

	// Unsorted points are drawn in time order, and the input is untouched.
	in := []Point{{t0.Add(2 * time.Minute), 3}, {t0, 1}, {t0.Add(time.Minute), 2}}
	got2 := window(in, t0, t0.Add(time.Hour))
	if got2[0].V != 1 || got2[2].V != 3 || in[0].V != 3 {
		t.Errorf("window: %v from %v", got2, in)
	}
}
