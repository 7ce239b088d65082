package fakedocker

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The fake refuses what real engines refuse, so that the collector's
// mistakes show.
func TestStrictness(t *testing.T) {
	t.Parallel()
	e := New(Docker29())
	e.Add(Container{ID: strings.Repeat("a", 64), Name: "web", Image: "nginx", State: "running", StartedAt: time.Now(),
		Stats: []Stats{{Read: time.Now(), CPUTotal: 1, SystemCPU: 2, OnlineCPUs: 1, MemUsage: 10, MemLimit: 20}}})
	srv := httptest.NewServer(e)
	defer srv.Close()
	for _, tc := range []struct {
		path   string
		status int
		want   string
	}{
		{"/_ping", 200, "OK"},
		{"/v1.41/containers/json", 400, "client version 1.41 is too old. Minimum supported API version is 1.44"},
		{"/v1.53/containers/json", 400, "client version 1.53 is too new. Maximum supported API version is 1.52"},
		{"/v1.47/containers/json", 200, `"Names":["/web"]`},
		{"/v1.47/containers/web/stats", 400, "pass stream=false"},
		{"/v1.47/containers/web/stats?stream=false&one-shot=true", 200, `"online_cpus":1`},
		{"/v1.47/containers/nope/json", 404, "No such container: nope"},
	} {
		resp, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.want) {
			t.Errorf("%s: %d %s, want %d with %q", tc.path, resp.StatusCode, b, tc.status, tc.want)
		}
		if v := resp.Header.Get("Api-Version"); v != "1.52" {
			t.Errorf("%s: API-Version %q", tc.path, v)
		}
	}
}

func TestOneShotNeeds141(t *testing.T) {
	t.Parallel()
	e := New(Docker19())
	e.Add(Container{ID: "x", Name: "x", State: "running", Stats: []Stats{{SystemCPU: 1}, {SystemCPU: 2}}})
	srv := httptest.NewServer(e)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/v1.40/containers/x/stats?stream=false&one-shot=true")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("one-shot on 1.40: %d", resp.StatusCode)
	}
	// Without one-shot the engine samples twice: precpu is the first.
	resp, err = http.Get(srv.URL + "/v1.40/containers/x/stats?stream=false")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s struct {
		CPU struct {
			System uint64 `json:"system_cpu_usage"`
		} `json:"cpu_stats"`
		PreCPU struct {
			System uint64 `json:"system_cpu_usage"`
		} `json:"precpu_stats"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || s.CPU.System != 2 || s.PreCPU.System != 1 {
		t.Errorf("stats %+v, %v", s, err)
	}
}
