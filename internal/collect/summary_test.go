package collect

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/heraldhq/herald/internal/collect/docker"
	"github.com/heraldhq/herald/internal/store"
)

// fakeAgg answers Aggregate from fixed figures per metric and host.
type fakeAgg map[string][]store.HistoryStat

func (f fakeAgg) Aggregate(_ context.Context, name string, _ []*labels.Matcher, _, _ time.Time) ([]store.HistoryStat, error) {
	return f[name], nil
}

func TestSummary(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	snap := Snapshot{Hosts: []docker.HostState{
		{Name: "web1", Up: true, Containers: []docker.Container{
			{Name: "nginx", State: "running", StartedAt: now.Add(-(12*24 + 4) * time.Hour), TxBytes: 3 << 30, RxBytes: 1 << 30},
			{Name: "old", State: "exited", StartedAt: now.Add(-100 * 24 * time.Hour), TxBytes: 1 << 20}}},
		{Name: "web2", Up: true, Containers: []docker.Container{
			{Name: "api", State: "running", StartedAt: now.Add(-2 * time.Hour), TxBytes: 1 << 30}}},
		{Name: "dead", Up: false, Err: "dial unix /x.sock: connect: no such file"},
	}}
	agg := fakeAgg{
		"herald_container_cpu_percent": {
			{Labels: map[string]string{"host": "web1", "container": "nginx"}, Avg: 10, Min: 1, Max: 50, Count: 3},
			{Labels: map[string]string{"host": "web1", "container": "old"}, Avg: 40, Min: 30, Max: 90, Count: 1},
			{Labels: map[string]string{"host": "web2", "container": "api"}, Avg: math.NaN(), Count: 0},
		},
		"herald_container_memory_used_bytes": {
			{Labels: map[string]string{"host": "web2", "container": "api"}, Avg: 100 << 20, Min: 50 << 20, Max: 200 << 20, Count: 2},
		},
	}
	got, err := Summary(context.Background(), snap, agg, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	// web1's CPU average weighs each container by its samples:
	// (10×3 + 40×1) / 4 = 17.5.
	for _, want := range []string{
		"Docker: 3 hosts (2 answering) · all history",
		"Longest running: web1/nginx, up 12",
		"Traffic sent: 4 GiB in all; champion web1 (3 GiB)",
		"web1: 2 containers, 1 running",
		"  CPU    avg 17.5 %  min 1.0 %  max 90.0 %",
		"web2: 1 containers, 1 running",
		"  Memory avg 100 MiB  min 50 MiB  max 200 MiB",
		"dead: not answering (dial unix /x.sock: connect: no such file)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "web2:\n  CPU") {
		t.Errorf("a host without CPU figures shows a CPU line:\n%s", got)
	}
}
