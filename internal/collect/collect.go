// Package collect runs Herald's own collectors: Docker container
// statistics from several hosts (internal/collect/docker) and script
// checks (internal/collect/exec). Every round's samples are written to
// the store's history, kept as the latest state for summaries and
// /metrics, and checked against collectors.rules, whose alerts go through
// the same routes and outbox as Alertmanager's. Collection keeps running
// whatever the bot or the chat platforms do.
package collect

import (
	"context"
	"log/slog"
	"reflect"
	"sync"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/collect/docker"
	"github.com/heraldhq/herald/internal/collect/exec"
	"github.com/heraldhq/herald/internal/collect/series"
	"github.com/heraldhq/herald/internal/config"
)

// History keeps the samples with their history.
type History interface {
	WriteSamples(ctx context.Context, samples []series.Sample) error
}

// State keeps the rules' state across restarts (a small key/value).
type State interface {
	BotState(ctx context.Context, key string) (string, bool, error)
	SetBotState(ctx context.Context, key, value string) error
}

// Leader says whether this Herald collects; with several replicas only
// one may (a lease guards it). nil: always.
type Leader interface {
	Leading() bool
}

// Options are what a Runner is built from besides the configuration.
type Options struct {
	History History
	State   State
	// Alerts stores a notification of the rules' alerts (the server's
	// Accept); an error keeps it for the next round.
	Alerts func(ctx context.Context, n *alert.Notification) error
	Leader Leader
	Logger *slog.Logger
	Now    func() time.Time
}

// Snapshot is the latest state of every collector.
type Snapshot struct {
	Hosts  []docker.HostState
	Checks []exec.Result
	// Samples are the latest samples of every series, for /metrics.
	Samples []series.Sample
}

// Runner runs the collectors of one configuration, and of the next after
// a reload.
type Runner struct {
	opts   Options
	logger *slog.Logger

	mu     sync.Mutex
	cfg    *config.Config
	docker *docker.Collector
	hosts  []docker.HostState
	checks map[string]exec.Result
	rules  *rules
	// sendMu lets one round at a time write the state and send pending.
	sendMu sync.Mutex
	// pending are the rules' notifications not yet stored, oldest first
	// (guarded by mu).
	pending []*alert.Notification
	// restart stops the jobs of the configuration in force.
	restart func()
	ctx     context.Context
	wg      sync.WaitGroup
	// sharedAt is when the snapshot was last saved for other replicas
	// (guarded by sendMu).
	sharedAt time.Time
	// shared caches the snapshot read from the store by a replica that
	// does not collect.
	sharedMu   sync.Mutex
	shared     Snapshot
	sharedRead time.Time
}

// stateKey is the store key of the rules' state; snapshotKey of the latest
// snapshot, for the replicas that do not collect.
const (
	stateKey    = "collect.rules"
	snapshotKey = "collect.snapshot"
)

// New makes the runner of cfg's collectors; Run starts them.
func New(cfg *config.Config, o Options) *Runner {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Runner{opts: o, logger: o.Logger.With("component", "collect"), cfg: cfg,
		checks: map[string]exec.Result{}, rules: newRules()}
}

// Run collects until ctx is done.
func (r *Runner) Run(ctx context.Context) {
	if s, ok, err := r.opts.State.BotState(ctx, stateKey); err != nil {
		r.logger.Warn("cannot read the collectors' alert state; alerts firing before the restart fire again", "err", err)
	} else if ok {
		if err := r.rules.restore(s); err != nil {
			r.logger.Warn("the collectors' alert state does not decode; starting afresh", "err", err)
		}
	}
	r.mu.Lock()
	r.ctx = ctx
	r.start(r.cfg)
	r.mu.Unlock()
	<-ctx.Done()
	r.mu.Lock()
	r.restart()
	r.mu.Unlock()
	r.wg.Wait()
	// Run may be called again (a replica that takes the collect lease
	// again): it starts from the store's state, not from what this process
	// saw before another replica collected.
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.docker != nil {
		r.docker.Close()
		r.docker = nil
	}
	r.ctx, r.hosts, r.checks, r.pending = nil, nil, map[string]exec.Result{}, nil
	r.rules = newRules()
}

// Update takes up a reloaded configuration: jobs restart with the new
// intervals; the Docker collector (its SSH connections and the samples
// rates are computed from) is kept when the hosts did not change.
func (r *Runner) Update(cfg *config.Config) {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.cfg
	r.cfg = cfg
	if r.ctx == nil {
		return // not running yet: Run starts with cfg
	}
	r.restart()
	if r.docker != nil && !reflect.DeepEqual(old.Collectors.Docker, cfg.Collectors.Docker) {
		r.docker.Close()
		r.docker = nil
	}
	r.start(cfg)
}

