package config

import "time"

// CollectorsConfig is what Herald collects itself (collectors:): Docker
// container statistics from several hosts and script checks, kept with
// history in the store, exposed on /metrics and alerted on.
type CollectorsConfig struct {
	// Interval is how often every collector runs unless it says otherwise
	// (default 1m).
	Interval Duration `yaml:"interval"`
	// Retention is how long each resolution of the history is kept.
	Retention RetentionConfig `yaml:"retention"`
	Docker    DockerConfig    `yaml:"docker"`
	Exec      []ExecCheck     `yaml:"exec"`
	// Rules raise alerts on what is collected, through the routes.
	Rules []CollectRule `yaml:"rules"`
}

// RetentionConfig is how long each resolution of the history is kept:
// raw samples, 5-minute and 1-hour rollups (average, min, max).
type RetentionConfig struct {
	Raw     Duration `yaml:"raw"` // default 2d
	FiveMin Duration `yaml:"5m"`  // default 14d
	Hour    Duration `yaml:"1h"`  // default 400d
}

// DockerConfig lists the Docker (or Podman) hosts to collect from.
type DockerConfig struct {
	Hosts []DockerHost `yaml:"hosts"`
	// Interval overrides collectors.interval (0: that one; see DockerEvery).
	Interval Duration `yaml:"interval"`
	// Timeout bounds one host's collection (default 30s).
	Timeout Duration `yaml:"timeout"`
	// Concurrency is how many containers of one host are read at once
	// (default 4).
	Concurrency int `yaml:"concurrency"`
}

// DockerHost is one Docker Engine.
type DockerHost struct {
	// Name labels the host's figures (host="...").
	Name string `yaml:"name"`
	// URL is unix:///var/run/docker.sock, tcp://host:2376 or
	// ssh://user@host[:port].
	URL string `yaml:"url"`
	// TLS is the client TLS of a tcp:// host (the CA, the client cert).
	TLS *TLSConfig `yaml:"tls_config"`
	// SSH is how an ssh:// host is reached.
	SSH SSHConfig `yaml:"ssh"`
}

// SSHConfig is an SSH connection to a Docker host; the Docker socket is
// reached through it (direct-streamlocal).
type SSHConfig struct {
	// KeyFile is a private key (OpenSSH or PEM; unencrypted or with
	// KeyPassphrase).
	KeyFile           string `yaml:"key_file"`
	KeyPassphrase     Secret `yaml:"key_passphrase"`
	KeyPassphraseFile string `yaml:"key_passphrase_file"`
	Password          Secret `yaml:"password"`
	PasswordFile      string `yaml:"password_file"`
	// Agent uses the keys of the agent at $SSH_AUTH_SOCK.
	Agent bool `yaml:"agent"`
	// KnownHosts is the known_hosts file the host key must be in
	// (default ~/.ssh/known_hosts); there is no way to skip the check.
	KnownHosts string `yaml:"known_hosts"`
	// Socket is the Docker socket on the remote host (default
	// /var/run/docker.sock).
	Socket string `yaml:"socket"`
}

// ExecCheck is a script whose output, in the Prometheus text format, is
// collected.
type ExecCheck struct {
	Name string `yaml:"name"`
	// Command is the program and its arguments, run without a shell.
	Command []string `yaml:"command"`
	// Shell runs Command[0] with /bin/sh -c instead.
	Shell    bool              `yaml:"shell"`
	Interval Duration          `yaml:"interval"`
	Timeout  Duration          `yaml:"timeout"` // default 30s
	Env      map[string]string `yaml:"env"`
	Dir      string            `yaml:"dir"`
}

// The conditions a collect rule can watch (collectors.rules[].when).
const (
	WhenHostDown           = "host_down"
	WhenContainerExited    = "container_exited"
	WhenContainerRestarted = "container_restarted"
	WhenContainerUnhealthy = "container_unhealthy"
	WhenCPUAbove           = "cpu_above"
	WhenMemoryAbove        = "memory_above"
	WhenCheckFailed        = "check_failed"
	WhenMetricAbove        = "metric_above"
	WhenMetricBelow        = "metric_below"
)

// CollectRules are the conditions collectors.rules[].when takes.
var CollectRules = []string{WhenHostDown, WhenContainerExited, WhenContainerRestarted, WhenContainerUnhealthy,
	WhenCPUAbove, WhenMemoryAbove, WhenCheckFailed, WhenMetricAbove, WhenMetricBelow}

// CollectRule raises an alert, through the routes like Alertmanager's,
// while a condition on what is collected holds.
type CollectRule struct {
	// Alert is the alertname.
	Alert string `yaml:"alert"`
	When  string `yaml:"when"`
	// Threshold is the limit of *_above and *_below: a percent for
	// cpu_above (of one core, as docker stats) and memory_above (of the
	// limit), the metric's own unit otherwise.
	Threshold *float64 `yaml:"threshold"`
	// Metric is the sample name of metric_above and metric_below (an exec
	// check's output).
	Metric string `yaml:"metric"`
	// Match restricts the rule by labels (host, container, check...).
	Match map[string]string `yaml:"match"`
	// For is how long the condition must hold before the alert fires.
	For         Duration          `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

// DefaultCollectorsConfig is the collectors section an empty file gives:
// nothing collected.
func DefaultCollectorsConfig() CollectorsConfig {
	return CollectorsConfig{
		Interval: Duration(time.Minute),
		Retention: RetentionConfig{Raw: Duration(48 * time.Hour), FiveMin: Duration(14 * 24 * time.Hour),
			Hour: Duration(400 * 24 * time.Hour)},
		Docker: DockerConfig{Timeout: Duration(30 * time.Second), Concurrency: 4},
	}
}

// DockerEvery is how often the Docker hosts are collected.
func (c *CollectorsConfig) DockerEvery() time.Duration {
	if c.Docker.Interval > 0 {
		return c.Docker.Interval.D()
	}
	return c.Interval.D()
}
