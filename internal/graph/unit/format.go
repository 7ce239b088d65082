package unit

import (
	"math"
	"strconv"
	"strings"
)

// Scale is one display unit of a unit id: a value v is shown as v / Div
// followed by Suffix.
type Scale struct {
	Div    float64
	Suffix string
}

// family is how the values of one unit id are displayed: the display units
// from the smallest, in the base unit (bytes, seconds, ...), and the size f
// of one value of the id in that base unit (1024 for kbytes, 0.001 for ms).
type family struct {
	scales []Scale
	f      float64
	stick  bool // the suffix sticks to the number (SI prefixes: "1.5k")
}

// The display units of each family, in base units. These are never
// modified.
var (
	bytesScales = []Scale{{1, "B"}, {1 << 10, "KiB"}, {1 << 20, "MiB"}, {1 << 30, "GiB"},
		{1 << 40, "TiB"}, {1 << 50, "PiB"}, {1 << 60, "EiB"}}
	decBytesScales = []Scale{{1, "B"}, {1e3, "kB"}, {1e6, "MB"}, {1e9, "GB"}, {1e12, "TB"},
		{1e15, "PB"}, {1e18, "EB"}}
	bytesPerSecScales = []Scale{{1, "B/s"}, {1 << 10, "KiB/s"}, {1 << 20, "MiB/s"}, {1 << 30, "GiB/s"},
		{1 << 40, "TiB/s"}, {1 << 50, "PiB/s"}}
	bitsPerSecScales = []Scale{{1, "b/s"}, {1e3, "kb/s"}, {1e6, "Mb/s"}, {1e9, "Gb/s"},
		{1e12, "Tb/s"}, {1e15, "Pb/s"}}
	siScales = []Scale{{1, ""}, {1e3, "k"}, {1e6, "M"}, {1e9, "G"}, {1e12, "T"},
		{1e15, "P"}, {1e18, "E"}}
	perSecScales = []Scale{{1, "/s"}, {1e3, "k/s"}, {1e6, "M/s"}, {1e9, "G/s"}, {1e12, "T/s"},
		{1e15, "P/s"}, {1e18, "E/s"}}
	secondsScales = []Scale{{1e-9, "ns"}, {1e-6, "µs"}, {1e-3, "ms"}, {1, "s"},
		{60, "min"}, {3600, "h"}, {86400, "d"}}
	percentScales     = []Scale{{1, "%"}}
	percentUnitScales = []Scale{{0.01, "%"}}
	celsiusScales     = []Scale{{1, "°C"}}
	noneScales        = []Scale{{1, ""}}
)

// familyOf returns the display of a unit id; an unknown id is Short.
func familyOf(id string) family {
	switch id {
	case Bytes:
		return family{scales: bytesScales, f: 1}
	case KiBytes:
		return family{scales: bytesScales, f: 1 << 10}
	case MiBytes:
		return family{scales: bytesScales, f: 1 << 20}
	case GiBytes:
		return family{scales: bytesScales, f: 1 << 30}
	case DecBytes:
		return family{scales: decBytesScales, f: 1}
	case BytesPerSec:
		return family{scales: bytesPerSecScales, f: 1}
	case BitsPerSec:
		return family{scales: bitsPerSecScales, f: 1}
	case Nanoseconds:
		return family{scales: secondsScales, f: 1e-9}
	case Microseconds:
		return family{scales: secondsScales, f: 1e-6}
	case Milliseconds:
		return family{scales: secondsScales, f: 1e-3}
	case Seconds:
		return family{scales: secondsScales, f: 1}
	case Minutes:
		return family{scales: secondsScales, f: 60}
	case Hours:
		return family{scales: secondsScales, f: 3600}
	case Days:
		return family{scales: secondsScales, f: 86400}
	case Percent:
		return family{scales: percentScales, f: 1}
	case PercentUnit:
		return family{scales: percentUnitScales, f: 1}
	case Celsius:
		return family{scales: celsiusScales, f: 1}
	case None:
		return family{scales: noneScales, f: 1}
	case PerSecond:
		return family{scales: perSecScales, f: 1, stick: true}
	}
	if canon, ok := Normalize(id); ok && canon != id {
		return familyOf(canon)
	}
	return family{scales: siScales, f: 1, stick: true}
}

// ScaleFor picks the display unit of id for values up to abs in magnitude:
// the largest one in which abs is still at least 1. Div is in the id's own
// values (for ms, the "s" display unit has Div 1000). For 0 and NaN it is
// the id's own display unit (0 B, 0 s, 0 ms).
func ScaleFor(id string, abs float64) Scale {
	fam := familyOf(id)
	ss := fam.scales
	s := Scale{ss[0].Div / fam.f, ss[0].Suffix}
	if abs == 0 || math.IsNaN(abs) {
		for _, c := range ss {
			if c.Div == fam.f {
				return Scale{1, c.Suffix}
			}
		}
		return s
	}
	for _, c := range ss[1:] {
		if d := c.Div / fam.f; abs >= d {
			s = Scale{d, c.Suffix}
		}
	}
	return s
}

// Join puts a number and a display unit's suffix together: "1.5 GiB",
// "90 %", but SI prefixes stick to the number as usual ("1.5k", "12k/s").
func Join(id, num, suffix string) string {
	if suffix == "" || familyOf(id).stick {
		return num + suffix
	}
	return num + " " + suffix
}

// Format humanises v, a value in the unit id, with three significant
// digits and no trailing zeros: 1.5 GiB, 250 ms, 93.2 %, 12.3k, 0.0042,
// 1.2 MiB/s, 42 °C. An unknown id formats as Short.
func Format(id string, v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	s := ScaleFor(id, math.Abs(v))
	x := v / s.Div
	ax := math.Abs(x)
	var num string
	switch {
	case x == 0:
		num = "0"
	case ax < 1 || ax >= 1e6: // no smaller (or larger) display unit left
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
	return Join(id, num, s.Suffix)
}

func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
