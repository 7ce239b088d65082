package collect

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/heraldhq/herald/internal/collect/docker"
	"github.com/heraldhq/herald/internal/graph/unit"
	"github.com/heraldhq/herald/internal/store"
)

// Aggregator summarises a metric's history over a window.
type Aggregator interface {
	Aggregate(ctx context.Context, name string, matchers []*labels.Matcher, from, to time.Time) ([]store.HistoryStat, error)
}

// hostFigures are one host's figures over the window.
type hostFigures struct {
	cpu, mem    stat
	sent, recvd uint64
	containers  int
	running     int
}

// stat is an average (weighted by sample count), a minimum and a maximum.
type stat struct {
	sum   float64
	count int
	min   float64
	max   float64
}

func (s *stat) add(h store.HistoryStat) {
	if h.Count == 0 || math.IsNaN(h.Avg) {
		return
	}
	if s.count == 0 {
		s.min, s.max = h.Min, h.Max
	}
	s.sum += h.Avg * float64(h.Count)
	s.count += h.Count
	s.min, s.max = min(s.min, h.Min), max(s.max, h.Max)
}

func (s *stat) avg() float64 { return s.sum / float64(s.count) }

// Summary is the text of /containers and `herald stats`: the longest
// running container, the traffic sent in all and the host that sent the
// most, then each host's containers, CPU and memory (average, minimum and
// maximum over window, or the whole history when window is 0) and traffic;
// a host that does not answer is listed as such. CPU is a percent of one
// core, as docker stats shows it.
func Summary(ctx context.Context, snap Snapshot, agg Aggregator, window time.Duration, now time.Time) (string, error) {
	if len(snap.Hosts) == 0 {
		return "No Docker hosts are collected (collectors.docker.hosts).", nil
	}
	from := time.Unix(0, 0)
	span := "all history"
	if window > 0 {
		from, span = now.Add(-window), "last "+unit.Format(unit.Seconds, window.Seconds())
	}
	figures := map[string]*hostFigures{}
	for _, h := range snap.Hosts {
		f := &hostFigures{containers: len(h.Containers)}
		for _, c := range h.Containers {
			f.sent += c.TxBytes
			f.recvd += c.RxBytes
			if c.State == "running" {
				f.running++
			}
		}
		figures[h.Name] = f
	}
	for _, m := range []struct {
		name string
		pick func(*hostFigures) *stat
	}{{docker.MetricCPUPercent, func(f *hostFigures) *stat { return &f.cpu }},
		{docker.MetricMemoryUsed, func(f *hostFigures) *stat { return &f.mem }}} {
		stats, err := agg.Aggregate(ctx, m.name, nil, from, now)
		if err != nil {
			return "", err
		}
		for _, s := range stats {
			if f := figures[s.Labels["host"]]; f != nil {
				m.pick(f).add(s)
			}
		}
	}
	var b strings.Builder
	up := 0
	for _, h := range snap.Hosts {
		if h.Up {
			up++
		}
	}
	fmt.Fprintf(&b, "Docker: %d hosts (%d answering) · %s\n", len(snap.Hosts), up, span)
	if host, c, ok := longestRunning(snap.Hosts); ok {
		fmt.Fprintf(&b, "Longest running: %s/%s, up %s\n", host, c.Name, unit.Format(unit.Seconds, now.Sub(c.StartedAt).Truncate(time.Minute).Seconds()))
	}
	var total uint64
	champion, best := "", uint64(0)
	for _, h := range snap.Hosts {
		f := figures[h.Name]
		total += f.sent
		if f.sent > best || champion == "" {
			champion, best = h.Name, f.sent
		}
	}
	fmt.Fprintf(&b, "Traffic sent: %s in all; champion %s (%s)\n", bytes(total), champion, bytes(best))
	for _, h := range snap.Hosts {
		f := figures[h.Name]
		b.WriteString("\n")
		if !h.Up {
			fmt.Fprintf(&b, "%s: not answering (%s)\n", h.Name, h.Err)
			continue
		}
		fmt.Fprintf(&b, "%s: %d containers, %d running\n", h.Name, f.containers, f.running)
		if f.cpu.count > 0 {
			fmt.Fprintf(&b, "  CPU    avg %s  min %s  max %s\n", pct(f.cpu.avg()), pct(f.cpu.min), pct(f.cpu.max))
		}
		if f.mem.count > 0 {
			fmt.Fprintf(&b, "  Memory avg %s  min %s  max %s\n", bytes(uint64(f.mem.avg())), bytes(uint64(f.mem.min)), bytes(uint64(f.mem.max)))
		}
		fmt.Fprintf(&b, "  Traffic sent %s, received %s\n", bytes(f.sent), bytes(f.recvd))
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

// longestRunning is the running container that started first.
func longestRunning(hosts []docker.HostState) (string, docker.Container, bool) {
	var host string
	var best docker.Container
	found := false
	for _, h := range hosts {
		for _, c := range h.Containers {
			if c.State != "running" || c.StartedAt.IsZero() {
				continue
			}
			if !found || c.StartedAt.Before(best.StartedAt) ||
				(c.StartedAt.Equal(best.StartedAt) && cmp.Compare(h.Name+c.Name, host+best.Name) < 0) {
				host, best, found = h.Name, c, true
			}
		}
	}
	return host, best, found
}

func pct(v float64) string  { return fmt.Sprintf("%.1f %%", v) }
func bytes(v uint64) string { return unit.Format(unit.Bytes, float64(v)) }
