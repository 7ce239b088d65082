package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/graph"
	"github.com/heraldhq/herald/internal/testutil/realproc"
)

// BenchmarkEnrichment measures a whole chart against a real local
// Prometheus scraping node_exporter: rule lookup (cached after the first),
// rewrite, query_range and render. Each iteration is a new alert episode,
// so nothing comes from the chart cache.
func BenchmarkEnrichment(b *testing.B) {
	node := realproc.StartNodeExporter(b)
	p := realproc.StartPrometheus(b, "", map[string][]string{"node": {node}}, "groups: []\n", "127.0.0.1:9")
	time.Sleep(5 * time.Second) // a few scrapes
	cfg := config.DefaultConfig()
	cfg.Prometheus.URL = p.URL
	cfg.Prometheus.Timeout = config.Duration(10 * time.Second)
	cfg.Prometheus.RulesCacheTTL = config.Duration(time.Minute)
	cfg.Graph.Timeout = config.Duration(10 * time.Second)
	e, err := graph.Build(&cfg, graph.NewMetrics(nil), nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil || e == nil {
		b.Fatalf("build: %v", err)
	}
	expr := `(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100) < 101`
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a := amtemplate.Alert{Status: "firing", Fingerprint: fmt.Sprint("bench", i), StartsAt: time.Now().Add(-time.Minute),
			Labels:       amtemplate.KV{"alertname": "NodeMemoryVisible", "instance": node, "job": "node"},
			GeneratorURL: p.URL + "/graph?g0.expr=" + url.QueryEscape(expr) + "&g0.tab=1"}
		t0 := time.Now()
		if img := e.Image(context.Background(), a, alert.KindFiring); img == nil {
			b.Fatal("no chart")
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
