// Package series is the shape of what Herald's collectors gather: named
// samples with labels, as in Prometheus, kept with history in the store
// and exposed on /metrics.
package series

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// Sample is one value of one series at one time.
type Sample struct {
	// Name is the metric name, e.g. herald_container_cpu_percent.
	Name string
	// Labels identify the series within Name (host, container, check...).
	Labels map[string]string
	T      time.Time
	V      float64
}

// Key is the identity of a sample's series: its name and labels in a
// canonical text, the same for the same series whatever the map order.
func (s Sample) Key() string { return Key(s.Name, s.Labels) }

// escape writes a label value as PromQL quotes it.
var escape = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// Key is the canonical text of a series: name{a="1",b="2"}, labels sorted.
func Key(name string, labels map[string]string) string {
	var b strings.Builder
	b.WriteString(name)
	b.WriteByte('{')
	for i, k := range slices.Sorted(maps.Keys(labels)) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteString(`="`)
		b.WriteString(escape.Replace(labels[k]))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}