// start starts a job per collector of cfg; the caller holds r.mu.
func (r *Runner) start(cfg *config.Config) {
	ctx, cancel := context.WithCancel(r.ctx)
	r.restart = cancel
	c := &cfg.Collectors
	if len(c.Docker.Hosts) > 0 {
		if r.docker == nil {
			r.docker = docker.New(c.Docker, r.logger)
		}
		d := r.docker
		r.every(ctx, c.DockerEvery(), func(ctx context.Context) { r.collectDocker(ctx, d) })
	}
	for _, check := range c.Exec {
		r.every(ctx, check.Interval.D(), func(ctx context.Context) { r.collectExec(ctx, check) })
	}
}

// every runs job now and then every d until ctx is done, skipping the
// rounds when this Herald does not lead.
func (r *Runner) every(ctx context.Context, d time.Duration, job func(context.Context)) {
	r.wg.Go(func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			if r.opts.Leader == nil || r.opts.Leader.Leading() {
				job(ctx)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
}

func (r *Runner) collectDocker(ctx context.Context, d *docker.Collector) {
	hosts := d.Collect(ctx)
	if ctx.Err() != nil {
		return
	}
	var samples []series.Sample
	for _, h := range hosts {
		samples = append(samples, docker.Samples(h)...)
	}
	r.mu.Lock()
	r.hosts = hosts
	r.mu.Unlock()
	r.round(ctx, samples)
}

func (r *Runner) collectExec(ctx context.Context, check config.ExecCheck) {
	res := exec.Run(ctx, check, r.opts.Now())
	if ctx.Err() != nil {
		return
	}
	if !res.OK {
		r.logger.Warn("check failed", "check", check.Name, "err", res.Err, "stderr", res.Stderr)
	}
	r.mu.Lock()
	r.checks[check.Name] = res
	r.mu.Unlock()
	r.round(ctx, res.Samples)
}

// round stores a job's samples, then checks the rules against the latest
// state of every collector and stores their alerts.
func (r *Runner) round(ctx context.Context, samples []series.Sample) {
	if len(samples) > 0 {
		if err := r.opts.History.WriteSamples(ctx, samples); err != nil {
			r.logger.Warn("cannot store collected samples; they are missing from the history", "samples", len(samples), "err", err)
		}
	}
	// The rules run under r.mu; the store writes that follow do not, so
	// that a slow store never holds up Snapshot (the bot's /containers).
	// Notifications queue in order under r.mu, and one round at a time
	// (sendMu) saves the latest state and sends the queue in that order.
	r.mu.Lock()
	snap := r.snapshot()
	o := &observation{at: r.opts.Now(), hosts: snap.Hosts, checks: snap.Checks, samples: snap.Samples}
	if n := r.rules.step(r.cfg.Collectors.Rules, o, r.cfg.ExternalURL); n != nil {
		r.pending = append(r.pending, n)
	}
	r.mu.Unlock()

	r.sendMu.Lock()
	defer r.sendMu.Unlock()
	r.saveState(ctx)
	r.shareSnapshot(ctx)
	for {
		r.mu.Lock()
		if len(r.pending) == 0 {
			r.mu.Unlock()
			return
		}
		n := r.pending[0]
		r.mu.Unlock()
		if err := r.opts.Alerts(ctx, n); err != nil {
			r.logger.Warn("cannot store the collectors' alerts; trying again next round", "err", err)
			return
		}
		r.mu.Lock()
		r.pending = r.pending[1:]
		r.mu.Unlock()
	}
}

// saveState saves the rules' state when it changed; the caller holds
// r.sendMu.
func (r *Runner) saveState(ctx context.Context) {
	r.mu.Lock()
	if !r.rules.changed {
		r.mu.Unlock()
		return
	}
	state, err := r.rules.marshal()
	r.rules.changed = false
	r.mu.Unlock()
	if err == nil {
		err = r.opts.State.SetBotState(ctx, stateKey, state)
	}
	if err != nil {
		r.logger.Warn("cannot save the collectors' alert state; trying again next round", "err", err)
		r.mu.Lock()
		r.rules.changed = true
		r.mu.Unlock()
	}
}

// Snapshot returns the latest state of every collector.
func (r *Runner) Snapshot() Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.snapshot()
}

// snapshot is Snapshot with r.mu held: only the hosts and checks of the
// configuration in force.
func (r *Runner) snapshot() Snapshot {
	var s Snapshot
	hosts := map[string]bool{}
	for _, h := range r.cfg.Collectors.Docker.Hosts {
		hosts[h.Name] = true
	}
	for _, h := range r.hosts {
		if hosts[h.Name] {
			s.Hosts = append(s.Hosts, h)
			s.Samples = append(s.Samples, docker.Samples(h)...)
		}
	}
	for _, c := range r.cfg.Collectors.Exec {
		if res, ok := r.checks[c.Name]; ok {
			s.Checks = append(s.Checks, res)
			s.Samples = append(s.Samples, res.Samples...)
		}
	}
	return s
}
