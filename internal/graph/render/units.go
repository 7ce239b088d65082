package render

import (
	"math"
	"strconv"
	"strings"
)

// unit says how values are humanised on the y axis and in the legend.
type unit int

const (
	unitShort   unit = iota // SI prefixes k, M, G, ...
	unitBytes               // 1024-based KiB, MiB, GiB, ...
	unitSeconds             // ns, µs, ms, s, m, h, d
	unitPercent             // the value is already 0–100
	unitRatio               // the value is 0–1 and shown ×100 as %
)

// unitOf resolves Chart.Unit, falling back to the metric name when it is
// empty. Names follow the Prometheus naming conventions, after dropping the
// suffixes that counters and histograms add (_total, _bucket, _sum):
//
//	*_bytes                 bytes
//	*_seconds               seconds
//	*_seconds_total         ratio: such a counter is charted as a rate, and
//	                        seconds per second is a busy fraction (CPU)
//	*_ratio                 ratio (0–1, shown as %)
//	*_percent, *_percentage percent (0–100)
//	*_count, anything else  short (SI)
//
// Explicit units: "bytes", "seconds" (or "s"), "percent", "ratio" (or
// Grafana's "percentunit"), "short"; an unknown one means short.
func unitOf(explicit, metric string) unit {
	switch strings.ToLower(strings.TrimSpace(explicit)) {
	case "bytes", "decbytes":
		return unitBytes
	case "seconds", "s":
		return unitSeconds
	case "percent":
		return unitPercent
	case "ratio", "percentunit":
		return unitRatio
	case "":
	default:
		return unitShort
	}
	// Recording rules name their results level:metric:operations, so a
	// colon separates words as well as an underscore.
	name := strings.ReplaceAll(strings.ToLower(metric), ":", "_")
	counter := false
	for _, suf := range []string{"_total", "_bucket", "_sum"} {
		if s, ok := strings.CutSuffix(name, suf); ok {
			name, counter = s, suf == "_total"
			break
		}
	}
	switch {
	case strings.HasSuffix(name, "_bytes"):
		return unitBytes
	case strings.HasSuffix(name, "_seconds") && counter:
		return unitRatio
	case strings.HasSuffix(name, "_seconds"):
		return unitSeconds
	case strings.HasSuffix(name, "_ratio"):
		return unitRatio
	case strings.HasSuffix(name, "_percent"), strings.HasSuffix(name, "_percentage"):
		return unitPercent
	}
	return unitShort
}

// scale is a display unit: shown value = value / div, followed by suffix.
type scale struct {
	div    float64
	suffix string
}

var (
	bytesScales = []scale{{1, "B"}, {1 << 10, "KiB"}, {1 << 20, "MiB"}, {1 << 30, "GiB"},
		{1 << 40, "TiB"}, {1 << 50, "PiB"}, {1 << 60, "EiB"}}
	siScales = []scale{{1, ""}, {1e3, "k"}, {1e6, "M"}, {1e9, "G"}, {1e12, "T"},
		{1e15, "P"}, {1e18, "E"}}
	secondsScales = []scale{{1e-9, "ns"}, {1e-6, "µs"}, {1e-3, "ms"}, {1, "s"},
		{60, "m"}, {3600, "h"}, {86400, "d"}}
)

// scaleFor picks the display unit for values up to abs in magnitude: the
// largest one in which abs is still at least 1.
func (u unit) scaleFor(abs float64) scale {
	var ss []scale
	switch u {
	case unitPercent:
		return scale{1, "%"}
	case unitRatio:
		return scale{0.01, "%"}
	case unitBytes:
		ss = bytesScales
	case unitSeconds:
		ss = secondsScales
		if abs == 0 || math.IsNaN(abs) {
			return scale{1, "s"}
		}
	default:
		ss = siScales
	}
	s := ss[0]
	for _, c := range ss[1:] {
		if abs >= c.div {
			s = c
		}
	}
	return s
}

// join puts a number and a suffix together: "1.5 GiB", "90 %", but SI
// prefixes stick to the number as usual ("1.5k").
func (u unit) join(num, suffix string) string {
	if suffix == "" || u == unitShort {
		return num + suffix
	}
	return num + " " + suffix
}

// format humanises one value with three significant digits, dropping
// trailing zeros: 1.5 GiB, 250 ms, 93.2 %, 12.3k, 0.0042.
func (u unit) format(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	s := u.scaleFor(math.Abs(v))
	x := v / s.div
	ax := math.Abs(x)
	var num string
	switch {
	case x == 0:
		num = "0"
	case ax < 1 || ax >= 1e6: // no smaller (or larger) unit left
		num = strconv.FormatFloat(x, 'g', 3, 64)
	default:
		dec := 2
		if ax >= 100 {
			dec = 0
		} else if ax >= 10 {
			dec = 1
		}
		num = trimZeros(strconv.FormatFloat(x, 'f', dec, 64))
	}
	return u.join(num, s.suffix)
}

func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
