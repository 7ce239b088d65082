package docker

import (
	"math"

	"github.com/heraldhq/herald/internal/collect/series"
)

// The metric names of Samples.
const (
	MetricHostUp        = "herald_docker_host_up"
	MetricCPUPercent    = "herald_container_cpu_percent"
	MetricMemoryUsed    = "herald_container_memory_used_bytes"
	MetricMemoryLimit   = "herald_container_memory_limit_bytes"
	MetricNetRxTotal    = "herald_container_network_receive_bytes_total"
	MetricNetTxTotal    = "herald_container_network_transmit_bytes_total"
	MetricNetRxRate     = "herald_container_network_receive_bytes_per_second"
	MetricNetTxRate     = "herald_container_network_transmit_bytes_per_second"
	MetricBlockRead     = "herald_container_block_read_bytes_total"
	MetricBlockWrite    = "herald_container_block_write_bytes_total"
	MetricUptime        = "herald_container_uptime_seconds"
	MetricRestarts      = "herald_container_restarts_total"
	MetricRunning       = "herald_container_running"
	MetricHealthy       = "herald_container_healthy"
	labelHost           = "host"
	labelContainer      = "container"
	labelImage          = "image"
	healthHealthy       = "healthy"
	healthUnhealthy     = "unhealthy"
	stateRunning        = "running"
	samplesPerContainer = 13
)

// Samples turns one host's state into series: herald_docker_host_up{host}
// always, and for each container (labels host, container, image) its
// running, restarts, uptime and health, plus CPU, memory, network and
// block I/O when the engine gave statistics. A figure that is unknown
// (CPU and rates on a container's first collection) is left out rather
// than written as NaN; herald_container_healthy is NaN for a container
// without a healthcheck or still starting, so that the series exists.
// The samples of one container share one Labels map: do not change it.
func Samples(h HostState) []series.Sample {
	up := 0.0
	if h.Up {
		up = 1
	}
	out := make([]series.Sample, 0, 1+len(h.Containers)*samplesPerContainer)
	out = append(out, series.Sample{Name: MetricHostUp, Labels: map[string]string{labelHost: h.Name}, T: h.CollectedAt, V: up})
	for _, c := range h.Containers {
		ls := map[string]string{labelHost: h.Name, labelContainer: c.Name, labelImage: c.Image}
		add := func(name string, v float64) {
			out = append(out, series.Sample{Name: name, Labels: ls, T: h.CollectedAt, V: v})
		}
		add(MetricRunning, b2f(c.State == stateRunning))
		add(MetricRestarts, float64(c.Restarts))
		add(MetricUptime, c.Uptime.Seconds())
		switch c.Health {
		case healthHealthy:
			add(MetricHealthy, 1)
		case healthUnhealthy:
			add(MetricHealthy, 0)
		default:
			add(MetricHealthy, math.NaN())
		}
		if !c.HasStats {
			continue
		}
		if !math.IsNaN(c.CPUPercent) {
			add(MetricCPUPercent, c.CPUPercent)
		}
		add(MetricMemoryUsed, float64(c.MemUsed))
		add(MetricMemoryLimit, float64(c.MemLimit))
		add(MetricNetRxTotal, float64(c.RxBytes))
		add(MetricNetTxTotal, float64(c.TxBytes))
		if !math.IsNaN(c.RxRate) {
			add(MetricNetRxRate, c.RxRate)
		}
		if !math.IsNaN(c.TxRate) {
			add(MetricNetTxRate, c.TxRate)
		}
		add(MetricBlockRead, float64(c.BlkRead))
		add(MetricBlockWrite, float64(c.BlkWrite))
	}
	return out
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
