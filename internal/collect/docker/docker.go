// Package docker collects container statistics from Docker (or Podman)
// engines that Prometheus does not see, through the Engine API.
//
// # The client
//
// The Engine API is spoken with net/http, not with the moby client
// (github.com/moby/moby/client): Herald makes a ping and three kinds of GET
// and reads a handful of fields, which do not justify that module's weight
// (its go.mod requires 15 modules and 10 more indirectly: the API types,
// go-connections, go-winio, moby/term, the OCI image spec,
// distribution/reference, OpenTelemetry's HTTP instrumentation...) nor
// following its API changes.
//
// The engine is reached on a unix socket (unix:///var/run/docker.sock),
// over TCP (tcp://host:2376, with the host's tls_config) or through SSH
// (ssh://user@host[:port]): one SSH connection per host, kept between
// collections, checked with keepalives and made again (with a backoff
// after failed dials) when it dies; each request is a direct-streamlocal
// channel to the engine's socket on the host, as `ssh -L` to a socket
// would do (OpenSSH's sshd must allow AllowStreamLocalForwarding and
// AllowTcpForwarding). The host key must be in known_hosts: there is no
// way to skip the check.
//
// The API version is negotiated at the first collection and again after
// any failed one: GET /_ping gives the engine's (its API-Version header),
// and Herald uses that one, or MaxAPIVersion when the engine's is newer.
// Using the engine's rather than a fixed old version keeps Herald working
// with engines that refuse old clients (Docker 29 answers 400 below 1.44)
// and with Podman's compatible socket.
//
// # One collection
//
// Per host: GET /containers/json?all=true, then for each container, with
// at most concurrency at once, GET /containers/{id}/json (state, health,
// restart count, start time) and, for a running or paused container, GET
// /containers/{id}/stats?stream=false (with one-shot=true from API 1.41,
// so that the engine answers with one sample instead of two taken a second
// apart; Docker 20.10 still waits up to a second for its next sample,
// which the concurrency spreads). The whole host is bounded by the
// timeout; hosts are collected in parallel, so one slow or dead host does
// not delay the others.
//
// # Conventions
//
//   - CPU percent is docker stats' figure: the container's CPU time over
//     the host's between two samples, times the online CPUs, times 100 —
//     so one busy core is 100 and a container may show up to 100 × CPUs.
//     The two samples are the answer's own precpu_stats when the engine
//     filled them (before one-shot), else the sample Herald kept from the
//     previous collection: the figure is then the average over the
//     collection interval, and unknown (NaN, and no sample written) on a
//     container's first collection.
//   - Memory used is usage less the inactive page cache (cgroup v1
//     stats.total_inactive_file, v2 stats.inactive_file), as docker stats
//     shows it; the limit is the engine's (the host's memory when the
//     container has none).
//   - Network bytes are summed over the container's interfaces; rates are
//     per second between two collections (using the engine's read times),
//     unknown on the first. A counter lower than before means the
//     container restarted: the rate counts from 0. The same holds for the
//     CPU counter.
//   - Block I/O is io_service_bytes_recursive summed over devices (Read
//     and Write in cgroup v1, read and write in v2).
//   - Uptime is the time since the container's StartedAt, for a running
//     container (0 otherwise); restarts are the engine's RestartCount.
//   - Health is the healthcheck status ("healthy", "unhealthy",
//     "starting") or "" without a healthcheck; herald_container_healthy is
//     1, 0, or NaN for none or starting.
package docker

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/heraldhq/herald/internal/config"
)

// HostState is what one collection found on one host.
type HostState struct {
	// Name is the host's name from the configuration.
	Name string
	// URL is the host's URL without a password.
	URL string
	// Up says whether the engine answered the whole collection.
	Up bool
	// Err is why not (secrets redacted), "" when Up.
	Err string
	// APIVersion is the Engine API version used.
	APIVersion  string
	CollectedAt time.Time
	Took        time.Duration
	// Containers are sorted by name; none when the host is down.
	Containers []Container
}

