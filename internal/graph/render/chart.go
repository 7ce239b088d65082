package render

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// Chart is what one alert chart shows.
type Chart struct {
	// Title is shown on top: the alert name and its identifying labels.
	Title string
	// Series are the query's result; the highest MaxSeries by last value
	// are drawn.
	Series []Series
	// Omitted counts series of the result left out before Series (the
	// query's own cap); the note then says how many of all are shown.
	Omitted int
	// Threshold, when set, is drawn as a dashed line labelled with Op
	// (">", "<", ">=", ...) and the value.
	Threshold *float64
	Op        string
	// Thresholds, when not empty, are the lines drawn instead of
	// Threshold and Op: several numbers (a band, `x > 10 and x < 90`)
	// and series (`x > y * 0.8`).
	Thresholds []Threshold
	// Unit humanises values: a Grafana unit id of package
	// internal/graph/unit ("bytes", "Bps", "s", "ms", "percent",
	// "percentunit", "celsius", "cps", "short", ...) or one of Herald's
	// older names ("seconds", "ratio"); an unknown unit means short.
	Unit string
	// MetricName gives the unit when Unit is "", by the Prometheus naming
	// conventions applied to the name alone (unit.OfMetric); callers that
	// have the query set Unit from its analysis instead.
	MetricName string
	// Start and End are the time window; zero values mean the extent of
	// the data.
	Start, End time.Time
	// FiringFrom..FiringTo is shaded; a zero FiringTo means still firing
	// (to End), a zero FiringFrom means no shading.
	FiringFrom time.Time
	FiringTo   time.Time
	// Resolved tints the shading as resolved rather than firing.
	Resolved bool
}

// Threshold is one line the rule compares the series with.
type Threshold struct {
	// Op is the comparison with the metric on the left (">", "<=", ...).
	Op string
	// Value is a constant threshold, drawn as a dashed line labelled with
	// Op and the value; nil for a series threshold.
	Value *float64
	// Series is a threshold that varies (the `y * 0.8` of `x > y * 0.8`),
	// drawn dashed in the threshold colour and listed in the legend as
	// "threshold".
	Series []Series
}

// lines are the thresholds to draw: Thresholds, or else Threshold and Op.
func (c Chart) lines() []Threshold {
	if len(c.Thresholds) > 0 {
		return c.Thresholds
	}
	if c.Threshold != nil {
		return []Threshold{{Op: c.Op, Value: c.Threshold}}
	}
	return nil
}

// Series is one time series of the query result.
type Series struct {
	Labels map[string]string
	Points []Point
}

// Point is one sample. A NaN or infinite V breaks the line.
type Point struct {
	T time.Time
	V float64
}

// line is a series ready to draw.
type line struct {
	labels         map[string]string
	pts            []Point // in time order, within the window
	min, max, last float64 // over finite values; NaN when there are none
}

// plan is the chart's data after selection and ranging.
type plan struct {
	start, end time.Time
	lines      []line  // shown, highest last value first
	limits     []line  // the series of series thresholds, within the window
	limLo      float64 // over the finite values of limits; NaN when none
	limHi      float64
	hidden     int // series left out
	total      int // series in the result
	lo, hi     float64
	hasData    bool // some shown point is finite
}

// prepare picks the series to show and the ranges of both axes. It accepts
// anything: unsorted points, points outside the window, NaN and ±Inf.
func prepare(c Chart, maxSeries int) plan {
	p := plan{start: c.Start, end: c.End, total: len(c.Series) + max(c.Omitted, 0), lo: math.Inf(1), hi: math.Inf(-1)}
	if p.start.IsZero() || p.end.IsZero() || !p.end.After(p.start) {
		p.start, p.end = dataExtent(c.Series)
	}
	lines := make([]line, 0, len(c.Series))
	for _, s := range c.Series {
		lines = append(lines, newLine(s, p.start, p.end))
	}
	p.limLo, p.limHi = math.NaN(), math.NaN()
	for _, t := range c.lines() {
		if t.Value != nil {
			continue
		}
		for _, s := range t.Series {
			l := newLine(s, p.start, p.end)
			if !math.IsNaN(l.min) {
				p.limLo, p.limHi = math.Min(l.min, nanTo(p.limLo, l.min)), math.Max(l.max, nanTo(p.limHi, l.max))
			}
			p.limits = append(p.limits, l)
		}
	}
	// Highest last value first; series without one go last. Ties keep the
	// input order, so the same data always draws the same colours.
	slices.SortStableFunc(lines, func(a, b line) int {
		an, bn := math.IsNaN(a.last), math.IsNaN(b.last)
		if an || bn {
			return cmp.Compare(btoi(an), btoi(bn))
		}
		return cmp.Compare(b.last, a.last)
	})
	if len(lines) > maxSeries {
		lines = lines[:maxSeries]
	}
	p.hidden = p.total - len(lines)
	p.lines = lines
	for _, l := range lines {
		if !math.IsNaN(l.min) {
			p.hasData = true
			p.lo, p.hi = math.Min(p.lo, l.min), math.Max(p.hi, l.max)
		}
	}
	return p
}

// newLine windows a series and finds its minimum, maximum and last value.
func newLine(s Series, start, end time.Time) line {
	l := line{labels: s.Labels, pts: window(s.Points, start, end),
		min: math.NaN(), max: math.NaN(), last: math.NaN()}
	for _, pt := range l.pts {
		if finite(pt.V) {
			if !(pt.V >= l.min) {
				l.min = pt.V
			}
			if !(pt.V <= l.max) {
				l.max = pt.V
			}
			l.last = pt.V
		}
	}
	return l
}

// nanTo is v, or else when v is NaN.
func nanTo(v, otherwise float64) float64 {
	if math.IsNaN(v) {
		return otherwise
	}
	return v
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// dataExtent is the time span of all points, widened when it is a single
// instant (or there is none) so the axis still has a width.
func dataExtent(ss []Series) (time.Time, time.Time) {
	var lo, hi time.Time
	for _, s := range ss {
		for _, pt := range s.Points {
			if lo.IsZero() || pt.T.Before(lo) {
				lo = pt.T
			}
			if hi.IsZero() || pt.T.After(hi) {
				hi = pt.T
			}
		}
	}
	if !hi.After(lo) {
		lo, hi = lo.Add(-5*time.Minute), hi.Add(5*time.Minute)
	}
	return lo, hi
}

// window returns the points within [start, end] in time order. Prometheus
// returns them that way, so usually this is the input slice itself and
// nothing is copied.
func window(pts []Point, start, end time.Time) []Point {
	sorted, inside := true, true
	for i, pt := range pts {
		if i > 0 && pt.T.Before(pts[i-1].T) {
			sorted = false
		}
		if pt.T.Before(start) || pt.T.After(end) {
			inside = false
		}
	}
	if sorted && inside {
		return pts
	}
	out := make([]Point, 0, len(pts))
	for _, pt := range pts {
		if !pt.T.Before(start) && !pt.T.After(end) {
			out = append(out, pt)
		}
	}
	slices.SortStableFunc(out, func(a, b Point) int { return a.T.Compare(b.T) })
	return out
}
