//go:build linux

package exec

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"github.com/heraldhq/herald/internal/collect/series"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/testutil"
)

// shell is a check running script with /bin/sh -c; dir is exported to it
// as $D, where it leaves pid files.
func shell(script, dir string, timeout time.Duration) config.ExecCheck {
	return config.ExecCheck{Name: "t", Command: []string{script}, Shell: true,
		Timeout: config.Duration(timeout), Env: map[string]string{"D": dir}}
}

// fast are options with a short grace, for the tests that wait it out.
func fast() options {
	o := defaultOptions()
	o.grace, o.waitDelay = 200*time.Millisecond, 300*time.Millisecond
	return o
}

// readPid reads a pid a script wrote to dir/name.
func readPid(t *testing.T, dir, name string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatalf("the script did not write its %s pid: %v", name, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("%s pid %q: %v", name, b, err)
	}
	return pid
}

// assertDead waits for process pid to have exited: it may be a zombie of
// whoever adopted it (an orphan's reaping is init's business), but it
// must not run. The wait is on the kernel's exit event (a pidfd), bounded
// for a failing test.
func assertDead(t *testing.T, pid int) {
	t.Helper()
	fd, err := unix.PidfdOpen(pid, 0)
	if errors.Is(err, unix.ESRCH) {
		return // reaped already
	}
	if err != nil {
		t.Fatalf("pidfd_open %d: %v", pid, err)
	}
	defer unix.Close(fd)
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, 5000)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || n == 0 {
			t.Fatalf("process %d still runs after the check returned (poll: %v)", pid, err)
		}
		return
	}
}

// assertReaped checks that the check's command, pid, is no zombie of
// ours: Run reaps it before returning.
func assertReaped(t *testing.T, pid int) {
	t.Helper()
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return
	}
	// pid (comm) state ppid ...
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	if len(f) > 1 && f[0] == "Z" && f[1] == strconv.Itoa(os.Getpid()) {
		t.Errorf("the command %d is left a zombie of Herald", pid)
	}
}

// values maps the series keys of samples to their values.
func values(samples []series.Sample) map[string]float64 {
	m := map[string]float64{}
	for _, s := range samples {
		m[s.Key()] = s.V
	}
	return m
}

// assertFailed checks a failed result: its error, and only Herald's own
// two series, up at 0.
func assertFailed(t *testing.T, res Result, errPrefix string) {
	t.Helper()
	if res.OK || !strings.HasPrefix(res.Err, errPrefix) {
		t.Errorf("OK=%v Err=%q, want failed with %q...", res.OK, res.Err, errPrefix)
	}
	if len(res.Samples) != 2 || res.Samples[0].Name != UpMetric || res.Samples[0].V != 0 ||
		res.Samples[1].Name != DurationMetric {
		t.Errorf("a failed check gives only %s 0 and %s, got %v", UpMetric, DurationMetric, res.Samples)
	}
}

