package fakedocker

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// list answers GET /containers/json: running containers, every one with
// all=1 or all=true, as Docker.
func (e *Engine) list(w http.ResponseWriter, r *http.Request) {
	all := r.URL.Query().Get("all")
	e.mu.Lock()
	out := []map[string]any{}
	for _, c := range e.containers {
		if c.State != "running" && all != "1" && all != "true" {
			continue
		}
		out = append(out, map[string]any{
			"Id": c.ID, "Names": []string{"/" + c.Name}, "Image": c.Image, "ImageID": "sha256:" + strings.Repeat("ab", 32),
			"Command": "sh", "Created": 1700000000, "Ports": []any{}, "Labels": map[string]string{},
			"State": c.State, "Status": status(c), "HostConfig": map[string]string{"NetworkMode": "none"},
			"NetworkSettings": map[string]any{"Networks": map[string]any{}}, "Mounts": []any{},
		})
	}
	e.mu.Unlock()
	writeJSON(w, out)
}

func status(c *Container) string {
	if c.State == "running" {
		return "Up 5 minutes"
	}
	return "Exited (0) 5 minutes ago"
}

// find returns the container of an ID or a name, as Docker takes both;
// the caller holds e.mu.
func (e *Engine) find(ref string) *Container {
	for _, c := range e.containers {
		if c.ID == ref || c.Name == ref {
			return c
		}
	}
	return nil
}

// inspect answers GET /containers/{id}/json.
func (e *Engine) inspect(w http.ResponseWriter, ref string) {
	e.mu.Lock()
	c := e.find(ref)
	if c == nil {
		e.mu.Unlock()
		apiErr(w, http.StatusNotFound, "No such container: "+ref)
		return
	}
	state := map[string]any{
		"Status": c.State, "Running": c.State == "running", "Paused": c.State == "paused",
		"Restarting": c.State == "restarting", "OOMKilled": false, "Dead": c.State == "dead", "Pid": 4242,
		"ExitCode": 0, "Error": "", "StartedAt": c.StartedAt.Format(time.RFC3339Nano),
		"FinishedAt": "0001-01-01T00:00:00Z",
	}
	if c.Health != "" {
		state["Health"] = map[string]any{"Status": c.Health, "FailingStreak": 0, "Log": []any{}}
	}
	out := map[string]any{
		"Id": c.ID, "Created": "2026-01-01T00:00:00Z", "Path": "sh", "Args": []string{"-c", "true"},
		"State": state, "Image": "sha256:" + strings.Repeat("ab", 32), "Name": "/" + c.Name,
		"RestartCount": c.RestartCount, "Driver": "overlay2", "Platform": "linux",
		"Config": map[string]any{"Image": c.Image, "Hostname": c.ID[:min(12, len(c.ID))]},
	}
	e.mu.Unlock()
	writeJSON(w, out)
}

// stats answers GET /containers/{id}/stats?stream=false: the next scripted
// sample. With one-shot (from 1.41) precpu_stats are empty, as Docker
// leaves them; without, the call takes two samples as Docker does (a
// second apart): precpu_stats the first, cpu_stats the second.
func (e *Engine) stats(w http.ResponseWriter, r *http.Request, version, ref string) {
	q := r.URL.Query()
	if s := q.Get("stream"); s != "false" && s != "0" {
		apiErr(w, http.StatusBadRequest, "fakedocker: streaming stats are not served; pass stream=false")
		return
	}
	oneShot := q.Get("one-shot") == "true" || q.Get("one-shot") == "1"
	if oneShot && versionLess(version, "1.41") {
		apiErr(w, http.StatusBadRequest, "fakedocker: one-shot is API 1.41 and later; this call is "+version)
		return
	}
	e.mu.Lock()
	c := e.find(ref)
	if c == nil {
		e.mu.Unlock()
		apiErr(w, http.StatusNotFound, "No such container: "+ref)
		return
	}
	var cur, pre Stats
	if n := len(c.Stats); n > 0 && (c.State == "running" || c.State == "paused") {
		cur = c.Stats[min(c.next, n-1)]
		c.next++
		if !oneShot {
			pre, cur = cur, c.Stats[min(c.next, n-1)]
			c.next++
		}
	}
	out := statsJSON(c, cur, pre)
	e.mu.Unlock()
	writeJSON(w, out)
}

