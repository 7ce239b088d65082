package docker_test

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/collect/docker"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/testutil/fakedocker"
)

func TestNegotiation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		engine   fakedocker.Options
		want     string
		oneShot  bool
		firstCPU bool // the engine fills precpu_stats itself
	}{
		{"docker 20.10", fakedocker.Docker20(), "1.41", true, false},
		{"docker 29 refuses below 1.44", fakedocker.Docker29(), docker.MaxAPIVersion, true, false},
		{"docker 19.03 before one-shot", fakedocker.Docker19(), "1.40", false, true},
		{"podman", fakedocker.Podman5(), "1.41", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := fakedocker.New(tc.engine)
			e.Add(web(false))
			c, _ := newCollector(t, 5*time.Second, []config.DockerHost{{Name: "h", URL: e.ServeUnix(t)}})
			h := c.Collect(context.Background())[0]
			if !h.Up || h.APIVersion != tc.want {
				t.Fatalf("host %+v, want up with API %s", h, tc.want)
			}
			w := find(t, h, "web")
			if got := !math.IsNaN(w.CPUPercent); got != tc.firstCPU {
				t.Errorf("CPU on the first collection: %v, want known %v", w.CPUPercent, tc.firstCPU)
			}
			if tc.firstCPU && !near(w.CPUPercent, 50, 0.01) {
				t.Errorf("CPU from precpu_stats: %v, want 50", w.CPUPercent)
			}
			reqs := e.Requests()
			if reqs[0] != "GET /_ping" {
				t.Errorf("first call %q, want the ping", reqs[0])
			}
			for _, r := range reqs[1:] {
				if !strings.HasPrefix(r, "GET /v"+tc.want+"/") {
					t.Errorf("call %q not in API %s", r, tc.want)
				}
				if strings.Contains(r, "/stats") && strings.Contains(r, "one-shot=true") != tc.oneShot {
					t.Errorf("call %q: one-shot want %v", r, tc.oneShot)
				}
			}
			// The version is kept: the next collection does not ping.
			c.Collect(context.Background())
			if n := slices.Index(e.Requests()[1:], "GET /_ping"); n >= 0 {
				t.Errorf("pinged again: %q", e.Requests())
			}
		})
	}
}

func TestFigures(t *testing.T) {
	t.Parallel()
	for _, v2 := range []bool{false, true} {
		name := map[bool]string{false: "cgroup v1", true: "cgroup v2"}[v2]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := fakedocker.New(fakedocker.Docker20())
			e.Add(web(v2))
			clk := newClock()
			c, _ := newCollector(t, 5*time.Second, []config.DockerHost{{Name: "h", URL: e.ServeUnix(t)}}, docker.WithClock(clk.Now))
			first := find(t, c.Collect(context.Background())[0], "web")
			if !math.IsNaN(first.CPUPercent) || !math.IsNaN(first.RxRate) || !math.IsNaN(first.TxRate) {
				t.Errorf("first collection: CPU %v, rates %v %v; want unknown (NaN)", first.CPUPercent, first.RxRate, first.TxRate)
			}
			if first.MemUsed != 200<<20 || first.MemLimit != 1<<30 {
				t.Errorf("memory %d / %d, want %d / %d", first.MemUsed, first.MemLimit, 200<<20, 1<<30)
			}
			if first.RxBytes != 1500 || first.TxBytes != 2000 || first.BlkRead != 4096 || first.BlkWrite != 8192 {
				t.Errorf("counters rx %d tx %d read %d write %d", first.RxBytes, first.TxBytes, first.BlkRead, first.BlkWrite)
			}
			if first.Uptime != time.Hour || !first.StartedAt.Equal(t0.Add(-time.Hour)) {
				t.Errorf("uptime %v, started %v", first.Uptime, first.StartedAt)
			}
			clk.Add(10 * time.Second)
			second := find(t, c.Collect(context.Background())[0], "web")
			if !near(second.CPUPercent, 50, 1e-9) {
				t.Errorf("CPU %v, want 50", second.CPUPercent)
			}
			if !near(second.RxRate, 2000, 1e-9) || !near(second.TxRate, 200, 1e-9) {
				t.Errorf("rates rx %v tx %v, want 2000 and 200", second.RxRate, second.TxRate)
			}
			if second.BlkRead != 8192 || second.BlkWrite != 16384 {
				t.Errorf("block I/O %d %d", second.BlkRead, second.BlkWrite)
			}
		})
	}
}

