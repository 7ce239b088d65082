package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/heraldhq/herald/internal/testutil"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
	"github.com/heraldhq/herald/internal/testutil/realproc"
)

// replica is one Herald process of a group sharing a PostgreSQL store.
type replica struct {
	name string
	URL  string
	cmd  *exec.Cmd
	// Log is the process's standard error (its log, level info).
	Log *testutil.Buffer
	// exited is closed once the process is gone.
	exited chan struct{}
}

// startReplica runs the herald binary with cfg on a free port, its log in
// Log, and waits until it is ready. It is killed when the test ends, and
// its log shown if the test failed (or whenever HERALD_E2E_LOGS is set).
func startReplica(t *testing.T, bin, cfg, name string) *replica {
	t.Helper()
	addr := realproc.FreePort(t)
	r := &replica{name: name, URL: "http://" + addr, Log: &testutil.Buffer{}, exited: make(chan struct{})}
	r.cmd = exec.Command(bin, "--config", cfg, "--listen-address", addr, "--log.level", "info")
	r.cmd.Stdout, r.cmd.Stderr = io.Discard, r.Log
	// If the test binary dies, Herald must not live on as an orphan.
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = r.cmd.Wait(); close(r.exited) }()
	t.Cleanup(func() {
		r.kill()
		if t.Failed() || os.Getenv("HERALD_E2E_LOGS") != "" {
			t.Logf("log of replica %s (pid %d):\n%s", r.name, r.cmd.Process.Pid, r.Log)
		}
	})
	exited := func() bool {
		select {
		case <-r.exited:
			return true
		default:
			return false
		}
	}
	ready := testutil.Until(30*time.Second, func() bool { return exited() || r.ready() })
	switch {
	case exited():
		t.Fatalf("replica %s exited while starting:\n%s", name, r.Log)
	case !ready:
		t.Fatalf("replica %s not ready after 30s:\n%s", name, r.Log)
	}
	return r
}

// repClient bounds every request of these tests to a replica, so that a
// paused (SIGSTOP) one reads as not answering rather than hanging the test.
var repClient = &http.Client{Timeout: 3 * time.Second}

// ready reports whether /-/ready answers 200.
func (r *replica) ready() bool {
	code, _ := r.get("/-/ready")
	return code == http.StatusOK
}