func TestRunSucceeds(t *testing.T) {
	t.Parallel()
	script := `cat <<'EOF'
# HELP queue_depth Jobs waiting.
# TYPE queue_depth gauge
queue_depth{queue="mail"} 3
queue_depth{queue="sms",check="mine"} 0.5
# TYPE jobs_total counter
jobs_total 1027
# TYPE latency_seconds histogram
latency_seconds_bucket{le="0.1"} 2
latency_seconds_bucket{le="1"} 5
latency_seconds_bucket{le="+Inf"} 6
latency_seconds_sum 4.2
latency_seconds_count 6
# TYPE rpc summary
rpc{quantile="0.5"} 0.03
rpc{quantile="0.99"} 0.2
rpc_sum 12
rpc_count 300
plain 7
EOF`
	res := Run(context.Background(), shell(script, t.TempDir(), 10*time.Second), testNow)
	if !res.OK || res.Err != "" || res.Check != "t" || !res.At.Equal(testNow) {
		t.Fatalf("OK=%v Err=%q Check=%q At=%v", res.OK, res.Err, res.Check, res.At)
	}
	got := values(res.Samples)
	want := map[string]float64{
		`queue_depth{check="t",queue="mail"}`:                      3,
		`queue_depth{check="t",exported_check="mine",queue="sms"}`: 0.5,
		`jobs_total{check="t"}`:                                    1027,
		`latency_seconds_bucket{check="t",le="0.1"}`:               2,
		`latency_seconds_bucket{check="t",le="1.0"}`:               5,
		`latency_seconds_bucket{check="t",le="+Inf"}`:              6,
		`latency_seconds_sum{check="t"}`:                           4.2,
		`latency_seconds_count{check="t"}`:                         6,
		`rpc{check="t",quantile="0.5"}`:                            0.03,
		`rpc{check="t",quantile="0.99"}`:                           0.2,
		`rpc_sum{check="t"}`:                                       12,
		`rpc_count{check="t"}`:                                     300,
		`plain{check="t"}`:                                         7,
		`herald_check_up{check="t"}`:                               1,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	if len(got) != len(want)+1 {
		t.Errorf("got %d series, want %d: %v", len(got), len(want)+1, got)
	}
	d := got[`herald_check_duration_seconds{check="t"}`]
	if d <= 0 || d != res.Took.Seconds() {
		t.Errorf("duration sample %v, Took %v", d, res.Took)
	}
	for _, s := range res.Samples {
		if !s.T.Equal(testNow) {
			t.Errorf("%s at %v, want now", s.Key(), s.T)
		}
	}
}

func TestRunArgvAndDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// No trailing newline: Prometheus takes it, so does Herald.
	if err := os.WriteFile(filepath.Join(dir, "metrics.prom"), []byte("from_dir 1"), 0o600); err != nil {
		t.Fatal(err)
	}
	check := config.ExecCheck{Name: "argv", Command: []string{"cat", "metrics.prom"}, Dir: dir, Timeout: config.Duration(5 * time.Second)}
	res := Run(context.Background(), check, testNow)
	if !res.OK || values(res.Samples)[`from_dir{check="argv"}`] != 1 {
		t.Errorf("OK=%v Err=%q samples %v", res.OK, res.Err, res.Samples)
	}
	// Arguments reach the program as they are, no shell in between.
	check = config.ExecCheck{Name: "argv", Command: []string{"printf", "%s 1\n", "$HOME;x"}, Timeout: config.Duration(5 * time.Second)}
	res = Run(context.Background(), check, testNow)
	assertFailed(t, res, `parse output: text format parsing error in line 1: `)
}

func TestRunTimestamps(t *testing.T) {
	t.Parallel()
	res := Run(context.Background(), shell(`printf 'stamped 1 1700000000123\nunstamped 2\n'`, t.TempDir(), 5*time.Second), testNow)
	if !res.OK {
		t.Fatalf("Err=%q", res.Err)
	}
	for _, s := range res.Samples {
		want := testNow
		if s.Name == "stamped" {
			want = time.UnixMilli(1700000000123)
		}
		if !s.T.Equal(want) {
			t.Errorf("%s at %v, want %v", s.Name, s.T, want)
		}
	}
}

func TestRunFails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, script string
		err, stderr  string
	}{
		{"exit status", "echo 'half 1'; echo 'connecting...' >&2; echo 'db unreachable' >&2; exit 3",
			"exit status 3: db unreachable", "connecting...\ndb unreachable"},
		{"signal", "echo 'half 1'; kill -KILL $$", "killed by signal 9 (killed)", ""},
		{"garbage", "echo 'ok 1'; echo 'ok2 2'; echo 'this is not a metric'",
			`parse output: text format parsing error in line 3: expected float as value, got "is"`, ""},
		{"duplicate", "echo 'a{x=\"1\"} 1'; echo 'a{x=\"1\"} 2'", `parse output: series a{check="t",x="1"} printed twice`, ""},
		{"reserved", "echo 'herald_check_up 1'", "herald_check_up is Herald's own series", ""},
		{"utf-8 name", `echo '{"ünïcode"} 1'`, `parse output: text format parsing error in line 1: invalid metric name "ünïcode"`, ""},
		{"not found", "", "start: ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			check := shell(tt.script, t.TempDir(), 5*time.Second)
			if tt.script == "" {
				check.Shell, check.Command = false, []string{filepath.Join(t.TempDir(), "missing")}
			}
			res := Run(context.Background(), check, testNow)
			assertFailed(t, res, tt.err)
			if res.Stderr != tt.stderr {
				t.Errorf("Stderr = %q, want %q", res.Stderr, tt.stderr)
			}
		})
	}
}