// A container that restarted between two collections has lower counters:
// the rates and CPU count from 0, never negative.
func TestCounterReset(t *testing.T) {
	t.Parallel()
	e := fakedocker.New(fakedocker.Docker20())
	w := web(false)
	w.Stats = append(w.Stats, fakedocker.Stats{Read: t0.Add(20 * time.Second), CPUTotal: 2e9, SystemCPU: 180e9,
		OnlineCPUs: 4, MemUsage: 10 << 20, MemLimit: 1 << 30, Networks: map[string][2]uint64{"eth0": {3000, 100}}})
	e.Add(w)
	c, _ := newCollector(t, 5*time.Second, []config.DockerHost{{Name: "h", URL: e.ServeUnix(t)}})
	for range 2 {
		c.Collect(context.Background())
	}
	got := find(t, c.Collect(context.Background())[0], "web")
	// 2 s of CPU (from 0) over 40 s of 4 CPUs; 3000 and 100 bytes from 0 over 10 s.
	if !near(got.CPUPercent, 20, 1e-9) || !near(got.RxRate, 300, 1e-9) || !near(got.TxRate, 10, 1e-9) {
		t.Errorf("after a reset: CPU %v rx %v tx %v; want 20, 300, 10", got.CPUPercent, got.RxRate, got.TxRate)
	}
}

