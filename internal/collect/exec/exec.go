// Package exec runs Herald's script checks (collectors.exec) and turns
// what they print, in the Prometheus text exposition format, into
// samples.
//
// A check runs in its own process group and lives no longer than its run:
// at the timeout, on cancellation or when it prints too much, the whole
// group gets SIGTERM, then SIGKILL after a short grace; when the command
// exits by itself, whatever it left running in its group is killed at
// once. The command is always reaped, so no zombie stays behind.
//
// Herald's environment is not inherited. It holds Herald's secrets
// (HERALD_TELEGRAM_BOT_TOKEN and the like), which a script has no
// business seeing; only PATH, HOME, LANG, LC_*, TZ and TMPDIR pass,
// plus the check's Env. A script that needs a secret gets it through Env,
// where the configuration says so. A Command[0] without a slash is
// looked up in Herald's PATH.
//
// A check's children that outlive it are reparented to init (or the
// nearest subreaper), which reaps them once killed; when Herald is PID 1
// of a container, run it with an init (docker run --init) for that.
//
// Process groups and the exit watch use Linux system calls; elsewhere a
// check fails with a message saying so, and the rest of Herald builds.
package exec

import (
	"context"
	"errors"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/collect/series"
	"github.com/heraldhq/herald/internal/config"
)

// The series every run adds for its check, whether it succeeded or not.
const (
	// UpMetric is 1 when the check succeeded, 0 when it failed.
	UpMetric = "herald_check_up"
	// DurationMetric is how long the run took, in seconds.
	DurationMetric = "herald_check_duration_seconds"
)

// CheckLabel is the label that names a check on each of its samples.
const CheckLabel = "check"

// Limits of a run.
const (
	// MaxOutput is the most a check may print on stdout; the Prometheus
	// text of a script check is a few kilobytes at most, and a megabyte
	// bounds Herald's memory whatever a script does.
	MaxOutput = 1 << 20
	// MaxSamples is the most samples one run may yield, as Prometheus'
	// sample_limit: the output limit alone allows about 250,000 (four
	// bytes a line), each stored with history every interval.
	MaxSamples = 10000
	// StderrTail is how much of the end of stderr a result keeps.
	StderrTail = 2 << 10
	// DefaultTimeout applies when a check has none (the configuration
	// sets it; this guards a zero value).
	DefaultTimeout = 30 * time.Second
)

// Result is what one run of a check gave.
type Result struct {
	// Check is the check's name.
	Check string
	// OK says whether the command ran, exited 0 in time and printed
	// valid Prometheus text.
	OK bool
	// Err says why the check failed, on one line: "exit status 1: <last
	// line of stderr>", "timed out after 30s", "output larger than 1
	// MiB", the parser's error with its line number...
	Err string
	// Stderr is the end of what the command wrote to stderr (at most
	// StderrTail bytes, valid UTF-8, control characters but newline and
	// tab replaced), whether it succeeded or not.
	Stderr string
	// Took is how long the run took, kill and reap included.
	Took time.Duration
	// Samples are what the check printed, each with check="<name>",
	// followed by UpMetric and DurationMetric. A failed check yields only
	// those two: output cut by a timeout or printed before a failure
	// cannot be told from a complete one, and storing half a run would
	// feed metric_above/metric_below rules and charts wrong values; the
	// failure itself is herald_check_up 0 and check_failed.
	Samples []series.Sample
	// At is the time of the run (now as given to Run), that of every
	// sample whose line has no timestamp of its own.
	At time.Time
}

// options are a run's tunables; tests shorten them.
type options struct {
	// grace is how long the group has between SIGTERM and SIGKILL.
	grace time.Duration
	// waitDelay is how long stdout and stderr may stay open after the
	// group is killed (by a process that left it, e.g. with setsid).
	waitDelay time.Duration
	// parentEnv is Herald's environment, filtered for the script.
	parentEnv func() []string
}

func defaultOptions() options {
	return options{grace: 2 * time.Second, waitDelay: time.Second, parentEnv: os.Environ}
}

// Run runs check once and returns what it gave; samples without a
// timestamp of their own are at now. It never panics, whatever the
// command prints, and returns once every process of the check's group
// is gone or killed and the command is reaped.
func Run(ctx context.Context, check config.ExecCheck, now time.Time) Result {
	return defaultOptions().run(ctx, check, now)
}

func (o options) run(ctx context.Context, check config.ExecCheck, now time.Time) Result {
	start := time.Now()
	res := Result{Check: check.Name, At: now}
	timeout := check.Timeout.D()
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	var samples []series.Sample
	out, stderr, err := o.execute(ctx, argv(check), environ(o.parentEnv(), check.Env), check.Dir, timeout)
	res.Stderr = stderr
	if err == nil {
		samples, err = parse(out, check.Name, now)
	}
	res.Took = time.Since(start)
	if err != nil {
		res.Err = err.Error()
		var exit *exitError
		if errors.As(err, &exit) && stderr != "" {
			res.Err += ": " + lastLine(stderr, 200)
		}
		samples = nil
	} else {
		res.OK = true
	}
	up := 0.0
	if res.OK {
		up = 1
	}
	labels := map[string]string{CheckLabel: check.Name}
	res.Samples = append(samples,
		series.Sample{Name: UpMetric, Labels: labels, T: now, V: up},
		series.Sample{Name: DurationMetric, Labels: maps.Clone(labels), T: now, V: res.Took.Seconds()})
	return res
}

// argv is the command line of check: its Command, or Command[0] as a
// /bin/sh -c script (further elements, which the configuration forbids,
// would be $0, $1...).
func argv(check config.ExecCheck) []string {
	if check.Shell && len(check.Command) > 0 {
		return append([]string{"/bin/sh", "-c"}, check.Command...)
	}
	return check.Command
}

// inherited says whether a variable of Herald's environment passes to
// a script.
func inherited(k string) bool {
	switch k {
	case "PATH", "HOME", "LANG", "TZ", "TMPDIR":
		return true
	}
	return strings.HasPrefix(k, "LC_")
}

// environ is a script's environment: the inherited variables of parent,
// then env, which wins; sorted, for a command line that reads the same
// every run.
func environ(parent []string, env map[string]string) []string {
	m := map[string]string{}
	for _, kv := range parent {
		k, v, ok := strings.Cut(kv, "=")
		if ok && inherited(k) {
			m[k] = v
		}
	}
	maps.Copy(m, env)
	out := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, k+"="+m[k])
	}
	return out
}
