package unit

import (
	"strings"

	"github.com/prometheus/prometheus/model/labels"
)

// ofMetric is the unit of a metric's samples, from its name by the
// Prometheus naming conventions (https://prometheus.io/docs/practices/naming/)
// and from the few well-known metrics that do not follow them.
func ofMetric(name string, ms []*labels.Matcher) q {
	var x q
	switch {
	case name == "":
		return q{}
	case strings.Contains(name, ":"):
		x = ofRecorded(name)
	default:
		x = ofName(name, ms)
	}
	x.name = name
	return x
}

// ofName reads a metric name without colons.
func ofName(name string, ms []*labels.Matcher) q {
	if x, ok := known(name, ms); ok {
		return x
	}
	n := strings.ToLower(name)
	switch {
	case strings.HasSuffix(n, "_info"):
		return q{kind: info}
	case n == "up", n == "probe_success", strings.HasSuffix(n, "_up"):
		// Target health: 1 up, 0 down.
		return q{kind: flag}
	}
	for _, suf := range []string{"_total", "_sum", "_bucket", "_count"} {
		base, ok := strings.CutSuffix(n, suf)
		if !ok {
			continue
		}
		b, dimmed := baseUnit(base)
		var x q
		switch {
		case suf == "_total" && dimmed: // bytes, seconds, ... counted
			x = b
		case suf == "_total": // a plain counter counts events
			x = qDim(0, 0, 1, 1)
		case suf == "_sum" && dimmed: // the sum of the observed values
			x = b
		case suf == "_sum":
			return q{}
		default: // _bucket, _count: observations counted
			x = qDim(0, 0, 1, 1)
		}
		x.counter = true
		x.obs, x.hasObs = b.d, dimmed
		return x
	}
	for _, suf := range []string{"_timestamp_seconds", "_start_time_seconds", "_boot_time_seconds",
		"_mtime_seconds", "_expiry_time_seconds"} {
		if strings.HasSuffix(n, suf) || n == "node_time_seconds" {
			return q{kind: timestamp}
		}
	}
	if strings.HasSuffix(n, "_time_seconds") {
		// A moment (node_boot_time_seconds) or a duration
		// (probe_dns_lookup_time_seconds): the name does not say.
		return q{}
	}
	if strings.HasSuffix(n, "_celsius") {
		return q{kind: celsius}
	}
	if b, ok := baseUnit(n); ok {
		// A native histogram is named like its observations.
		b.obs, b.hasObs = b.d, true
		return b
	}
	return q{}
}

// baseUnit is the unit a name's suffix names, and whether it names one.
func baseUnit(n string) (q, bool) {
	for _, s := range []struct {
		suffix string
		x      q
	}{
		{"_bytes", qDim(1, 0, 0, 1)},
		{"_bits", qDim(1, 0, 0, 1.0/8)},
		{"_seconds", qDim(0, 1, 0, 1)},
		{"_milliseconds", qDim(0, 1, 0, 1e-3)},
		{"_microseconds", qDim(0, 1, 0, 1e-6)},
		{"_nanoseconds", qDim(0, 1, 0, 1e-9)},
		{"_ratio", fraction()},
		{"_percent", qDim(0, 0, 0, 0.01)},
		{"_percentage", qDim(0, 0, 0, 0.01)},
		// CPU cores are CPU seconds per second, like the rate of a
		// _seconds_total counter, so usage / cores is a ratio.
		{"_cores", fraction()},
	} {
		if strings.HasSuffix(n, s.suffix) {
			return s.x, true
		}
	}
	return q{}, false
}

// known are widely used metrics whose names do not say their unit.
func known(name string, ms []*labels.Matcher) (q, bool) {
	switch name {
	case "probe_ssl_earliest_cert_expiry", "container_last_seen", "probe_ssl_last_chain_expiry_timestamp_seconds":
		return q{kind: timestamp}, true
	case "kube_pod_container_resource_requests", "kube_pod_container_resource_limits",
		"kube_node_status_allocatable", "kube_node_status_capacity":
		// kube-state-metrics 2 names the resource in a label.
		switch matcherValue(ms, "resource") {
		case "memory", "ephemeral_storage", "storage":
			return qDim(1, 0, 0, 1), true
		case "cpu":
			return fraction(), true
		}
		return q{}, true
	}
	return q{}, false
}

// matcherValue is the value a selector requires of a label, "" when it
// does not require exactly one.
func matcherValue(ms []*labels.Matcher, name string) string {
	for _, m := range ms {
		if m.Name == name && m.Type == labels.MatchEqual {
			return m.Value
		}
	}
	return ""
}

// ofRecorded reads a recording rule's name, level:metric:operations
// (https://prometheus.io/docs/practices/rules/): the metric part by the
// conventions above, then the operations: "ratio" and "percent" say the
// unit outright, rate/irate/deriv make it per second; aggregations keep it.
// Operations it does not know make the unit unknown.
func ofRecorded(name string) q {
	parts := strings.Split(name, ":")
	metric, ops := parts[len(parts)-1], ""
	if len(parts) >= 2 && opLike(metric) {
		metric, ops = parts[len(parts)-2], parts[len(parts)-1]
	}
	x := ofName(metric, nil)
	if ops == "" {
		return x
	}
	words := opWords(ops)
	for _, w := range words {
		switch w {
		case "ratio":
			return fraction()
		case "percent", "percentage":
			return qDim(0, 0, 0, 0.01)
		}
	}
	for _, w := range words {
		switch w {
		case "rate", "irate", "deriv":
			// The metric part of a rate drops the counter's _total
			// (instance_device:node_disk_io_time_seconds:rate5m); put it
			// back when the name has a unit, so seconds stay a counter.
			if c := ofName(metric+"_total", nil); !strings.HasSuffix(metric, "_total") && c.kind == dim && (c.d.bytes != 0 || c.d.secs != 0) {
				x = c
			}
			x = perSecond(x)
		case "count":
			return qDim(0, 0, 1, 1)
		}
	}
	return x
}

// opWords are the operations of a recording rule's name without their
// ranges: "sum_rate5m" is sum and rate.
func opWords(ops string) []string {
	var ws []string
	for _, t := range strings.Split(ops, "_") {
		if i := strings.IndexAny(t, "0123456789"); i >= 0 {
			t = t[:i]
		}
		ws = append(ws, t)
	}
	return ws
}

// opLike says whether the last part of a recording rule's name is a list of
// operations (rate5m, sum_irate, ratio_rate30d, avg) rather than a metric.
func opLike(s string) bool {
	for _, t := range strings.Split(s, "_") {
		if !opToken(t) {
			return false
		}
	}
	return s != ""
}

func opToken(t string) bool {
	i := strings.IndexAny(t, "0123456789")
	word, rng := t, ""
	if i >= 0 {
		word, rng = t[:i], t[i:]
	}
	if word == "p" && rng != "" && strings.Trim(rng, "0123456789") == "" {
		return true // p99
	}
	switch word {
	case "rate", "irate", "deriv", "increase", "delta", "sum", "avg", "mean", "max", "min", "count",
		"ratio", "percent", "percentage", "quantile", "histogram", "median", "stddev":
	default:
		return false
	}
	if rng == "" {
		return true
	}
	num := strings.TrimRight(rng, "smhdwy")
	return num != "" && num != rng && strings.Trim(num, "0123456789") == ""
}
