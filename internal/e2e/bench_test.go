package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/heraldhq/herald/internal/loadgen"
)

// consoleConfig writes a configuration whose only channel prints to the
// console (discarded in tests), so that a benchmark measures Herald alone.
func consoleConfig(b testing.TB) string {
	dir := b.TempDir()
	path := filepath.Join(dir, "herald.yml")
	cfg := fmt.Sprintf("listen_address: 127.0.0.1:0\ndata_dir: %s\nchannels:\n  - name: console\n    console: {}\n", filepath.Join(dir, "data"))
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkWebhookIngest posts one-alert notifications from 32 clients to a
// whole Herald (HTTP, decode, route, durable group commit, with the
// dispatcher delivering to the console at the same time).
func BenchmarkWebhookIngest(b *testing.B) {
	h := startHerald(b, consoleConfig(b))
	b.ResetTimer()
	r := loadgen.Run(context.Background(), loadgen.Options{URL: h.URL + "/api/v1/alerts", Clients: 32, Total: b.N})
	b.StopTimer()
	if r.Failed > 0 {
		b.Fatalf("%d requests failed", r.Failed)
	}
	b.ReportMetric(r.PerSecond(), "notifications/s")
	b.ReportMetric(float64(r.P50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(r.P99.Microseconds())/1000, "p99-ms")
}
