// Package unit finds the unit of a PromQL expression's values by dimensional
// analysis of its syntax tree, and formats values in that unit.
//
// Units are named by Grafana unit ids, the names users already know from
// their dashboards. The analysis starts from the Prometheus naming
// conventions of each selected metric (…_bytes, …_seconds_total, …_ratio,
// histograms' _bucket, _sum and _count, recording rules' level:metric:ops),
// carries the units through functions (rate of a bytes counter is bytes per
// second, histogram_quantile of a seconds histogram is seconds) and through
// operators (bytes / bytes is a ratio, a ratio × 100 a percent), and names
// the result. Whenever it is not sure it answers Short, a plain number: a
// chart with no unit is honest, a chart with a wrong one misleads.
package unit

import "strings"

// Grafana unit ids that Herald formats. Values of the result are in the
// unit the id names, as in Grafana: 0.5 in PercentUnit is 50 %, 250 in
// Milliseconds is 250 ms.
const (
	Short        = "short"       // plain number with SI prefixes: 1.5k, 2.3M
	None         = "none"        // plain number as it is: 0, 1 (flags, info metrics)
	Percent      = "percent"     // 0–100, shown as 42 %
	PercentUnit  = "percentunit" // 0–1, shown ×100 as %
	Bytes        = "bytes"       // 1024-based: KiB, MiB, GiB
	DecBytes     = "decbytes"    // 1000-based: kB, MB, GB
	KiBytes      = "kbytes"      // value in KiB, shown 1024-based
	MiBytes      = "mbytes"      // value in MiB
	GiBytes      = "gbytes"      // value in GiB
	BytesPerSec  = "Bps"         // bytes per second, 1024-based: KiB/s, MiB/s
	BitsPerSec   = "bps"         // bits per second, 1000-based: kb/s, Mb/s
	Nanoseconds  = "ns"          // durations: all shown as ns, µs, ms, s, min, h, d
	Microseconds = "µs"
	Milliseconds = "ms"
	Seconds      = "s"
	Minutes      = "m"
	Hours        = "h"
	Days         = "d"
	Celsius      = "celsius" // °C
	// PerSecond is the rate of a plain counter (requests, errors, restarts):
	// a number per second, shown with SI prefixes and "/s" (12.3k/s). It is
	// Grafana's "counts per second"; Grafana's ops, reqps, iops, rps, wps
	// and cps are all accepted for it.
	PerSecond = "cps"
)

// aliases maps every accepted unit name to its id: the ids themselves,
// Grafana's names for the same display, and the names Herald's herald_unit
// annotation accepted before it took Grafana ids.
var aliases = map[string]string{
	Short: Short, None: None, Percent: Percent, PercentUnit: PercentUnit,
	Bytes: Bytes, DecBytes: DecBytes, KiBytes: KiBytes, MiBytes: MiBytes, GiBytes: GiBytes,
	BytesPerSec: BytesPerSec, "binBps": BytesPerSec, BitsPerSec: BitsPerSec,
	Nanoseconds: Nanoseconds, Microseconds: Microseconds, "us": Microseconds,
	Milliseconds: Milliseconds, Seconds: Seconds, Minutes: Minutes, Hours: Hours, Days: Days,
	Celsius:   Celsius,
	PerSecond: PerSecond, "ops": PerSecond, "reqps": PerSecond, "iops": PerSecond,
	"rps": PerSecond, "wps": PerSecond,
	// Herald's own names (before Grafana ids).
	"seconds": Seconds, "ratio": PercentUnit,
}

// Normalize returns the unit id for a name given by a user (the
// herald_unit annotation): a Grafana id or one of Herald's older names
// (bytes, seconds, percent, ratio, short). Ids are case-sensitive as in
// Grafana (Bps is bytes, bps bits per second); a name that matches no id
// exactly is tried in lower case, except for those two. ok is false for an
// unknown name.
func Normalize(name string) (id string, ok bool) {
	name = strings.TrimSpace(name)
	if id, ok := aliases[name]; ok {
		return id, true
	}
	l := strings.ToLower(name)
	if l == "bps" {
		return "", false // Bps or bps: the case is the meaning
	}
	id, ok = aliases[l]
	return id, ok
}
