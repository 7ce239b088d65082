package render

import (
	"image/color"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"gonum.org/v1/plot/vg/draw"
)

// Legend geometry in pixels.
const (
	legendGap     = 10 // between the time labels and the legend
	legendHeaderH = 16
	legendRowH    = 18
	legendColGap  = 28
	swatchW       = 20 // the colour sample and the space after it
	statGap       = 14
	maxValueRunes = 48 // one label value in the legend
)

var statHeaders = [3]string{"min", "max", "last"}

// legend is the table under the plot: one entry per drawn series.
type legend struct {
	entries    []legendEntry
	cols, rows int
	colW       float64
	statW      [3]float64
	height     float64 // including the gap above it
}

type legendEntry struct {
	label  string
	stats  [3]string
	color  color.Color
	dashed bool // a threshold series
}

// legendColumns is how many legend columns fit side by side in w pixels:
// each needs room for a label and three values.
func legendColumns(w float64) int {
	switch {
	case w >= 1000:
		return 3
	case w >= 640:
		return 2
	}
	return 1
}

// legendCapacity is how many series a chart of this size can list: the
// legend may take up to 30% of the height, and a series without an entry
// is not drawn (it is counted in the note instead).
func legendCapacity(w, h int) int {
	rows := int((0.3*float64(h) - legendGap - legendHeaderH) / legendRowH)
	return max(1, rows) * legendColumns(float64(w-2*pad))
}

// planLegend measures the legend for the drawn series in avail pixels.
func (r *Renderer) planLegend(p plan, u unit, avail, h float64) legend {
	n := len(p.lines)
	if n == 0 || !p.hasData {
		return legend{}
	}
	if _, ok := limitStats(p); ok {
		n++
	}
	lg := legend{cols: 1}
	if n > 3 {
		// Wide columns read better; take more only when the rows would
		// not fit.
		maxRows := max(1, int((0.3*h-legendGap-legendHeaderH)/legendRowH))
		lg.cols = min(legendColumns(avail), max(2, (n+maxRows-1)/maxRows))
	}
	lg.rows = (n + lg.cols - 1) / lg.cols
	lg.colW = (avail - float64(lg.cols-1)*legendColGap) / float64(lg.cols)
	lg.height = legendGap + legendHeaderH + float64(lg.rows)*legendRowH

	sty := r.fonts.style(false, legendSize, r.theme.text, draw.XLeft, draw.YCenter)
	labels := shortLabels(p.lines)
	for k, hd := range statHeaders {
		lg.statW[k] = width(sty, hd)
	}
	entries := make([]legendEntry, 0, n+1)
	values := make([][3]float64, 0, n+1)
	for i, l := range p.lines {
		entries = append(entries, legendEntry{label: labels[i], color: r.theme.seriesColor(i)})
		values = append(values, [3]float64{l.min, l.max, l.last})
	}
	if lim, ok := limitStats(p); ok {
		entries = append(entries, legendEntry{label: "threshold", color: r.theme.threshold, dashed: true})
		values = append(values, lim)
	}
	for i, e := range entries {
		for k, v := range values[i] {
			e.stats[k] = "–"
			if !math.IsNaN(v) {
				e.stats[k] = u.format(v)
			}
			lg.statW[k] = math.Max(lg.statW[k], width(sty, e.stats[k]))
		}
		lg.entries = append(lg.entries, e)
	}
	labelW := 0.0
	for i := range lg.entries {
		// Past this the label is cut; it also bounds the measuring.
		lg.entries[i].label = fit(sty, lg.entries[i].label, lg.colW)
		labelW = math.Max(labelW, width(sty, lg.entries[i].label))
	}
	for k := range lg.statW {
		lg.statW[k] += statGap
	}
	// Columns only as wide as their content, so that the values stay next
	// to the names they belong to rather than across the image.
	need := swatchW + labelW + lg.statW[0] + lg.statW[1] + lg.statW[2]
	lg.colW = math.Min(lg.colW, need)
	return lg
}