// Container is one container's figures (see the package doc for how each
// is computed).
type Container struct {
	ID    string
	Name  string // without Docker's leading "/"
	Image string
	// State is the engine's: running, exited, paused, restarting, created,
	// removing or dead.
	State string
	// Health is healthy, unhealthy, starting, or "" without a healthcheck.
	Health    string
	StartedAt time.Time
	Restarts  int
	// Uptime is the time since StartedAt while running, 0 otherwise.
	Uptime time.Duration
	// HasStats says whether the engine gave statistics (the container
	// runs or is paused); the figures below are zero otherwise.
	HasStats bool
	// CPUPercent is NaN when unknown (a container's first collection).
	CPUPercent        float64
	MemUsed, MemLimit uint64
	RxBytes, TxBytes  uint64
	// RxRate and TxRate are bytes per second, NaN when unknown.
	RxRate, TxRate    float64
	BlkRead, BlkWrite uint64
}

// Collector collects the hosts of one configuration and keeps, between
// collections, what each host needs: the samples that rates come from,
// the SSH connection and the negotiated API version.
type Collector struct {
	hosts []*host
	opts  *options
}

// Option changes how a Collector works; for tests.
type Option func(*options)

type options struct {
	now       func() time.Time
	getenv    func(string) string
	keepAlive time.Duration
	// backoffMin and backoffMax bound the wait after failed SSH dials.
	backoffMin, backoffMax time.Duration
	// grace is how long after its timeout a host's collection is waited
	// for before it is reported timed out regardless.
	grace time.Duration
}

// backoff is the wait before the next SSH dial after n failed ones.
func (o *options) backoff(n int) time.Duration {
	d := o.backoffMin
	for i := 1; i < n && d < o.backoffMax; i++ {
		d *= 2
	}
	return min(d, o.backoffMax)
}

// WithClock sets the clock of collection times, uptimes and SSH backoffs.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithGetenv sets how environment variables ($SSH_AUTH_SOCK) are read.
func WithGetenv(getenv func(string) string) Option { return func(o *options) { o.getenv = getenv } }

// WithKeepAlive sets how often an SSH connection is checked (default 30s;
// 0 never).
func WithKeepAlive(d time.Duration) Option { return func(o *options) { o.keepAlive = d } }

// WithBackoff sets the first and the longest wait after failed SSH dials
// (default 5s doubling up to 5m).
func WithBackoff(first, most time.Duration) Option {
	return func(o *options) { o.backoffMin, o.backoffMax = first, most }
}

// New makes the collector of cfg's hosts. Nothing is dialled before the
// first Collect; a host whose URL cannot be used is reported down at each
// collection.
func New(cfg config.DockerConfig, logger *slog.Logger, opts ...Option) *Collector {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	o := &options{now: time.Now, getenv: os.Getenv, keepAlive: 30 * time.Second,
		backoffMin: 5 * time.Second, backoffMax: 5 * time.Minute, grace: 2 * time.Second}
	for _, f := range opts {
		f(o)
	}
	timeout := cfg.Timeout.D()
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	conc := cfg.Concurrency
	if conc <= 0 {
		conc = 4
	}
	c := &Collector{opts: o}
	for _, h := range cfg.Hosts {
		c.hosts = append(c.hosts, newHost(h, timeout, conc, o, logger.With("docker_host", h.Name)))
	}
	return c
}

// Collect collects every host at once and returns their states in the
// configuration's order. Each host is bounded by the timeout: a slow or
// dead one is reported down without delaying the others.
func (c *Collector) Collect(ctx context.Context) []HostState {
	out := make([]HostState, len(c.hosts))
	var wg sync.WaitGroup
	for i, h := range c.hosts {
		wg.Go(func() { out[i] = h.collect(ctx) })
	}
	wg.Wait()
	return out
}

// Close drops the hosts' connections. Collect must not be called after.
func (c *Collector) Close() {
	for _, h := range c.hosts {
		h.close()
	}
}
