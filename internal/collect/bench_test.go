package collect

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/collect/docker"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/testutil/fakedocker"
)

// BenchmarkCollect100Hosts collects 100 engines of 20 containers each
// (fake engines on unix sockets, answering at once), as one round of
// collectors.docker does: the time of a round against the interval, and
// what it allocates.
func BenchmarkCollect100Hosts(b *testing.B) {
	const hosts, containers = 100, 20
	cfg := config.DefaultCollectorsConfig().Docker
	start := time.Now().Add(-time.Hour)
	for h := range hosts {
		e := fakedocker.New(fakedocker.Docker20())
		for c := range containers {
			id := fmt.Sprintf("%02d%062d", h, c)
			e.Add(fakedocker.Container{ID: id, Name: fmt.Sprintf("c%d", c), Image: "app:1", State: "running", StartedAt: start})
			e.Script(id, fakedocker.Stats{CPUTotal: 1e9, SystemCPU: 1e11, OnlineCPUs: 2, MemUsage: 64 << 20, MemLimit: 1 << 30,
				InactiveFile: 1 << 20, Networks: map[string][2]uint64{"eth0": {1 << 20, 2 << 20}}},
				fakedocker.Stats{CPUTotal: 2e9, SystemCPU: 2e11, OnlineCPUs: 2, MemUsage: 65 << 20, MemLimit: 1 << 30,
					InactiveFile: 1 << 20, Networks: map[string][2]uint64{"eth0": {2 << 20, 4 << 20}}})
		}
		cfg.Hosts = append(cfg.Hosts, config.DockerHost{Name: fmt.Sprintf("h%d", h), URL: e.ServeUnix(b)})
	}
	d := docker.New(cfg, slog.New(slog.DiscardHandler))
	defer d.Close()
	ctx := context.Background()
	var samples int
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		samples = 0
		for _, h := range d.Collect(ctx) {
			if !h.Up {
				b.Fatalf("host %s: %s", h.Name, h.Err)
			}
			samples += len(docker.Samples(h))
		}
	}
	b.ReportMetric(float64(samples), "samples/round")
	b.ReportMetric(float64(runtime.NumGoroutine()), "goroutines")
}
