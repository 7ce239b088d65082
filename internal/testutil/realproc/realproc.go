// Package realproc starts the real Prometheus-stack programs (Debian
// packages) that end-to-end tests talk to, on loopback ports.
package realproc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil"
)

// Binary returns the path of a program, or ends the test: skipped locally,
// failed under CI, where a missing component must not pass silently.
func Binary(t testing.TB, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	msg := fmt.Sprintf("%s not installed (Debian: apt-get install %s; `make test` does it as root)", names[0], names[0])
	testutil.Missing(t, msg)
	return ""
}

// FreePort returns a loopback address with a port nobody listens on.
func FreePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Start runs a program until the test ends and waits until url answers 200.
func Start(t testing.TB, bin string, readyURL string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, args...)
	out := &testutil.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	// If the test binary dies, the program must not live on as an orphan.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start %s: %v", bin, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(bin), out.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(readyURL)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-done:
			t.Fatalf("%s exited early:\n%s", bin, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready at %s:\n%s", bin, readyURL, out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Alertmanager is a running Alertmanager.
type Alertmanager struct {
	URL string
}

// StartAlertmanager runs Alertmanager with a route that sends everything to
// webhookURL quickly (group_wait 1s, group_interval 1s) with send_resolved.
func StartAlertmanager(t testing.TB, webhookURL string) *Alertmanager {
	t.Helper()
	bin := Binary(t, "prometheus-alertmanager", "alertmanager")
	dir := t.TempDir()
	cfg := fmt.Sprintf(`route:
  receiver: herald
  group_by: [alertname, instance]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: herald
    webhook_configs:
      - url: %q
        send_resolved: true
`, webhookURL)
	cfgPath := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := FreePort(t)
	Start(t, bin, "http://"+addr+"/-/ready",
		"--config.file="+cfgPath, "--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--cluster.listen-address=", "--log.level=debug")
	return &Alertmanager{URL: "http://" + addr}
}

// PostableAlert is one alert as Alertmanager's API v2 takes it.
type PostableAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     time.Time         `json:"startsAt,omitempty"`
	EndsAt       time.Time         `json:"endsAt,omitempty"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// Post sends alerts to Alertmanager as Prometheus would.
func (am *Alertmanager) Post(t testing.TB, alerts ...PostableAlert) {
	t.Helper()
	body, err := json.Marshal(alerts)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(am.URL+"/api/v2/alerts", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var b strings.Builder
		_, _ = fmt.Fprint(&b, resp.Status)
		t.Fatalf("alertmanager answered %s", b.String())
	}
}

// StartNodeExporter runs prometheus-node-exporter and returns its address.
func StartNodeExporter(t testing.TB) string {
	t.Helper()
	bin := Binary(t, "prometheus-node-exporter", "node_exporter")
	addr := FreePort(t)
	Start(t, bin, "http://"+addr+"/metrics", "--web.listen-address="+addr)
	return addr
}

// Prometheus is a running Prometheus.
type Prometheus struct {
	URL string
}

// StartPrometheus runs Prometheus on addr ("" for a free port) scraping the
// targets of each job every second, evaluating rules (the text of a rule
// file) every second and sending alerts to the Alertmanager at amURL.
func StartPrometheus(t testing.TB, addr string, jobs map[string][]string, rules, amURL string) *Prometheus {
	t.Helper()
	bin := Binary(t, "prometheus")
	dir := t.TempDir()
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: [%q]\n", filepath.Join(dir, "rules.yml"))
	fmt.Fprintf(&cfg, "alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: [%q]\n", strings.TrimPrefix(amURL, "http://"))
	cfg.WriteString("scrape_configs:\n")
	for job, targets := range jobs {
		fmt.Fprintf(&cfg, "  - job_name: %q\n    static_configs:\n      - targets: [", job)
		for i, tg := range targets {
			if i > 0 {
				cfg.WriteString(", ")
			}
			fmt.Fprintf(&cfg, "%q", tg)
		}
		cfg.WriteString("]\n")
	}
	for name, body := range map[string]string{"prometheus.yml": cfg.String(), "rules.yml": rules} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if addr == "" {
		addr = FreePort(t)
	}
	Start(t, bin, "http://"+addr+"/-/ready", "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr, "--log.level=debug")
	return &Prometheus{URL: "http://" + addr}
}
