package unit

import (
	"math"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
)

func TestFormat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		id   string
		v    float64
		want string
	}{
		{Bytes, 0, "0 B"},
		{Bytes, 1536, "1.5 KiB"},
		{Bytes, 30.6, "30.6 B"},
		{Bytes, 3 << 30, "3 GiB"},
		{Bytes, -2048, "-2 KiB"},
		{DecBytes, 1500, "1.5 kB"},
		{KiBytes, 2048, "2 MiB"},
		{GiBytes, 0.5, "512 MiB"},
		{BytesPerSec, 3 << 20, "3 MiB/s"},
		{BytesPerSec, 100, "100 B/s"},
		{BitsPerSec, 2.5e9, "2.5 Gb/s"},
		{Seconds, 0.00025, "250 µs"},
		{Seconds, 1.5, "1.5 s"},
		{Seconds, 90, "1.5 min"},
		{Seconds, 7200, "2 h"},
		{Seconds, 30 * 86400, "30 d"},
		{Seconds, 0, "0 s"},
		{Milliseconds, 250, "250 ms"},
		{Milliseconds, 1500, "1.5 s"},
		{Milliseconds, 0, "0 ms"},
		{Nanoseconds, 1500, "1.5 µs"},
		{Days, 0.5, "12 h"},
		{Hours, 36, "1.5 d"},
		{Percent, 42, "42 %"},
		{Percent, 93.24, "93.2 %"},
		{PercentUnit, 0.0199, "1.99 %"},
		{PercentUnit, 0.5, "50 %"},
		{Celsius, 42.5, "42.5 °C"},
		{Short, 12345, "12.3k"},
		{Short, 0.0042, "0.0042"},
		{None, 12345, "12345"},
		{None, 1, "1"},
		{PerSecond, 12345, "12.3k/s"},
		{PerSecond, 0.5, "0.5/s"},
		{"reqps", 42, "42/s"},
		{"furlongs", 2.5e9, "2.5G"},
		{Short, math.NaN(), "NaN"},
		{Bytes, math.Inf(1), "+Inf"},
	} {
		if got := Format(tc.id, tc.v); got != tc.want {
			t.Errorf("Format(%q, %v) = %q, want %q", tc.id, tc.v, got, tc.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, want string
		ok         bool
	}{
		{"bytes", Bytes, true}, {"seconds", Seconds, true}, {"Seconds", Seconds, true},
		{"s", Seconds, true}, {"percent", Percent, true}, {"ratio", PercentUnit, true},
		{"percentunit", PercentUnit, true}, {"short", Short, true}, {" none ", None, true},
		{"Bps", BytesPerSec, true}, {"bps", BitsPerSec, true}, {"BPS", "", false},
		{"binBps", BytesPerSec, true}, {"ms", Milliseconds, true}, {"us", Microseconds, true},
		{"celsius", Celsius, true}, {"ops", PerSecond, true}, {"reqps", PerSecond, true},
		{"decbytes", DecBytes, true}, {"furlongs", "", false}, {"", "", false},
	} {
		if got, ok := Normalize(tc.name); got != tc.want || ok != tc.ok {
			t.Errorf("Normalize(%q) = %q, %v, want %q, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestOfQueryAndMetric(t *testing.T) {
	t.Parallel()
	if got := OfQuery(`not promql (`); got != Short {
		t.Errorf("unparsable: %q", got)
	}
	if got := OfQuery(`rate(node_network_receive_bytes_total[5m])`); got != BytesPerSec {
		t.Errorf("rate of bytes: %q", got)
	}
	for name, want := range map[string]string{
		"node_memory_MemAvailable_bytes": Bytes, "instance:cpu_usage:percent": Percent,
		"http_requests_inflight": Short, "node_cpu_seconds_total": Seconds, "": Short,
	} {
		if got := OfMetric(name); got != want {
			t.Errorf("OfMetric(%q) = %q, want %q", name, got, want)
		}
	}
}

// FuzzOf: any expression that parses gets an id Format knows, without
// panicking.
func FuzzOf(f *testing.F) {
	for _, r := range rules {
		f.Add(r.expr)
	}
	f.Fuzz(func(t *testing.T, s string) {
		expr, err := parser.NewParser(parser.Options{}).ParseExpr(s)
		if err != nil {
			return
		}
		id := Of(expr)
		if canon, ok := Normalize(id); !ok || canon != id {
			t.Fatalf("%s: unit %q", s, id)
		}
		_ = Format(id, 1.5)
	})
}
