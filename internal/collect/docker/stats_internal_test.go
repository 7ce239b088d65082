package docker

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestCPUPercent(t *testing.T) {
	t.Parallel()
	cur := func(total, system uint64, online uint32, percpu int) cpuStats {
		var c cpuStats
		c.CPUUsage.TotalUsage, c.SystemUsage, c.OnlineCPUs = total, system, online
		c.CPUUsage.PercpuUsage = make([]uint64, percpu)
		return c
	}
	for _, tc := range []struct {
		name                  string
		c                     cpuStats
		prevTotal, prevSystem uint64
		want                  float64
	}{
		{"one core of four busy", cur(11e9, 140e9, 4, 4), 1e9, 100e9, 100},
		{"online_cpus missing: percpu counted", cur(6e9, 140e9, 0, 4), 1e9, 100e9, 50},
		{"neither: one CPU", cur(6e9, 140e9, 0, 0), 1e9, 100e9, 12.5},
		{"container restarted: from 0", cur(2e9, 140e9, 4, 0), 9e9, 100e9, 20},
		{"idle", cur(1e9, 140e9, 4, 0), 1e9, 100e9, 0},
		{"system counter did not move", cur(2e9, 100e9, 4, 0), 1e9, 100e9, math.NaN()},
	} {
		got := cpuPercent(tc.c, tc.prevTotal, tc.prevSystem)
		if !(got == tc.want || math.IsNaN(got) && math.IsNaN(tc.want)) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMemUsed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		usage uint64
		stats map[string]uint64
		want  uint64
	}{
		{"cgroup v1", 300, map[string]uint64{"total_inactive_file": 100, "inactive_file": 7}, 200},
		{"cgroup v2", 300, map[string]uint64{"inactive_file": 100}, 200},
		{"v1, inactive above usage", 300, map[string]uint64{"total_inactive_file": 400}, 300},
		{"v2, inactive above usage", 300, map[string]uint64{"inactive_file": 400}, 300},
		{"no stats (Podman, Windows)", 300, nil, 300},
	} {
		var s statsAnswer
		s.MemoryStats.Usage, s.MemoryStats.Stats = tc.usage, tc.stats
		if got := memUsed(&s); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestBlkio(t *testing.T) {
	t.Parallel()
	var s statsAnswer
	must(t, json.Unmarshal([]byte(`{"blkio_stats":{"io_service_bytes_recursive":[
		{"major":8,"minor":0,"op":"Read","value":10},{"major":8,"minor":0,"op":"Write","value":20},
		{"major":8,"minor":0,"op":"Total","value":30},{"major":8,"minor":16,"op":"read","value":1},
		{"major":8,"minor":16,"op":"write","value":2}]}}`), &s))
	if r, w := blkio(&s); r != 11 || w != 22 {
		t.Errorf("read %d write %d, want 11 and 22", r, w)
	}
}

func TestRate(t *testing.T) {
	t.Parallel()
	if r := rate(100, 300, 10); r != 20 {
		t.Errorf("rate %v", r)
	}
	if r := rate(300, 50, 10); r != 5 {
		t.Errorf("after a reset %v, want 5 (counted from 0)", r)
	}
}

func TestComputeWithoutReadTime(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var s statsAnswer
	s.Networks = map[string]struct {
		RxBytes uint64 `json:"rx_bytes"`
		TxBytes uint64 `json:"tx_bytes"`
	}{"eth0": {RxBytes: 1000}}
	prev := &sample{read: now.Add(-10 * time.Second)}
	if f := compute(&s, prev, now); f.rxRate != 100 || f.txRate != 0 {
		t.Errorf("rates %v %v, want 100 and 0 from our clock", f.rxRate, f.txRate)
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	o := &options{backoffMin: 5 * time.Second, backoffMax: time.Minute}
	var got []time.Duration
	for n := 1; n <= 6; n++ {
		got = append(got, o.backoff(n))
	}
	want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, time.Minute, time.Minute}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("backoffs %v, want %v", got, want)
		}
	}
}

func TestVersions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		less bool
	}{{"1.41", "1.44", true}, {"1.9", "1.41", true}, {"1.47", "1.47", false}, {"2.0", "1.52", false}} {
		if versionLess(tc.a, tc.b) != tc.less {
			t.Errorf("versionLess(%s, %s) != %v", tc.a, tc.b, tc.less)
		}
	}
	for _, tc := range []struct{ header, want string }{
		{"1.41", "1.41"}, {"1.52", MaxAPIVersion}, {"", fallbackAPIVersion}, {"1.24", "1.24"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if tc.header != "" {
				w.Header().Set("Api-Version", tc.header)
			}
			_, _ = w.Write([]byte("OK"))
		}))
		e := &engine{httpc: srv.Client(), base: srv.URL}
		got, err := e.negotiate(t.Context())
		srv.Close()
		if err != nil || got != tc.want {
			t.Errorf("API-Version %q: %q, %v; want %q", tc.header, got, err, tc.want)
		}
	}
}

func TestCleanText(t *testing.T) {
	t.Parallel()
	if got := cleanText("a\x1b[31mb\u202ec\n", 100); got != "a [31mb c " {
		t.Errorf("%q", got)
	}
	if got := cleanText("ééé", 3); got != "é…" {
		t.Errorf("%q", got)
	}
}

// FuzzStats feeds any stats answer to the figures: no panic, and no
// figure that makes no sense.
func FuzzStats(f *testing.F) {
	f.Add([]byte(`{"read":"2026-01-01T00:00:10Z","cpu_stats":{"cpu_usage":{"total_usage":6000000000},"system_cpu_usage":140000000000,"online_cpus":4},"memory_stats":{"usage":300,"limit":1000,"stats":{"total_inactive_file":100}},"networks":{"eth0":{"rx_bytes":1,"tx_bytes":2}},"blkio_stats":{"io_service_bytes_recursive":[{"op":"Read","value":1}]}}`))
	f.Add([]byte(`{"precpu_stats":{"cpu_usage":{"total_usage":1},"system_cpu_usage":1},"cpu_stats":{"cpu_usage":{"total_usage":0,"percpu_usage":[1,2]},"system_cpu_usage":2}}`))
	f.Add([]byte(`{"memory_stats":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s statsAnswer
		if json.Unmarshal(b, &s) != nil {
			return
		}
		now := time.Date(2026, 1, 1, 0, 0, 5, 0, time.UTC)
		prev := &sample{read: now.Add(-5 * time.Second), cpuTotal: 1e9, cpuSystem: 100e9, rx: 10, tx: 10}
		f := compute(&s, prev, now)
		if f.memUsed > s.MemoryStats.Usage {
			t.Errorf("memory used %d above usage %d", f.memUsed, s.MemoryStats.Usage)
		}
		for _, v := range []float64{f.cpuPercent, f.rxRate, f.txRate} {
			if v < 0 || math.IsInf(v, 0) {
				t.Errorf("figure %v", v)
			}
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
