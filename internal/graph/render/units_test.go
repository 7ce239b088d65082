package render

import (
	"math"
	"slices"
	"testing"
)

func TestUnitOf(t *testing.T) {
	for _, tc := range []struct {
		unit, metric string
		want         unit
	}{
		{"", "node_memory_MemAvailable_bytes", unitBytes},
		{"", "node_network_receive_bytes_total", unitBytes},
		{"", "http_request_duration_seconds", unitSeconds},
		// A bucket's samples are counts; the analysis of the whole query
		// (histogram_quantile) gives seconds, not the name alone.
		{"", "http_request_duration_seconds_bucket", unitShort},
		// The raw counter is cumulative seconds; its rate, a ratio, is
		// the analysis of the query's business.
		{"", "node_cpu_seconds_total", unitSeconds},
		{"", "node_filesystem_avail_ratio", unitRatio},
		{"", "instance:cpu_usage:percent", unitPercent},
		{"", "disk_used_percentage", unitPercent},
		{"", "http_requests_total", unitShort},
		{"", "http_request_duration_seconds_count", unitShort},
		{"", "", unitShort},
		{"bytes", "x_seconds", unitBytes},
		{"Seconds", "", unitSeconds},
		{"s", "", unitSeconds},
		{"percent", "", unitPercent},
		{"percentunit", "", unitRatio},
		{"ratio", "", unitRatio},
		{"short", "x_bytes", unitShort},
		{"furlongs", "x_bytes", unitShort},
		{"Bps", "", "Bps"},
		{"bps", "", "bps"},
		{"ms", "", "ms"},
		{"celsius", "", "celsius"},
		{"reqps", "", "cps"},
	} {
		if got := unitOf(tc.unit, tc.metric); got != tc.want {
			t.Errorf("unitOf(%q, %q) = %v, want %v", tc.unit, tc.metric, got, tc.want)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		u    unit
		v    float64
		want string
	}{
		{unitBytes, 0, "0 B"},
		{unitBytes, 512, "512 B"},
		{unitBytes, 1536, "1.5 KiB"},
		{unitBytes, 3 << 30, "3 GiB"},
		{unitBytes, 1.234 * (1 << 40), "1.23 TiB"},
		{unitBytes, -2048, "-2 KiB"},
		{unitSeconds, 0.00025, "250 µs"},
		{unitSeconds, 0.0123, "12.3 ms"},
		{unitSeconds, 1.5, "1.5 s"},
		{unitSeconds, 90, "1.5 min"},
		{"Bps", 3 << 20, "3 MiB/s"},
		{"cps", 12345, "12.3k/s"},
		{"ms", 250, "250 ms"},
		{"celsius", 42.5, "42.5 °C"},
		{unitSeconds, 7200, "2 h"},
		{unitSeconds, 3e-10, "0.3 ns"},
		{unitPercent, 93.24, "93.2 %"},
		{unitRatio, 0.5, "50 %"},
		{unitRatio, 0.001, "0.1 %"},
		{unitShort, 0, "0"},
		{unitShort, 12345, "12.3k"},
		{unitShort, 2.5e9, "2.5G"},
		{unitShort, 0.0042, "0.0042"},
		{unitShort, 42, "42"},
		{unitShort, 2e21, "2000E"},
		{unitShort, math.NaN(), "NaN"},
		{unitShort, math.Inf(-1), "-Inf"},
	} {
		if got := tc.u.format(tc.v); got != tc.want {
			t.Errorf("%v.format(%v) = %q, want %q", tc.u, tc.v, got, tc.want)
		}
	}
}

func TestNiceYAxis(t *testing.T) {
	for _, tc := range []struct {
		name   string
		lo, hi float64
		u      unit
		n      int
		labels []string
	}{
		{"percent", 38, 99, unitPercent, 6, []string{"30 %", "40 %", "50 %", "60 %", "70 %", "80 %", "90 %", "100 %"}},
		{"ratio", 0.12, 0.5, unitRatio, 4, []string{"10 %", "20 %", "30 %", "40 %", "50 %"}},
		{"bytes in GiB", 4.2 * (1 << 30), 12.3 * (1 << 30), unitBytes, 5, []string{"4 GiB", "6 GiB", "8 GiB", "10 GiB", "12 GiB", "14 GiB"}},
		{"seconds in ms", 0.012, 0.048, unitSeconds, 4, []string{"10 ms", "20 ms", "30 ms", "40 ms", "50 ms"}},
		{"SI", 1200, 4800, unitShort, 4, []string{"1k", "2k", "3k", "4k", "5k"}},
		{"bytes per second", 1.2 * (1 << 20), 4.8 * (1 << 20), "Bps", 4, []string{"1 MiB/s", "2 MiB/s", "3 MiB/s", "4 MiB/s", "5 MiB/s"}},
		{"per second", 1200, 4800, "cps", 4, []string{"1k/s", "2k/s", "3k/s", "4k/s", "5k/s"}},
		{"milliseconds", 120, 480, "ms", 4, []string{"100 ms", "200 ms", "300 ms", "400 ms", "500 ms"}},
		{"halves", 0, 2, unitShort, 4, []string{"0.0", "0.5", "1.0", "1.5", "2.0"}},
		{"quarters", 0, 1, unitShort, 4, []string{"0.00", "0.25", "0.50", "0.75", "1.00"}},
		{"negative", -3, 3, unitShort, 6, []string{"-3", "-2", "-1", "0", "1", "2", "3"}},
		{"flat zero", 0, 0, unitShort, 5, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{"flat", 50, 50, unitShort, 5, []string{"44", "46", "48", "50", "52", "54", "56"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := niceYAxis(tc.lo, tc.hi, tc.u, tc.n)
			if !slices.Equal(a.labels, tc.labels) {
				t.Errorf("labels %q, want %q", a.labels, tc.labels)
			}
			if a.lo > tc.lo || a.hi < tc.hi {
				t.Errorf("axis [%v, %v] does not cover the data [%v, %v]", a.lo, a.hi, tc.lo, tc.hi)
			}
		})
	}
}

// TestNiceYAxisExtremes: whatever the range, a few finite ticks and no hang.
func TestNiceYAxisExtremes(t *testing.T) {
	m := math.MaxFloat64
	for _, r := range [][2]float64{{-m, m}, {m, m}, {-m, -m}, {5e-324, 5e-324}, {0, 5e-324},
		{1e15, 1e15 + 1}, {-1e-300, 1e300}, {1, 1 + 1e-15}} {
		for _, u := range []unit{unitShort, unitBytes, unitSeconds, unitPercent, unitRatio, "Bps", "ms", "cps", "celsius", "none"} {
			a := niceYAxis(r[0], r[1], u, 6)
			if len(a.ticks) > maxYTicks || !finite(a.lo) || !finite(a.hi) || !(a.lo < a.hi) {
				t.Errorf("%v %v: axis [%v, %v] with %d ticks", r, u, a.lo, a.hi, len(a.ticks))
			}
		}
	}
}
