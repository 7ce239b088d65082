package collect

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/collect/docker"
	"github.com/heraldhq/herald/internal/collect/exec"
	"github.com/heraldhq/herald/internal/collect/series"
	"github.com/heraldhq/herald/internal/config"
)

var t0 = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)

func threshold(v float64) *float64 { return &v }

func host(name string, up bool, cs ...docker.Container) docker.HostState {
	return docker.HostState{Name: name, Up: up, Err: map[bool]string{false: "connection refused"}[up], Containers: cs}
}

// TestRulesFireAndResolve walks rounds of observations through the rules
// and checks each notification: firing after `for`, once, resolved once
// with the same start, and the local chart's selector.
func TestRulesFireAndResolve(t *testing.T) {
	t.Parallel()
	cfg := []config.CollectRule{
		{Alert: "DockerHostDown", When: config.WhenHostDown, For: config.Duration(2 * time.Minute), Labels: map[string]string{"severity": "critical"}},
		{Alert: "ContainerExited", When: config.WhenContainerExited},
		{Alert: "ContainerCPU", When: config.WhenCPUAbove, Threshold: threshold(90), Match: map[string]string{"host": "web1"}},
		{Alert: "LagHigh", When: config.WhenMetricAbove, Metric: "lag_blocks", Threshold: threshold(100)},
		{Alert: "CheckFailed", When: config.WhenCheckFailed},
	}
	r := newRules()
	api := docker.Container{Name: "api", Image: "api:1", State: "running", CPUPercent: 95}
	db := docker.Container{Name: "db", Image: "pg:16", State: "running", CPUPercent: 99}
	round := func(min int, hosts []docker.HostState, checks []exec.Result, samples ...series.Sample) []string {
		t.Helper()
		n := r.step(cfg, &observation{at: t0.Add(time.Duration(min) * time.Minute), hosts: hosts, checks: checks, samples: samples}, "")
		if n == nil {
			return nil
		}
		var out []string
		for _, a := range n.Alerts {
			s := a.Status + " " + a.Labels["alertname"] + " " + a.Labels["host"] + a.Labels["container"] + a.Labels["check"] + " @" + a.StartsAt.Format("15:04")
			if a.Status == "resolved" {
				s += "-" + a.EndsAt.Format("15:04")
			}
			if a.Fingerprint == "" || a.Annotations["herald_source"] != "local" || a.Annotations["herald_query"] == "" {
				t.Errorf("alert %s lacks its fingerprint or local chart: %+v", s, a.Annotations)
			}
			out = append(out, s)
		}
		return out
	}
	expect := func(got []string, want ...string) {
		t.Helper()
		for _, w := range want {
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if !found {
				t.Errorf("want %q in %q", w, got)
			}
		}
		if len(got) != len(want) {
			t.Errorf("got %q, want only %q", got, want)
		}
	}
	lag := series.Sample{Name: "lag_blocks", Labels: map[string]string{"check": "eth"}, V: 150}
	failed := exec.Result{Check: "eth", OK: false, Err: "exit status 1"}

	expect(round(0, []docker.HostState{host("web1", true, api), host("web2", true, db), host("dead", false)}, []exec.Result{failed}, lag),
		"firing ContainerCPU web1api @12:00", "firing LagHigh eth @12:00", "firing CheckFailed eth @12:00")
	// Still the same: nothing new (a firing alert is not sent again).
	expect(round(1, []docker.HostState{host("web1", true, api), host("web2", true, db), host("dead", false)}, []exec.Result{failed}, lag))
	// The dead host fires once down for 2m; api exits.
	apiExited := api
	apiExited.State, apiExited.CPUPercent = "exited", 0
	expect(round(2, []docker.HostState{host("web1", true, apiExited), host("web2", true, db), host("dead", false)}, nil),
		"firing DockerHostDown dead @12:00", "firing ContainerExited web1api @12:02", "resolved ContainerCPU web1api @12:00-12:02",
		"resolved LagHigh eth @12:00-12:02", "resolved CheckFailed eth @12:00-12:02")
	// Back: both resolve with their own start.
	expect(round(3, []docker.HostState{host("web1", true, api), host("web2", true), host("dead", true)}, nil),
		"resolved DockerHostDown dead @12:00-12:03", "resolved ContainerExited web1api @12:02-12:03", "firing ContainerCPU web1api @12:03")

	// The state survives a restart: a firing alert is neither sent again
	// as new nor forgotten.
	saved, err := r.marshal()
	if err != nil {
		t.Fatal(err)
	}
	r = newRules()
	if err := r.restore(saved); err != nil {
		t.Fatal(err)
	}
	expect(round(4, []docker.HostState{host("web1", true, api)}, nil))
	api.CPUPercent = 10
	expect(round(5, []docker.HostState{host("web1", true, api)}, nil), "resolved ContainerCPU web1api @12:03-12:05")
}

func TestRestartRule(t *testing.T) {
	t.Parallel()
	cfg := []config.CollectRule{{Alert: "ContainerRestarted", When: config.WhenContainerRestarted}}
	r := newRules()
	c := docker.Container{Name: "worker", State: "running", Restarts: 3}
	if n := r.step(cfg, &observation{at: t0, hosts: []docker.HostState{host("h", true, c)}}, ""); n != nil {
		t.Errorf("first round fired: %+v", n.Alerts)
	}
	c.Restarts = 4
	n := r.step(cfg, &observation{at: t0.Add(time.Minute), hosts: []docker.HostState{host("h", true, c)}}, "")
	if n == nil || len(n.Alerts) != 1 || n.Status != "firing" || !strings.Contains(n.Alerts[0].Annotations["summary"], "4 times") {
		t.Fatalf("restart: %+v", n)
	}
	n = r.step(cfg, &observation{at: t0.Add(2 * time.Minute), hosts: []docker.HostState{host("h", true, c)}}, "")
	if n == nil || n.Status != "resolved" {
		t.Fatalf("no restart since: %+v", n)
	}
}
