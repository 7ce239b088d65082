package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/loadgen"
	"github.com/heraldhq/herald/internal/testutil/realproc"
)

// buildHerald compiles the herald binary for tests that measure the process.
func buildHerald(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "herald")
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/herald")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// procKiB reads a VmRSS/VmHWM-style field of /proc/PID/status in KiB.
func procKiB(pid int, field string) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	m := regexp.MustCompile(field + `:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// runHerald starts the binary with a config and returns its process.
func runHerald(t testing.TB, bin, cfg, addr string) *os.Process {
	t.Helper()
	cmd := exec.Command(bin, "--config", cfg, "--listen-address", addr, "--log.level", "warn")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	// If the test binary dies, Herald must not live on as an orphan.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		if resp, err := httpGet("http://" + addr + "/-/ready"); err == nil && resp == 200 {
			return cmd.Process
		}
		if time.Now().After(deadline) {
			t.Fatal("herald did not become ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestStorm10k is the storm benchmark of docs/benchmarks.md: 10,000 alerts
// to one group chat with Telegram's real limits (20 messages a minute). It
// takes several minutes, so it runs only with HERALD_BENCH_STORM=1.
func TestStorm10k(t *testing.T) {
	if os.Getenv("HERALD_BENCH_STORM") == "" {
		t.Skip("set HERALD_BENCH_STORM=1 to run the 10,000-alert storm benchmark (several minutes)")
	}
	const notifications, perNotification = 1000, 10
	fake := newFake(t)
	dir := t.TempDir()
	cfg := configFor(t, fake, dir, "")
	addr := realproc.FreePort(t)
	proc := runHerald(t, buildHerald(t), cfg, addr)
	t.Logf("idle RSS %d KiB", procKiB(proc.Pid, "VmRSS"))
	start := time.Now()
	r := loadgen.Run(context.Background(), loadgen.Options{URL: "http://" + addr + "/api/v1/alerts", Clients: 16,
		Total: notifications, Alerts: perNotification})
	if r.Failed > 0 || r.Sent != notifications {
		t.Fatalf("ingest: %v", r)
	}
	t.Logf("ingest: %v", r)
	seen := map[string]int{}
	inst := regexp.MustCompile(`host-\d+-\d+:9100`)
	peak := 0
	for len(seen) < notifications*perNotification {
		if rss := procKiB(proc.Pid, "VmRSS"); rss > peak {
			peak = rss
		}
		if time.Since(start) > 20*time.Minute {
			t.Fatalf("only %d alerts delivered after %v", len(seen), time.Since(start))
		}
		time.Sleep(time.Second)
		clear(seen)
		for _, m := range fake.Messages() {
			for _, s := range inst.FindAllString(m.Plain, -1) {
				seen[s]++
			}
		}
	}
	took := time.Since(start)
	msgs := fake.Messages()
	dups := 0
	for _, n := range seen {
		dups += n - 1
	}
	st := fake.Stats()
	t.Logf("storm: %d alerts in %d messages in %v; 429 answers %d; duplicates %d; peak RSS %d KiB (VmHWM %d KiB)",
		len(seen), len(msgs), took.Round(time.Second), st.TooManyRequests, dups, peak, procKiB(proc.Pid, "VmHWM"))
	if st.TooManyRequests != 0 || dups != 0 {
		t.Fatalf("%d answers 429, %d duplicates", st.TooManyRequests, dups)
	}
	folded := 0
	for _, m := range msgs {
		if strings.Contains(m.Plain, "alerts firing") {
			folded++
		}
	}
	// The first events go out one by one until the backlog passes the storm
	// threshold; after that every message is a folded list.
	if folded < len(msgs)/2 {
		t.Errorf("only %d of %d storm messages are folded lists", folded, len(msgs))
	}
}
