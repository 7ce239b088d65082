package graph

import (
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/graph/source"
)

// TestPlanUnit: the unit is that of the rewritten query, unless the rule's
// herald_unit annotation says otherwise.
func TestPlanUnit(t *testing.T) {
	t.Parallel()
	cfg := config.DefaultGraphConfig()
	for _, tc := range []struct {
		expr, annotation, want string
	}{
		{`100 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) * 100 > 90`, "", "percent"},
		{`node_filesystem_avail_bytes * 100 / node_filesystem_size_bytes < 10`, "", "percent"},
		{`1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes > 0.9`, "", "percentunit"},
		{`rate(node_network_receive_bytes_total[5m]) > 1e8`, "", "Bps"},
		{`node_load1 > 4`, "", "short"},
		{`not promql (`, "", "short"},
		{`node_load1 > 4`, "percent", "percent"},
		{`node_load1 > 4`, "ratio", "percentunit"},
		{`node_load1 > 4`, " seconds ", "s"},
		{`rate(x_bytes_total[5m])`, "bps", "bps"},
		{`rate(x_bytes_total[5m])`, "furlongs", "short"},
	} {
		a := amtemplate.Alert{Status: "firing", StartsAt: time.Now().Add(-time.Minute),
			Labels: amtemplate.KV{"alertname": "A", "instance": "web-1"}, Annotations: amtemplate.KV{}}
		if tc.annotation != "" {
			a.Annotations[AnnotationUnit] = tc.annotation
		}
		p := MakePlan(&cfg, a, source.Found{Expr: tc.expr}, time.Now())
		if p.Unit != tc.want {
			t.Errorf("%s (herald_unit %q): unit %q, want %q", tc.expr, tc.annotation, p.Unit, tc.want)
		}
	}
}