func TestRunTooMuchOutput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, script string
		ok           bool
	}{
		{"2 MiB", "yes | head -c 2097152", false},
		{"endless", "echo $$ > \"$D/leader\"; yes", false},
		{"1 MiB exactly", "head -c 1048576 /dev/zero | tr '\\0' '#'", true},
		{"1 MiB and a byte", "head -c 1048577 /dev/zero | tr '\\0' '#'", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			res := Run(context.Background(), shell(tt.script, dir, 10*time.Second), testNow)
			if tt.ok {
				if !res.OK {
					t.Errorf("Err=%q", res.Err)
				}
				return
			}
			assertFailed(t, res, "output larger than 1 MiB")
			if res.Took > 5*time.Second {
				t.Errorf("took %v: the command was not stopped at the limit", res.Took)
			}
			if tt.name == "endless" {
				assertReaped(t, readPid(t, dir, "leader"))
			}
		})
	}
}

// TestRunTimeoutKillsGroup: a shell waiting on a child is stopped at the
// timeout, its child with it, and the shell is reaped.
func TestRunTimeoutKillsGroup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   options
		script string
		min    time.Duration
	}{
		// The shell and its sleep die of SIGTERM at once.
		{"SIGTERM", defaultOptions(), `echo $$ > "$D/leader"; sleep 60 & echo $! > "$D/child"; wait`, 300 * time.Millisecond},
		// Both ignore SIGTERM; SIGKILL comes after the grace.
		{"SIGKILL", fast(), `trap '' TERM; echo $$ > "$D/leader"; sleep 60 & echo $! > "$D/child"; wait`, 500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			// The pid files are written as the script starts, well before the timeout.
			res := tt.opts.run(context.Background(), shell(tt.script, dir, 300*time.Millisecond), testNow)
			assertFailed(t, res, "timed out after 300ms")
			if res.Took < tt.min || res.Took > tt.min+3*time.Second {
				t.Errorf("took %v, want about %v", res.Took, tt.min)
			}
			assertDead(t, readPid(t, dir, "child"))
			assertReaped(t, readPid(t, dir, "leader"))
		})
	}
}

func TestRunCanceled(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "started")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan Result, 1)
	go func() {
		script := `echo $$ > "$D/leader"; sleep 60 & echo $! > "$D/child"; echo up > "$D/started"; wait`
		done <- Run(ctx, shell(script, dir, time.Minute), testNow)
	}()
	started := make(chan error, 1)
	go func() {
		_, err := os.ReadFile(fifo) // returns once the script has written and closed it
		started <- err
	}()
	select {
	case err := <-started:
		if err != nil {
			t.Fatal(err)
		}
	case res := <-done:
		t.Fatalf("the check ended before it was canceled: %+v", res)
	case <-time.After(10 * time.Second):
		t.Fatal("the script never started")
	}
	cancel()
	res := <-done
	assertFailed(t, res, "canceled: context canceled")
	assertDead(t, readPid(t, dir, "child"))
	assertReaped(t, readPid(t, dir, "leader"))
	// Canceled before it starts: nothing runs.
	res = Run(ctx, shell(`echo ran > "$D/ran"`, dir, time.Minute), testNow)
	assertFailed(t, res, "canceled")
	if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil {
		t.Error("a check ran with its context canceled")
	}
}