func statsJSON(c *Container, cur, pre Stats) map[string]any {
	out := map[string]any{
		"read": cur.Read.Format(time.RFC3339Nano), "preread": pre.Read.Format(time.RFC3339Nano),
		"name": "/" + c.Name, "id": c.ID, "num_procs": 0, "pids_stats": map[string]any{"current": 1},
		"cpu_stats": cpuJSON(c, cur), "precpu_stats": cpuJSON(c, pre),
		"blkio_stats": blkioJSON(c, cur), "memory_stats": memoryJSON(c, cur), "storage_stats": map[string]any{},
	}
	if len(cur.Networks) > 0 {
		nets := map[string]any{}
		for name, n := range cur.Networks {
			nets[name] = map[string]uint64{"rx_bytes": n[0], "tx_bytes": n[1], "rx_packets": n[0] / 1000,
				"tx_packets": n[1] / 1000, "rx_errors": 0, "tx_errors": 0, "rx_dropped": 0, "tx_dropped": 0}
		}
		out["networks"] = nets
	}
	return out
}

func cpuJSON(c *Container, s Stats) map[string]any {
	usage := map[string]any{"total_usage": s.CPUTotal, "usage_in_kernelmode": s.CPUTotal / 4,
		"usage_in_usermode": s.CPUTotal - s.CPUTotal/4}
	out := map[string]any{"cpu_usage": usage,
		"throttling_data": map[string]uint64{"periods": 0, "throttled_periods": 0, "throttled_time": 0}}
	if s.SystemCPU == 0 {
		return out // Docker leaves an empty sample so
	}
	out["system_cpu_usage"] = s.SystemCPU
	out["online_cpus"] = s.OnlineCPUs
	if !c.CgroupV2 && s.OnlineCPUs > 0 {
		per := make([]uint64, s.OnlineCPUs)
		per[0] = s.CPUTotal
		usage["percpu_usage"] = per
	}
	return out
}

func memoryJSON(c *Container, s Stats) map[string]any {
	if s.MemUsage == 0 && s.MemLimit == 0 {
		return map[string]any{}
	}
	if c.CgroupV2 {
		return map[string]any{"usage": s.MemUsage, "limit": s.MemLimit, "stats": map[string]uint64{
			"anon": s.MemUsage - s.InactiveFile, "file": s.InactiveFile, "inactive_file": s.InactiveFile,
			"active_file": 0, "inactive_anon": 0, "active_anon": s.MemUsage - s.InactiveFile, "pgfault": 100}}
	}
	return map[string]any{"usage": s.MemUsage, "max_usage": s.MemUsage, "limit": s.MemLimit, "stats": map[string]uint64{
		"cache": s.InactiveFile, "rss": s.MemUsage - s.InactiveFile, "inactive_file": s.InactiveFile,
		"total_inactive_file": s.InactiveFile, "total_cache": s.InactiveFile, "total_rss": s.MemUsage - s.InactiveFile,
		"hierarchical_memory_limit": s.MemLimit, "active_anon": 0, "total_active_anon": 0}}
}

func blkioJSON(c *Container, s Stats) map[string]any {
	var entries []map[string]any
	ops := [][2]any{{"Read", s.BlkRead}, {"Write", s.BlkWrite}, {"Sync", s.BlkWrite}, {"Async", s.BlkRead},
		{"Discard", uint64(0)}, {"Total", s.BlkRead + s.BlkWrite}}
	if c.CgroupV2 {
		ops = [][2]any{{"read", s.BlkRead}, {"write", s.BlkWrite}}
	}
	if s.BlkRead+s.BlkWrite > 0 {
		for _, op := range ops {
			entries = append(entries, map[string]any{"major": 8, "minor": 0, "op": op[0], "value": op[1]})
		}
	}
	if c.CgroupV2 {
		// Docker leaves the other lists null with cgroup v2.
		return map[string]any{"io_service_bytes_recursive": entries}
	}
	if entries == nil {
		entries = []map[string]any{}
	}
	return map[string]any{"io_service_bytes_recursive": entries, "io_serviced_recursive": []any{},
		"io_queue_recursive": []any{}, "io_service_time_recursive": []any{}, "io_wait_time_recursive": []any{},
		"io_merged_recursive": []any{}, "io_time_recursive": []any{}, "sectors_recursive": []any{}}
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		apiErr(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(append(b, '\n'))
}

// apiErr answers an engine error as Docker does: {"message": "..."}.
func apiErr(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(map[string]string{"message": msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// versionLess says whether API version a is older than b.
func versionLess(a, b string) bool {
	am, an := splitVersion(a)
	bm, bn := splitVersion(b)
	return am < bm || am == bm && an < bn
}

func splitVersion(v string) (int, int) {
	a, b, _ := strings.Cut(v, ".")
	x, _ := strconv.Atoi(a)
	y, _ := strconv.Atoi(b)
	return x, y
}
