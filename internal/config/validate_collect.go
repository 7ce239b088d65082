package config

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// collectNameRE is a Docker host's or a check's name: it becomes a label
// value and is typed in chat.
var collectNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$`)

// checkCollectors checks collectors: and fills what defaults from the
// rest (each check's interval, the SSH defaults).
func (l *loader) checkCollectors(c *CollectorsConfig) {
	l.positive("collectors.interval", c.Interval)
	for _, r := range []struct {
		key string
		d   Duration
	}{{"raw", c.Retention.Raw}, {"5m", c.Retention.FiveMin}, {"1h", c.Retention.Hour}} {
		l.positive("collectors.retention."+r.key, r.d)
	}
	if c.Retention.FiveMin > 0 && c.Retention.FiveMin < c.Retention.Raw && !l.hasFailed("collectors.retention.5m") {
		l.fieldErrorf("collectors.retention.5m", "must not be shorter than raw (%s): a coarser resolution is kept longer", c.Retention.Raw)
	}
	if c.Retention.Hour > 0 && c.Retention.Hour < c.Retention.FiveMin && !l.hasFailed("collectors.retention.1h") {
		l.fieldErrorf("collectors.retention.1h", "must not be shorter than 5m (%s)", c.Retention.FiveMin)
	}
	d := &c.Docker
	if d.Interval < 0 && !l.hasFailed("collectors.docker.interval") {
		l.fieldErrorf("collectors.docker.interval", "must not be negative (0: collectors.interval)")
	}
	l.positive("collectors.docker.timeout", d.Timeout)
	if d.Concurrency <= 0 && !l.hasFailed("collectors.docker.concurrency") {
		l.fieldErrorf("collectors.docker.concurrency", "must be greater than 0")
	}
	seen := map[string]string{}
	for i := range d.Hosts {
		l.checkDockerHost("collectors.docker.hosts["+strconv.Itoa(i)+"]", &d.Hosts[i], seen)
	}
	seen = map[string]string{}
	for i := range c.Exec {
		l.checkExec("collectors.exec["+strconv.Itoa(i)+"]", &c.Exec[i], c.Interval, seen)
	}
	for i := range c.Rules {
		l.checkCollectRule("collectors.rules["+strconv.Itoa(i)+"]", &c.Rules[i])
	}
}

// checkName checks a host's or a check's name and that it is unique.
func (l *loader) checkName(p, name string, seen map[string]string) {
	switch {
	case l.hasFailed(p + ".name"):
	case name == "":
		l.fieldErrorf(p+".name", "required")
	case !collectNameRE.MatchString(name):
		l.fieldErrorf(p+".name", "invalid name %q (1 to 63 of letters, digits, '_', '.' and '-')", name)
	case seen[name] != "":
		l.fieldErrorf(p+".name", "duplicate name %q (also %s)", name, seen[name])
	default:
		seen[name] = p
	}
}

func (l *loader) checkDockerHost(p string, h *DockerHost, seen map[string]string) {
	l.checkName(p, h.Name, seen)
	if l.hasFailed(p + ".url") {
		return
	}
	u, err := url.Parse(h.URL)
	if h.URL == "" || err != nil {
		l.fieldErrorf(p+".url", "want unix:///path/docker.sock, tcp://host:port or ssh://user@host[:port]")
		return
	}
	switch u.Scheme {
	case "unix":
		if u.Path == "" {
			l.fieldErrorf(p+".url", "unix:// needs the socket's path, e.g. unix:///var/run/docker.sock")
		}
	case "tcp":
		if u.Host == "" || u.Port() == "" {
			l.fieldErrorf(p+".url", "tcp:// needs host:port, e.g. tcp://docker.internal:2376")
		}
		if h.TLS != nil {
			l.checkTLS(p, h.TLS)
		}
	case "ssh":
		if u.Host == "" || u.User == nil || u.User.Username() == "" {
			l.fieldErrorf(p+".url", "ssh:// needs user@host, e.g. ssh://herald@docker-1.internal")
		}
		if _, ok := u.User.Password(); ok {
			l.fieldErrorf(p+".url", "write the password as ssh.password (or password_file), not in the URL")
		}
		l.checkSSH(p+".ssh", &h.SSH)
	default:
		l.fieldErrorf(p+".url", "unsupported scheme %q (want unix, tcp or ssh)", u.Scheme)
	}
	if h.TLS != nil && u.Scheme != "tcp" {
		l.fieldErrorf(p+".tls_config", "only for tcp:// hosts")
	}
	if u.Scheme != "ssh" && h.SSH != (SSHConfig{}) {
		l.fieldErrorf(p+".ssh", "only for ssh:// hosts")
	}
}

// checkSSH checks an SSH host's settings: a way to log in, and a
// known_hosts file (relative to the config file), which is never skipped.
func (l *loader) checkSSH(p string, s *SSHConfig) {
	if s.KeyFile == "" && s.Password == "" && !s.Agent {
		l.fieldErrorf(p, "no way to log in: set key_file, password (or password_file) or agent: true")
	}
	for _, f := range []struct {
		key  string
		path *string
	}{{"key_file", &s.KeyFile}, {"known_hosts", &s.KnownHosts}} {
		if *f.path == "" || l.hasFailed(p+"."+f.key) {
			continue
		}
		written := *f.path
		if strings.HasPrefix(written, "~/") {
			if home, err := os.UserHomeDir(); err == nil {
				*f.path = filepath.Join(home, written[2:])
			}
		} else if !filepath.IsAbs(written) {
			*f.path = filepath.Join(l.dir, written)
		}
		if _, err := os.Stat(*f.path); err != nil {
			l.fieldErrorf(p+"."+f.key, "cannot read %q: %v", written, stripPathError(err))
		}
	}
	if s.KnownHosts == "" {
		home, _ := os.UserHomeDir()
		s.KnownHosts = filepath.Join(home, ".ssh", "known_hosts")
	}
	if s.Socket == "" {
		s.Socket = "/var/run/docker.sock"
	}
}

func (l *loader) checkExec(p string, e *ExecCheck, interval Duration, seen map[string]string) {
	l.checkName(p, e.Name, seen)
	switch {
	case l.hasFailed(p + ".command"):
	case len(e.Command) == 0 || e.Command[0] == "":
		l.fieldErrorf(p+".command", "required: the program and its arguments, e.g. [/usr/local/bin/lag.sh, --json]")
	case e.Shell && len(e.Command) != 1:
		l.fieldErrorf(p+".command", "with shell: true, give one string (the script for /bin/sh -c)")
	}
	if e.Interval == 0 {
		e.Interval = interval
	}
	if e.Timeout == 0 {
		// 30s, but never past the next run.
		e.Timeout = min(Duration(30*time.Second), e.Interval)
	}
	l.positive(p+".interval", e.Interval)
	l.positive(p+".timeout", e.Timeout)
	if e.Timeout > e.Interval && e.Interval > 0 && !l.hasFailed(p+".timeout") {
		l.fieldErrorf(p+".timeout", "must not be longer than the interval (%s)", e.Interval)
	}
	if e.Dir != "" && !filepath.IsAbs(e.Dir) {
		e.Dir = filepath.Join(l.dir, e.Dir)
	}
}

func (l *loader) checkCollectRule(p string, r *CollectRule) {
	if !model.LabelValue(r.Alert).IsValid() || r.Alert == "" {
		l.fieldErrorf(p+".alert", "required: the alert's name")
	}
	if !slices.Contains(CollectRules, r.When) && !l.hasFailed(p+".when") {
		l.fieldErrorf(p+".when", "unknown condition %q (want one of %s)", r.When, strings.Join(CollectRules, ", "))
		return
	}
	threshold := strings.HasSuffix(r.When, "_above") || strings.HasSuffix(r.When, "_below")
	switch {
	case threshold && r.Threshold == nil:
		l.fieldErrorf(p+".threshold", "required with %s", r.When)
	case !threshold && r.Threshold != nil:
		l.fieldErrorf(p+".threshold", "not used with %s", r.When)
	}
	metric := r.When == WhenMetricAbove || r.When == WhenMetricBelow
	switch {
	case metric && !model.IsValidLegacyMetricName(r.Metric):
		l.fieldErrorf(p+".metric", "required with %s: the name of a sample an exec check prints", r.When)
	case !metric && r.Metric != "":
		l.fieldErrorf(p+".metric", "only with metric_above and metric_below")
	}
	if r.For < 0 {
		l.fieldErrorf(p+".for", "must not be negative")
	}
	for k := range r.Labels {
		if !model.LabelName(k).IsValidLegacy() || k == "alertname" {
			l.fieldErrorf(p+".labels", "invalid label name %q", k)
		}
	}
}