// get returns the status code and body of a GET, 0 when it fails.
func (r *replica) get(path string) (int, string) {
	resp, err := repClient.Get(r.URL + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// post posts body to path and returns the status code (0 when the request
// failed) and the answer.
func (r *replica) post(path, body string) (int, string) {
	resp, err := repClient.Post(r.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// alive reports whether the process still runs (a paused one does).
func (r *replica) alive() bool {
	select {
	case <-r.exited:
		return false
	default:
		return true
	}
}

// kill ends the process at once (kill -9) and waits until it is gone.
func (r *replica) kill() {
	_ = r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.exited
}

// signal sends sig (SIGSTOP, SIGCONT) to the process.
func (r *replica) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := r.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("replica %s: %v: %v", r.name, sig, err)
	}
}

var leaseHeldRE = regexp.MustCompile(`(?m)^herald_lease_held\{lease="([a-z_]+)"\} (\S+)$`)

// leases returns the leases the replica says it holds on /metrics; ok is
// false when it does not answer.
func (r *replica) leases() (held map[string]bool, ok bool) {
	code, body := r.get("/metrics")
	if code != http.StatusOK {
		return nil, false
	}
	held = map[string]bool{}
	for _, m := range leaseHeldRE.FindAllStringSubmatch(body, -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		held[m[1]] = v == 1
	}
	return held, true
}

// metric returns the value of a sample without labels on /metrics, or -1.
func (r *replica) metric(name string) float64 {
	code, body := r.get("/metrics")
	if code != http.StatusOK {
		return -1
	}
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		return -1
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return -1
	}
	return v
}

// holders returns, for each lease, the replicas among rs that answer and
// say they hold it.
func holders(rs []*replica) map[string][]*replica {
	out := map[string][]*replica{}
	for _, r := range rs {
		if !r.alive() {
			continue
		}
		held, ok := r.leases()
		if !ok {
			continue
		}
		for name, h := range held {
			if h {
				out[name] = append(out[name], r)
			}
		}
	}
	return out
}

// waitHolder waits until exactly one of rs says it holds lease and
// returns it.
func waitHolder(t *testing.T, rs []*replica, lease string, timeout time.Duration) *replica {
	t.Helper()
	var h *replica
	testutil.Poll(t, timeout, "one replica holding the "+lease+" lease", func() bool {
		hs := holders(rs)[lease]
		if len(hs) != 1 {
			return false
		}
		h = hs[0]
		return true
	})
	return h
}

// others is rs without r.
func others(rs []*replica, r *replica) []*replica {
	var out []*replica
	for _, x := range rs {
		if x != r {
			out = append(out, x)
		}
	}
	return out
}

// rrProxy is a round-robin reverse proxy in front of the replicas, as a
// load balancer without health checks: a request to a dead replica gets a
// 502, so that Alertmanager retries it (and the retry goes elsewhere).
type rrProxy struct {
	URL      string
	backends []*httputil.ReverseProxy
	next     atomic.Uint64
	// Errors counts the 502 answers.
	Errors atomic.Int64
}

func newRRProxy(t *testing.T, rs []*replica) *rrProxy {
	t.Helper()
	p := &rrProxy{}
	for _, r := range rs {
		u, err := url.Parse(r.URL)
		if err != nil {
			t.Fatal(err)
		}
		rp := httputil.NewSingleHostReverseProxy(u)
		rp.Transport = &http.Transport{ResponseHeaderTimeout: 10 * time.Second, MaxIdleConnsPerHost: 64}
		rp.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, _ error) {
			p.Errors.Add(1)
			w.WriteHeader(http.StatusBadGateway)
		}
		p.backends = append(p.backends, rp)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.backends[p.next.Add(1)%uint64(len(p.backends))].ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// replicaConfig writes dir/herald.yml for one replica on the PostgreSQL
// database dsn with a lease of 3s: one Telegram channel "ops" to chat,
// storm folding at Herald's default threshold, the bot polling the fake
// (the telegram_poller lease) and one exec check (the collect lease);
// telegram holds more keys of the telegram section (indented by two).
func replicaConfig(t *testing.T, dir string, fake *faketelegram.Server, chat int64, dsn, telegram string) string {
	t.Helper()
	script := filepath.Join(dir, "tick.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho '# TYPE replica_tick gauge'\necho 'replica_tick 1'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return writeConfig(t, dir, "127.0.0.1:0", "", fmt.Sprintf(`storage:
  driver: postgres
  dsn: %q
  lease_duration: 3s
delivery:
  initial_backoff: 100ms
  max_backoff: 1s
  timeout: 10s
  storm_threshold: 10
telegram:
  bot_token: %s
  api_url: %s
  poll_timeout: 1s
%scollectors:
  interval: 1s
  exec:
    - {name: tick, command: [%s]}
channels:
  - name: ops
    telegram:
      chat_id: %d
`, dsn, fake.Token(), fake.URL(), telegram, script, chat))
}

// alertCounts counts how often each match of re appears in the messages:
// an alert's identifying label, once in its own message or once as a
// line of a folded list.
func alertCounts(msgs []faketelegram.Message, re *regexp.Regexp) map[string]int {
	seen := map[string]int{}
	for _, m := range msgs {
		for _, s := range re.FindAllString(m.Plain, -1) {
			seen[s]++
		}
	}
	return seen
}

// checkExactlyOnce fails the test unless each of want appears exactly
// once in the messages and no message text appears twice.
func checkExactlyOnce(t *testing.T, msgs []faketelegram.Message, re *regexp.Regexp, want []string) {
	t.Helper()
	seen := alertCounts(msgs, re)
	var missing, twice []string
	for _, w := range want {
		switch n := seen[w]; {
		case n == 0:
			missing = append(missing, w)
		case n > 1:
			twice = append(twice, fmt.Sprintf("%s ×%d", w, n))
		}
		delete(seen, w)
	}
	texts := map[string]int{}
	for _, m := range msgs {
		texts[m.Plain]++
	}
	repeated := 0
	for _, n := range texts {
		repeated += n - 1
	}
	if len(missing) > 0 || len(twice) > 0 || len(seen) > 0 || repeated > 0 {
		for i, m := range msgs {
			first, _, _ := strings.Cut(m.Plain, "\n")
			found := re.FindAllString(m.Plain, -1)
			span := ""
			if len(found) > 0 {
				span = found[0] + " … " + found[len(found)-1]
			}
			t.Logf("message %d (id %d, %s, reply to %d): %q, %d alerts %s", i, m.ID, m.Date.Format("15:04:05.000"),
				m.ReplyTo, first, len(found), span)
		}
		t.Errorf("of %d alerts in %d messages: %d missing %v, %d more than once %v, %d unexpected %v; %d messages repeat an earlier one",
			len(want), len(msgs), len(missing), head(missing), len(twice), head(twice), len(seen), seen, repeated)
	}
}

// head is the first few of xs, for error messages.
func head(xs []string) []string {
	if len(xs) > 10 {
		return xs[:10]
	}
	return xs
}

// firingPayload is the Alertmanager webhook body of realPayload for one
// alert with its own instance label (and so its own fingerprint, computed
// by Herald).
func firingPayload(t *testing.T, instance string) string {
	t.Helper()
	return realPayload(t, "node-2.example:9100", instance, `"fingerprint": "b452131657f3bca1"`, `"fingerprint": ""`)
}

// waitAlerts waits until every one of want appears in the fake's messages.
func waitAlerts(t *testing.T, fake *faketelegram.Server, re *regexp.Regexp, want []string, timeout time.Duration) {
	t.Helper()
	testutil.Poll(t, timeout, fmt.Sprintf("%d alerts in the chat", len(want)), func() bool {
		seen := alertCounts(fake.Messages(), re)
		for _, w := range want {
			if seen[w] == 0 {
				return false
			}
		}
		return true
	})
}

// recorded is how many deliveries the replicas that answer recorded as
// sent (herald_deliveries_total{outcome="success"}); ok is false when one
// of rs does not answer.
func recorded(rs []*replica) (n int, ok bool) {
	for _, r := range rs {
		code, body := r.get("/metrics")
		if code != http.StatusOK {
			return 0, false
		}
		m := deliveredRE.FindStringSubmatch(body)
		if m == nil {
			return 0, false
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		n += int(v)
	}
	return n, true
}

var deliveredRE = regexp.MustCompile(`(?m)^herald_deliveries_total\{channel="ops",outcome="success"\} (\S+)$`)

// idleHolder waits for a moment when the dispatch holder is idle between
// two messages to one chat: every alert in the chat so far is recorded as
// sent (the holder then waits for the chat's pace), well before the next
// one may leave (the pace is a message every 1/0.95 s). It returns the lease holders then,
// the number of messages and how long after its arrival the last
// message's outcome was recorded.
func idleHolder(t *testing.T, fake *faketelegram.Server, rs []*replica, re *regexp.Regexp) (map[string][]*replica, int, time.Duration) {
	t.Helper()
	const nextAfter = 800 * time.Millisecond
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		msgs := fake.Messages()
		last := msgs[len(msgs)-1].Date
		sent := 0
		for _, n := range alertCounts(msgs, re) {
			sent += n
		}
		// The holder has recorded every message so far (and sends no
		// other until the chat's pace allows).
		var lag time.Duration
		testutil.Until(10*time.Second, func() bool {
			if n, ok := recorded(rs); ok && n >= sent {
				lag = time.Since(last)
				return true
			}
			return len(fake.Messages()) != len(msgs)
		})
		if lag > 0 && lag < nextAfter {
			hs := holders(rs)
			if len(hs["dispatch"]) == 1 && len(fake.Messages()) == len(msgs) && time.Since(last) < nextAfter {
				return hs, len(msgs), lag
			}
		}
		// Too late for this gap: try the next one.
		if _, err := fake.WaitMessages(len(msgs)+1, 30*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("the dispatch holder was never idle between two messages for 60s")
	return nil, 0, 0
}

// leaseEnds returns a function that reads when the lease name ends, as
// the database records it: each renewal moves it.
func leaseEnds(t *testing.T, dsn, name string) func() int64 {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	return func() int64 {
		var end int64
		if err := conn.QueryRow(ctx, `SELECT expires_at FROM leases WHERE name = $1`, name).Scan(&end); err != nil {
			t.Fatalf("read lease %s: %v", name, err)
		}
		return end
	}
}
