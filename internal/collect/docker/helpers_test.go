package docker_test

import (
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/collect/docker"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/testutil"
	"github.com/heraldhq/herald/internal/testutil/fakedocker"
)

// t0 is when the scripted stats start.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable clock for collection times, uptimes and backoffs.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newCollector makes a collector of hosts that is closed when the test
// ends; its log goes to the returned buffer.
func newCollector(t *testing.T, timeout time.Duration, hosts []config.DockerHost, opts ...docker.Option) (*docker.Collector, *testutil.Buffer) {
	t.Helper()
	logs := &testutil.Buffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := docker.New(config.DockerConfig{Hosts: hosts, Timeout: config.Duration(timeout), Concurrency: 4}, logger, opts...)
	t.Cleanup(func() {
		c.Close()
		if t.Failed() {
			t.Logf("collector log:\n%s", logs.String())
		}
	})
	return c, logs
}

func id(c byte) string { return strings.Repeat(string(c), 64) }

// web is a running container whose two samples, 10 s apart, give known
// figures: 50 % CPU (5 s of CPU over 40 s of 4 CPUs' time), 200 MiB used
// (300 less 100 inactive), 2000 B/s received and 200 B/s sent.
func web(v2 bool) fakedocker.Container {
	return fakedocker.Container{ID: id('a'), Name: "web", Image: "nginx:1.27", State: "running",
		StartedAt: t0.Add(-time.Hour), CgroupV2: v2, Stats: []fakedocker.Stats{
			{Read: t0, CPUTotal: 1e9, SystemCPU: 100e9, OnlineCPUs: 4, MemUsage: 300 << 20, MemLimit: 1 << 30,
				InactiveFile: 100 << 20, Networks: map[string][2]uint64{"eth0": {1000, 2000}, "eth1": {500, 0}},
				BlkRead: 4096, BlkWrite: 8192},
			{Read: t0.Add(10 * time.Second), CPUTotal: 6e9, SystemCPU: 140e9, OnlineCPUs: 4, MemUsage: 300 << 20,
				MemLimit: 1 << 30, InactiveFile: 100 << 20,
				Networks: map[string][2]uint64{"eth0": {21000, 4000}, "eth1": {500, 0}}, BlkRead: 8192, BlkWrite: 16384},
		}}
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func find(t *testing.T, h docker.HostState, name string) docker.Container {
	t.Helper()
	for _, c := range h.Containers {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no container %q in %+v", name, h)
	return docker.Container{}
}
