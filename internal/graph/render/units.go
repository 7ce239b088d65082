package render

import (
	gunit "github.com/heraldhq/herald/internal/graph/unit"
)

// unit says how values are humanised on the y axis and in the legend: a
// Grafana unit id of package unit (bytes, Bps, s, percent, percentunit,
// short, ...).
type unit string

// The units the layout treats specially (percentages have a natural 0–100 %
// range), and those the tests use.
const (
	unitShort   unit = gunit.Short
	unitBytes   unit = gunit.Bytes
	unitSeconds unit = gunit.Seconds
	unitPercent unit = gunit.Percent
	unitRatio   unit = gunit.PercentUnit // 0–1, shown ×100 as %
)

// unitOf resolves Chart.Unit: a Grafana unit id, or one of Herald's older
// names (bytes, seconds, percent, ratio, short); an unknown one means
// short. When it is empty the unit comes from the metric name alone, by
// the Prometheus naming conventions (see package unit).
func unitOf(explicit, metric string) unit {
	if explicit == "" {
		return unit(gunit.OfMetric(metric))
	}
	if id, ok := gunit.Normalize(explicit); ok {
		return unit(id)
	}
	return unitShort
}

// scale is a display unit: shown value = value / div, followed by suffix.
type scale struct {
	div    float64
	suffix string
}

// scaleFor picks the display unit for values up to abs in magnitude: the
// largest one in which abs is still at least 1.
func (u unit) scaleFor(abs float64) scale {
	s := gunit.ScaleFor(string(u), abs)
	return scale{s.Div, s.Suffix}
}

// join puts a number and a suffix together: "1.5 GiB", "90 %", but SI
// prefixes stick to the number as usual ("1.5k").
func (u unit) join(num, suffix string) string { return gunit.Join(string(u), num, suffix) }

// format humanises one value with three significant digits, dropping
// trailing zeros: 1.5 GiB, 250 ms, 93.2 %, 12.3k, 0.0042.
func (u unit) format(v float64) string { return gunit.Format(string(u), v) }