// limitStats is the legend's min, max and last of the threshold series
// (the last of the first that has one); false when there are none with a
// value.
func limitStats(p plan) ([3]float64, bool) {
	if math.IsNaN(p.limLo) {
		return [3]float64{}, false
	}
	last := math.NaN()
	for _, l := range p.limits {
		if !math.IsNaN(l.last) {
			last = l.last
			break
		}
	}
	return [3]float64{p.limLo, p.limHi, last}, true
}

// drawLegend draws the legend with its top at y, column by column, so the
// highest series read first, top to bottom.
func (r *Renderer) drawLegend(cv canvas, lg legend, y float64) {
	if len(lg.entries) == 0 {
		return
	}
	y += legendGap
	head := r.fonts.style(false, smallSize, r.theme.muted, draw.XRight, draw.YCenter)
	sty := r.fonts.style(false, legendSize, r.theme.text, draw.XLeft, draw.YCenter)
	num := r.fonts.style(false, legendSize, r.theme.text, draw.XRight, draw.YCenter)
	statsW := lg.statW[0] + lg.statW[1] + lg.statW[2]
	labelW := lg.colW - swatchW - statsW
	for c := 0; c < lg.cols; c++ {
		x := pad + float64(c)*(lg.colW+legendColGap)
		right := x + lg.colW
		for k := 2; k >= 0; k-- {
			cv.text(head, right, y+legendHeaderH/2, statHeaders[k])
			right -= lg.statW[k]
		}
	}
	for i, e := range lg.entries {
		c, row := i/lg.rows, i%lg.rows
		x := pad + float64(c)*(lg.colW+legendColGap)
		cy := y + legendHeaderH + float64(row)*legendRowH + legendRowH/2
		if e.dashed {
			cv.rect(e.color, x, math.Floor(cy)-1, x+5, math.Floor(cy)+1)
			cv.rect(e.color, x+9, math.Floor(cy)-1, x+14, math.Floor(cy)+1)
		} else {
			cv.rect(e.color, x, math.Floor(cy)-1, x+14, math.Floor(cy)+2)
		}
		cv.text(sty, x+swatchW, cy, fit(sty, e.label, labelW))
		right := x + lg.colW
		for k := 2; k >= 0; k-- {
			cv.text(num, right, cy, e.stats[k])
			right -= lg.statW[k]
		}
	}
}

// shortLabels names each series by the labels that tell it apart from the
// others (all of its labels when it is alone), Prometheus style:
// `up{instance=a}` or `instance=a, job=b`.
func shortLabels(lines []line) []string {
	keySet := map[string]bool{}
	for _, l := range lines {
		for k := range l.labels {
			keySet[k] = true
		}
	}
	var keys []string
	for k := range keySet {
		if len(lines) == 1 || differs(lines, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := make([]string, len(lines))
	var b strings.Builder
	for i, l := range lines {
		b.Reset()
		name, hasName := l.labels["__name__"]
		for _, k := range keys {
			v, ok := l.labels[k]
			if k == "__name__" || !ok {
				continue
			}
			if b.Len() > 0 {
				b.WriteString(", ")
			}
			b.WriteString(clean(k) + "=" + cutRunes(clean(v), maxValueRunes))
		}
		s := b.String()
		if hasName && slices.Contains(keys, "__name__") {
			if s != "" {
				s = "{" + s + "}"
			}
			s = clean(name) + s
		}
		if s == "" {
			s = "{}"
		}
		out[i] = s
	}
	return out
}

// differs reports whether label k is not the same on every line.
func differs(lines []line, k string) bool {
	v0, ok0 := lines[0].labels[k]
	for _, l := range lines[1:] {
		if v, ok := l.labels[k]; ok != ok0 || v != v0 {
			return true
		}
	}
	return false
}

func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