// TestRunKillsLeftovers: what a check leaves running in its group when it
// exits is killed, and does not hold the run up.
func TestRunKillsLeftovers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	res := Run(context.Background(), shell(`sleep 60 & echo $! > "$D/child"; echo 'done 1'`, dir, 10*time.Second), testNow)
	if !res.OK || values(res.Samples)[`done{check="t"}`] != 1 {
		t.Errorf("OK=%v Err=%q", res.OK, res.Err)
	}
	if res.Took > 2*time.Second {
		t.Errorf("took %v", res.Took)
	}
	assertDead(t, readPid(t, dir, "child"))
}

// TestRunEscapedHolder: a process that left the group (setsid) and holds
// stdout cannot be killed by the group; the run fails after waitDelay
// rather than wait for it.
func TestRunEscapedHolder(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("setsid"); err != nil {
		testutil.Missing(t, "setsid (util-linux) is missing")
	}
	dir := t.TempDir()
	// The script waits until its child has left the group (the pid file
	// is written after setsid), lest the group kill catch it before.
	script := `setsid sh -c 'echo $$ > "$D/escaped"; exec sleep 60' &
until [ -s "$D/escaped" ]; do sleep 0.01; done; echo 'a 1'`
	res := fast().run(context.Background(), shell(script, dir, 10*time.Second), testNow)
	pid := readPid(t, dir, "escaped")
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	assertFailed(t, res, "stdout or stderr still open 300ms after the command's group was killed")
	if res.Took > 3*time.Second {
		t.Errorf("took %v", res.Took)
	}
}

func TestRunStderrTail(t *testing.T) {
	t.Parallel()
	script := `i=0; while [ $i -lt 200 ]; do echo "line $i of noise, noise, noise" >&2; i=$((i+1)); done
printf 'é\033[31mred\377\r\n' >&2; echo 'last words' >&2; exit 1`
	res := Run(context.Background(), shell(script, t.TempDir(), 10*time.Second), testNow)
	assertFailed(t, res, "exit status 1: last words")
	if len(res.Stderr) > StderrTail || !utf8.ValidString(res.Stderr) {
		t.Errorf("stderr tail of %d bytes, valid UTF-8 %v", len(res.Stderr), utf8.ValidString(res.Stderr))
	}
	if !strings.HasPrefix(res.Stderr, "…") || !strings.HasSuffix(res.Stderr, "é\uFFFD[31mred\uFFFD\nlast words") {
		t.Errorf("stderr tail %q", res.Stderr)
	}
}

// TestRunEnvironment: Herald's secrets stay out of a script's
// environment; the inherited variables and the check's Env get in. Not
// parallel: it sets the test process' environment.
func TestRunEnvironment(t *testing.T) {
	t.Setenv("HERALD_TELEGRAM_BOT_TOKEN", "123:secret")
	t.Setenv("SOME_OTHER_VAR", "x")
	t.Setenv("LC_TIME", "C.UTF-8")
	t.Setenv("TZ", "Europe/Paris")
	dir := t.TempDir()
	check := shell(`env > "$D/env"; echo 'ok 1'`, dir, 5*time.Second)
	check.Env["FOO"] = "bar"
	check.Env["TZ"] = "UTC" // Env wins
	res := Run(context.Background(), check, testNow)
	if !res.OK {
		t.Fatalf("Err=%q", res.Err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "env"))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		k, v, _ := strings.Cut(l, "=")
		env[k] = v
	}
	want := map[string]string{"PATH": os.Getenv("PATH"), "LC_TIME": "C.UTF-8", "TZ": "UTC", "FOO": "bar", "D": dir}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s=%q in the script, want %q", k, env[k], v)
		}
	}
	for k := range env {
		switch {
		case inherited(k), want[k] != "":
		case k == "PWD" || k == "OLDPWD" || k == "SHLVL" || k == "_": // the shell's own
		default:
			t.Errorf("%s=%q leaked into the script", k, env[k])
		}
	}
	if strings.Contains(string(b), "secret") {
		t.Error("Herald's bot token reached the script")
	}
}