func TestStatesHealthAndSamples(t *testing.T) {
	t.Parallel()
	e := fakedocker.New(fakedocker.Docker29())
	up := t0.Add(-90 * time.Second)
	e.Add(web(true),
		fakedocker.Container{ID: id('b'), Name: "db", Image: "postgres:17", State: "running", Health: "healthy", StartedAt: up,
			RestartCount: 3, Stats: []fakedocker.Stats{{Read: t0, CPUTotal: 1, SystemCPU: 1, OnlineCPUs: 1, MemUsage: 1 << 20, MemLimit: 2 << 20}}},
		fakedocker.Container{ID: id('c'), Name: "job", Image: "busybox", State: "exited", StartedAt: up},
		fakedocker.Container{ID: id('d'), Name: "api", Image: "api:2", State: "running", Health: "unhealthy", StartedAt: up},
	)
	clk := newClock()
	c, _ := newCollector(t, 5*time.Second, []config.DockerHost{{Name: "h1", URL: e.ServeUnix(t)}}, docker.WithClock(clk.Now))
	h := c.Collect(context.Background())[0]
	if !h.Up || len(h.Containers) != 4 {
		t.Fatalf("host %+v", h)
	}
	if names := []string{h.Containers[0].Name, h.Containers[1].Name, h.Containers[2].Name, h.Containers[3].Name}; !slices.Equal(names, []string{"api", "db", "job", "web"}) {
		t.Errorf("containers %v, want sorted by name", names)
	}
	job := find(t, h, "job")
	if job.State != "exited" || job.HasStats || job.Uptime != 0 {
		t.Errorf("exited container %+v", job)
	}
	for _, r := range e.Requests() {
		if strings.Contains(r, id('c')+"/stats") {
			t.Errorf("stats asked of an exited container: %s", r)
		}
	}
	db := find(t, h, "db")
	if db.Health != "healthy" || db.Restarts != 3 || db.Uptime != 90*time.Second {
		t.Errorf("db %+v", db)
	}
	got := map[string]float64{}
	for _, s := range docker.Samples(h) {
		if s.Labels["host"] != "h1" || !s.T.Equal(clk.Now()) {
			t.Errorf("sample %+v", s)
		}
		got[s.Name+"/"+s.Labels["container"]+"/"+s.Labels["image"]] = s.V
	}
	for k, want := range map[string]float64{
		"herald_docker_host_up//":                                      1,
		"herald_container_running/job/busybox":                         0,
		"herald_container_running/db/postgres:17":                      1,
		"herald_container_restarts_total/db/postgres:17":               3,
		"herald_container_uptime_seconds/db/postgres:17":               90,
		"herald_container_healthy/db/postgres:17":                      1,
		"herald_container_healthy/api/api:2":                           0,
		"herald_container_memory_used_bytes/db/postgres:17":            1 << 20,
		"herald_container_memory_limit_bytes/db/postgres:17":           2 << 20,
		"herald_container_memory_used_bytes/web/nginx:1.27":            200 << 20,
		"herald_container_network_receive_bytes_total/web/nginx:1.27":  1500,
		"herald_container_network_transmit_bytes_total/web/nginx:1.27": 2000,
		"herald_container_block_read_bytes_total/web/nginx:1.27":       4096,
		"herald_container_block_write_bytes_total/web/nginx:1.27":      8192,
	} {
		if v, ok := got[k]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", k, v, ok, want)
		}
	}
	if v, ok := got["herald_container_healthy/job/busybox"]; !ok || !math.IsNaN(v) {
		t.Errorf("healthy without a healthcheck = %v (present %v), want NaN", v, ok)
	}
	for _, k := range []string{"herald_container_cpu_percent/web/nginx:1.27", "herald_container_network_receive_bytes_per_second/web/nginx:1.27",
		"herald_container_memory_used_bytes/job/busybox"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s written, but unknown", k)
		}
	}
	clk.Add(10 * time.Second)
	h = c.Collect(context.Background())[0]
	got = map[string]float64{}
	for _, s := range docker.Samples(h) {
		got[s.Name+"/"+s.Labels["container"]] = s.V
	}
	if got["herald_container_cpu_percent/web"] != 50 || got["herald_container_network_receive_bytes_per_second/web"] != 2000 ||
		got["herald_container_network_transmit_bytes_per_second/web"] != 200 {
		t.Errorf("second collection: %v", got)
	}
	down := docker.Samples(docker.HostState{Name: "h2", Err: "x", CollectedAt: t0})
	if len(down) != 1 || down[0].Name != docker.MetricHostUp || down[0].V != 0 || down[0].Labels["host"] != "h2" {
		t.Errorf("down host samples %+v", down)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		fault fakedocker.Fault
		want  string
	}{
		{"truncated stats", fakedocker.Fault{Kind: fakedocker.FaultTruncated, Path: "/stats"}, "GET /containers/" + id('a') + "/stats: bad answer: unexpected end of JSON input"},
		{"truncated list", fakedocker.Fault{Kind: fakedocker.FaultTruncated, Path: "/containers/json"}, "bad answer"},
		{"500", fakedocker.Fault{Kind: fakedocker.Fault500, Path: "/json"}, "engine answered 500: fakedocker: injected internal error"},
		{"dead", fakedocker.Fault{Kind: fakedocker.FaultDead}, "GET /_ping: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := fakedocker.New(fakedocker.Docker20())
			e.Add(web(false))
			e.SetFault(tc.fault)
			c, logs := newCollector(t, 5*time.Second, []config.DockerHost{{Name: "h", URL: e.ServeUnix(t)}})
			h := c.Collect(context.Background())[0]
			if h.Up || !strings.Contains(h.Err, tc.want) || h.Containers != nil {
				t.Fatalf("host %+v, want down with %q", h, tc.want)
			}
			if !strings.Contains(logs.String(), "docker host not collected") {
				t.Errorf("not logged:\n%s", logs.String())
			}
			// The engine mends: the next collection works.
			e.SetFault(fakedocker.Fault{})
			if h := c.Collect(context.Background())[0]; !h.Up || len(h.Containers) != 1 {
				t.Errorf("after the fault: %+v", h)
			}
			pings := 0
			for _, r := range e.Requests() {
				if r == "GET /_ping" {
					pings++
				}
			}
			if pings != 2 {
				t.Errorf("%d pings, want the version negotiated again after the failure", pings)
			}
			if !strings.Contains(logs.String(), "docker host collected again") {
				t.Errorf("recovery not logged:\n%s", logs.String())
			}
		})
	}
}

