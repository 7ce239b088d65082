package docker

import (
	"math"
	"strings"
	"time"
)

// containerSummary is one entry of GET /containers/json.
type containerSummary struct {
	ID    string   `json:"Id"`
	Names []string `json:"Names"`
	Image string   `json:"Image"`
	State string   `json:"State"`
}

// containerInspect is what Herald reads of GET /containers/{id}/json.
type containerInspect struct {
	ID           string `json:"Id"`
	Name         string `json:"Name"`
	RestartCount int    `json:"RestartCount"`
	State        struct {
		Status    string `json:"Status"`
		StartedAt string `json:"StartedAt"`
		Health    *struct {
			Status string `json:"Status"`
		} `json:"Health"`
	} `json:"State"`
}

// statsAnswer is what Herald reads of GET /containers/{id}/stats: the same
// shape for cgroup v1 and v2, Docker and Podman; only memory_stats.stats
// keys and the blkio op spelling differ.
type statsAnswer struct {
	Read        time.Time `json:"read"`
	CPUStats    cpuStats  `json:"cpu_stats"`
	PreCPUStats cpuStats  `json:"precpu_stats"`
	MemoryStats struct {
		Usage uint64            `json:"usage"`
		Limit uint64            `json:"limit"`
		Stats map[string]uint64 `json:"stats"`
	} `json:"memory_stats"`
	Networks map[string]struct {
		RxBytes uint64 `json:"rx_bytes"`
		TxBytes uint64 `json:"tx_bytes"`
	} `json:"networks"`
	BlkioStats struct {
		IoServiceBytesRecursive []struct {
			Op    string `json:"op"`
			Value uint64 `json:"value"`
		} `json:"io_service_bytes_recursive"`
	} `json:"blkio_stats"`
}

type cpuStats struct {
	CPUUsage struct {
		TotalUsage  uint64   `json:"total_usage"`
		PercpuUsage []uint64 `json:"percpu_usage"`
	} `json:"cpu_usage"`
	SystemUsage uint64 `json:"system_cpu_usage"`
	OnlineCPUs  uint32 `json:"online_cpus"`
}

// sample is what a collection keeps of a container for the next one: the
// counters that percentages and rates are computed from.
type sample struct {
	read      time.Time
	cpuTotal  uint64
	cpuSystem uint64
	rx, tx    uint64
}

// figures is what one stats answer gives, computed against the previous
// sample of the same container (nil on the first collection).
type figures struct {
	cpuPercent        float64
	memUsed, memLimit uint64
	rx, tx            uint64
	rxRate, txRate    float64
	blkRead, blkWrite uint64
	next              sample
}

// compute turns a stats answer into figures. now stands in for the
// answer's read time when the engine gives none.
func compute(s *statsAnswer, prev *sample, now time.Time) figures {
	read := s.Read
	if read.IsZero() || read.Year() < 2000 {
		read = now
	}
	f := figures{memUsed: memUsed(s), memLimit: s.MemoryStats.Limit}
	for _, n := range s.Networks {
		f.rx += n.RxBytes
		f.tx += n.TxBytes
	}
	f.blkRead, f.blkWrite = blkio(s)
	f.next = sample{read: read, cpuTotal: s.CPUStats.CPUUsage.TotalUsage, cpuSystem: s.CPUStats.SystemUsage,
		rx: f.rx, tx: f.tx}

	f.cpuPercent = math.NaN()
	f.rxRate, f.txRate = math.NaN(), math.NaN()
	switch {
	case s.PreCPUStats.SystemUsage > 0:
		// The engine sampled twice itself (stream=false without one-shot).
		f.cpuPercent = cpuPercent(s.CPUStats, s.PreCPUStats.CPUUsage.TotalUsage, s.PreCPUStats.SystemUsage)
	case prev != nil && s.CPUStats.SystemUsage > prev.cpuSystem:
		f.cpuPercent = cpuPercent(s.CPUStats, prev.cpuTotal, prev.cpuSystem)
	}
	if prev != nil {
		if dt := read.Sub(prev.read).Seconds(); dt > 0 {
			f.rxRate = rate(prev.rx, f.rx, dt)
			f.txRate = rate(prev.tx, f.tx, dt)
		}
	}
	return f
}

// cpuPercent is docker stats' figure: the container's share of the host's
// CPU time between two samples, times the online CPUs, as a percent; so
// one busy core is 100 and the most is 100 × CPUs. A container counter
// lower than the previous one (the container restarted) counts from 0.
func cpuPercent(cur cpuStats, prevTotal, prevSystem uint64) float64 {
	if cur.SystemUsage <= prevSystem {
		return math.NaN()
	}
	systemDelta := float64(cur.SystemUsage - prevSystem)
	total := cur.CPUUsage.TotalUsage
	var cpuDelta float64
	if total >= prevTotal {
		cpuDelta = float64(total - prevTotal)
	} else {
		cpuDelta = float64(total)
	}
	cpus := float64(cur.OnlineCPUs)
	if cpus == 0 {
		cpus = float64(len(cur.CPUUsage.PercpuUsage))
	}
	if cpus == 0 {
		cpus = 1
	}
	return cpuDelta / systemDelta * cpus * 100
}

// memUsed is docker stats' figure: usage less the inactive page cache,
// which the kernel reclaims first (cgroup v1: total_inactive_file; v2:
// inactive_file).
func memUsed(s *statsAnswer) uint64 {
	m := s.MemoryStats
	if v, v1 := m.Stats["total_inactive_file"]; v1 {
		if v < m.Usage {
			return m.Usage - v
		}
		return m.Usage
	}
	if v := m.Stats["inactive_file"]; v < m.Usage {
		return m.Usage - v
	}
	return m.Usage
}

// blkio sums the bytes read and written over every device. cgroup v1
// spells the ops Read and Write (and adds Total, Sync...); v2 read and
// write.
func blkio(s *statsAnswer) (read, write uint64) {
	for _, e := range s.BlkioStats.IoServiceBytesRecursive {
		switch strings.ToLower(e.Op) {
		case "read":
			read += e.Value
		case "write":
			write += e.Value
		}
	}
	return read, write
}

// rate is the per-second increase of a counter over dt seconds; a lower
// value than before means the counter restarted (the container did), so
// the increase is counted from 0.
func rate(prev, cur uint64, dt float64) float64 {
	if cur < prev {
		return float64(cur) / dt
	}
	return float64(cur-prev) / dt
}
