package collect

import (
	"maps"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// reservedPrefixes are metric names a script may not take on /metrics:
// Herald's own and the Go client's, which a collected sample would clash
// with (the registry refuses a name with two helps).
var reservedPrefixes = []string{"herald_", "go_", "process_", "promhttp_"}

// Metrics exposes the latest collected samples on /metrics, so that a
// Prometheus can scrape what Herald collects. Docker figures keep their
// herald_ names; a script's samples keep theirs, with check="<name>".
type Metrics struct {
	runner *Runner
	warned sync.Map
}

// NewMetrics is the /metrics view of r's latest samples.
func NewMetrics(r *Runner) *Metrics { return &Metrics{runner: r} }

// Describe sends nothing: the collected series are not known in advance
// (an unchecked collector).
func (m *Metrics) Describe(chan<- *prometheus.Desc) {}

// Collect sends the latest value of every collected series.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	snap := m.runner.Snapshot()
	descs := map[string]*prometheus.Desc{}
	for _, s := range snap.Samples {
		if math.IsNaN(s.V) { // a container without a health check
			continue
		}
		if !strings.HasPrefix(s.Name, "herald_docker_") && !strings.HasPrefix(s.Name, "herald_container_") &&
			!strings.HasPrefix(s.Name, "herald_check_") && reserved(s.Name) {
			if _, seen := m.warned.LoadOrStore(s.Name, true); !seen {
				m.runner.logger.Warn("a check's sample is not exposed on /metrics: its name is reserved", "metric", s.Name)
			}
			continue
		}
		names := slices.Sorted(maps.Keys(s.Labels))
		key := s.Name + "\xff" + strings.Join(names, "\xff")
		d, ok := descs[key]
		if !ok {
			d = prometheus.NewDesc(s.Name, "Collected by Herald.", names, nil)
			descs[key] = d
		}
		values := make([]string, len(names))
		for i, n := range names {
			values[i] = s.Labels[n]
		}
		kind := prometheus.GaugeValue
		if strings.HasSuffix(s.Name, "_total") {
			kind = prometheus.CounterValue
		}
		if metric, err := prometheus.NewConstMetric(d, kind, s.V, values...); err == nil {
			ch <- metric
		}
	}
}

func reserved(name string) bool {
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