// A slow host is cut at the timeout; the others do not wait for it.
func TestSlowHostDoesNotDelayOthers(t *testing.T) {
	t.Parallel()
	slow, fast := fakedocker.New(fakedocker.Docker20()), fakedocker.New(fakedocker.Docker20())
	slow.Add(web(false))
	fast.Add(web(false))
	slow.SetFault(fakedocker.Fault{Kind: fakedocker.FaultSlow, Path: "/stats"}) // never answers
	dead := "unix://" + t.TempDir() + "/no.sock"
	c, _ := newCollector(t, 500*time.Millisecond, []config.DockerHost{
		{Name: "slow", URL: slow.ServeUnix(t)}, {Name: "fast", URL: fast.ServeTCP(t)}, {Name: "dead", URL: dead}})
	start := time.Now()
	hs := c.Collect(context.Background())
	took := time.Since(start)
	if took > 3*time.Second {
		t.Errorf("Collect took %v with a 500ms timeout", took)
	}
	if hs[0].Up || !strings.Contains(hs[0].Err, "timed out after 500ms") {
		t.Errorf("slow host %+v", hs[0])
	}
	if !hs[1].Up || len(hs[1].Containers) != 1 || hs[1].Took > 400*time.Millisecond {
		t.Errorf("fast host %+v", hs[1])
	}
	if hs[2].Up || !strings.Contains(hs[2].Err, "no.sock") {
		t.Errorf("dead host %+v", hs[2])
	}
}

// Containers are read at most concurrency at once.
func TestConcurrency(t *testing.T) {
	t.Parallel()
	e := fakedocker.New(fakedocker.Docker20())
	for i := range 12 {
		w := web(false)
		w.ID, w.Name = id(byte('a'+i)), "c"+string(rune('a'+i))
		e.Add(w)
	}
	e.SetFault(fakedocker.Fault{Kind: fakedocker.FaultSlow, Path: "/containers/", Delay: 20 * time.Millisecond})
	c := docker.New(config.DockerConfig{Hosts: []config.DockerHost{{Name: "h", URL: e.ServeUnix(t)}},
		Timeout: config.Duration(10 * time.Second), Concurrency: 3}, nil)
	defer c.Close()
	if h := c.Collect(context.Background())[0]; !h.Up || len(h.Containers) != 12 {
		t.Fatalf("host %+v", h)
	}
	if n := e.MostInFlight(); n != 3 {
		t.Errorf("%d calls at once, want concurrency 3", n)
	}
}

// A container removed between the list and its inspect is left out.
func TestContainerGone(t *testing.T) {
	t.Parallel()
	e := fakedocker.New(fakedocker.Docker20())
	e.Add(web(false))
	ghost := id('f')
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/containers/json") {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`[{"Id":"` + id('a') + `","Names":["/web"],"Image":"nginx:1.27","State":"running"},` +
				`{"Id":"` + ghost + `","Names":["/ghost"],"Image":"x","State":"running"}]`))
			return
		}
		e.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c, _ := newCollector(t, 5*time.Second, []config.DockerHost{{Name: "h", URL: "tcp://" + srv.Listener.Addr().String()}})
	h := c.Collect(context.Background())[0]
	if !h.Up || len(h.Containers) != 1 || h.Containers[0].Name != "web" {
		t.Errorf("host %+v, want web only", h)
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	e := fakedocker.New(fakedocker.Docker20())
	e.Add(web(false))
	url, tlsCfg := e.ServeTLS(t)
	c, _ := newCollector(t, 5*time.Second, []config.DockerHost{{Name: "tls", URL: url, TLS: tlsCfg},
		{Name: "no-client-cert", URL: url, TLS: &config.TLSConfig{CAFile: tlsCfg.CAFile}},
		{Name: "plain", URL: url}})
	hs := c.Collect(context.Background())
	if !hs[0].Up || len(hs[0].Containers) != 1 {
		t.Errorf("with the client certificate: %+v", hs[0])
	}
	for _, h := range hs[1:] {
		if h.Up {
			t.Errorf("%s: up, want refused", h.Name)
		}
	}
}

func TestBadURL(t *testing.T) {
	t.Parallel()
	c, _ := newCollector(t, time.Second, []config.DockerHost{{Name: "h", URL: "http://x:2375"}})
	if h := c.Collect(context.Background())[0]; h.Up || !strings.Contains(h.Err, `unsupported scheme "http"`) {
		t.Errorf("host %+v", h)
	}
}
