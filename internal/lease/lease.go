// Package lease runs a singleton (the dispatcher, the Telegram poller, the
// collectors, pruning) on exactly one of the processes sharing a store. A
// lease is a row in the store with a holder, an end and an epoch that grows
// with every new holder: no advisory locks, which a recycled pooled
// connection or a pooler in transaction mode loses without telling.
//
// Timing, with d the lease's duration: the holder renews every d/4; it stops
// acting d/4 before the end of its last renewal (measured on its own
// monotonic clock from before the renewal was sent), so that it has stopped
// before anyone else can start; another process looks every d/4 and takes
// the lease once it has ended. A holder that dies is replaced within
// 1.25·d; one that is paused (SIGSTOP, a long GC, a frozen VM) finds on
// waking that its deadline passed and stops, and the store's fence (Claim
// with the token's epoch) refuses what it tries in between.
package lease

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/wait"
)

// DefaultDuration is how long a lease lasts without renewal.
const DefaultDuration = 15 * time.Second

// Store is what a lease needs from the store.
type Store interface {
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (store.LeaseToken, bool, error)
	RenewLease(ctx context.Context, tok store.LeaseToken, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, tok store.LeaseToken) error
}

// Holder names this process among the replicas: host, pid and a random
// part, so that a restarted process is a new holder.
func Holder() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Lease is one named lease as this process sees it.
type Lease struct {
	name, holder string
	ttl          time.Duration
	st           Store
	logger       *slog.Logger
	metrics      *Metrics

	mu       sync.Mutex
	tok      store.LeaseToken
	held     bool
	deadline time.Time
}

// New makes the lease name for holder; Run takes part in the election.
// A nil m counts nothing.
func New(st Store, name, holder string, ttl time.Duration, m *Metrics, logger *slog.Logger) *Lease {
	if ttl <= 0 {
		ttl = DefaultDuration
	}
	return &Lease{name: name, holder: holder, ttl: ttl, st: st, metrics: m,
		logger: logger.With("lease", name, "holder", holder)}
}

// Margin is how long before its end a holder stops acting; a fenced
// action (store.Claim) asks for at least this much of the lease left.
func (l *Lease) Margin() time.Duration { return l.ttl / 4 }

// Token returns the current holding while this process may act on it.
func (l *Lease) Token() (store.LeaseToken, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.tok, l.held && time.Now().Before(l.deadline)
}

// Leading reports whether this process holds the lease (collect.Leader).
func (l *Lease) Leading() bool {
	_, ok := l.Token()
	return ok
}

// Run campaigns for the lease until ctx is done and runs fn while it holds
// it: fn's context is cancelled when the lease is lost, and Run waits for fn
// to return before campaigning again. fn returning on its own gives the
// lease up. At the end the lease is released, so that another process
// takes over at once.
func (l *Lease) Run(ctx context.Context, fn func(ctx context.Context, tok store.LeaseToken)) {
	every := l.ttl / 4
	for ctx.Err() == nil {
		tok, deadline, ok := l.acquire(ctx)
		if !ok {
			if !wait.Sleep(ctx, every) {
				return
			}
			continue
		}
		l.logger.Info("took the lease", "epoch", tok.Epoch)
		l.metrics.took(l.name)
		l.hold(ctx, tok, deadline, fn)
		if ctx.Err() == nil {
			// Lost, or fn gave up: let another process have a turn.
			wait.Sleep(ctx, every)
		}
	}
}

// acquire tries once to take the lease.
func (l *Lease) acquire(ctx context.Context) (store.LeaseToken, time.Time, bool) {
	start := time.Now()
	actx, cancel := context.WithTimeout(ctx, l.ttl/4)
	tok, ok, err := l.st.AcquireLease(actx, l.name, l.holder, l.ttl)
	cancel()
	if err != nil {
		if ctx.Err() == nil {
			l.logger.Warn("cannot campaign for the lease", "err", err)
		}
		return tok, time.Time{}, false
	}
	return tok, start.Add(l.ttl - l.Margin()), ok
}

// hold runs fn under tok, renewing it, until the lease is lost, fn returns
// or ctx is done.
func (l *Lease) hold(ctx context.Context, tok store.LeaseToken, deadline time.Time,
	fn func(ctx context.Context, tok store.LeaseToken)) {
	fctx, stop := context.WithCancel(ctx)
	defer stop()
	l.set(tok, true, deadline)
	l.metrics.held(l.name, true)
	// The watchdog stops fn at the deadline even when a renewal hangs.
	watchdog := time.AfterFunc(time.Until(deadline), stop)
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(fctx, tok)
	}()
	t := time.NewTicker(l.ttl / 4)
	defer t.Stop()
	lost := ""
loop:
	for {
		select {
		case <-done:
			break loop
		case <-fctx.Done():
			if ctx.Err() == nil && lost == "" {
				lost = "its renewal did not succeed in time"
			}
			break loop
		case <-t.C:
		}
		start := time.Now()
		rctx, cancel := context.WithTimeout(fctx, l.ttl/4)
		ok, err := l.st.RenewLease(rctx, tok, l.ttl)
		cancel()
		switch {
		case err != nil:
			if fctx.Err() == nil {
				l.logger.Warn("cannot renew the lease; still holding it until its deadline", "err", err,
					"deadline", time.Until(l.deadlineOf()).Round(time.Millisecond))
			}
		case !ok:
			lost = "another process took it or it expired"
			stop()
		default:
			deadline = start.Add(l.ttl - l.Margin())
			l.set(tok, true, deadline)
			watchdog.Reset(time.Until(deadline))
		}
	}
	watchdog.Stop()
	if lost == "" && fctx.Err() != nil && ctx.Err() == nil {
		// fn returned because the watchdog stopped it.
		lost = "its renewal did not succeed in time"
	}
	stop()
	l.set(tok, false, time.Time{})
	<-done
	l.metrics.held(l.name, false)
	if lost != "" {
		l.logger.Warn("lost the lease; stopped", "epoch", tok.Epoch, "why", lost)
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.ttl/4)
	defer cancel()
	if err := l.st.ReleaseLease(rctx, tok); err != nil {
		l.logger.Warn("cannot release the lease; another process takes it when it expires", "err", err)
		return
	}
	l.logger.Info("released the lease", "epoch", tok.Epoch)
}

func (l *Lease) set(tok store.LeaseToken, held bool, deadline time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tok, l.held, l.deadline = tok, held, deadline
}

func (l *Lease) deadlineOf() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.deadline
}

// Metrics count what the leases of a process do.
type Metrics struct {
	heldG *prometheus.GaugeVec
	taken *prometheus.CounterVec
}

// NewMetrics registers herald_lease_held and herald_lease_acquired_total.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		heldG: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "herald_lease_held",
			Help: "Whether this replica holds the lease (1) and runs its singleton: dispatch, telegram_poller, collect, prune."},
			[]string{"lease"}),
		taken: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "herald_lease_acquired_total",
			Help: "Times this replica took the lease."}, []string{"lease"}),
	}
	reg.MustRegister(m.heldG, m.taken)
	return m
}

// Precreate shows a lease as not held before it is first taken.
func (m *Metrics) Precreate(name string) {
	if m != nil {
		m.heldG.WithLabelValues(name).Set(0)
		m.taken.WithLabelValues(name)
	}
}

// Always shows a singleton that needs no lease (one process on SQLite)
// as held.
func (m *Metrics) Always(name string) {
	m.Precreate(name)
	m.held(name, true)
}

func (m *Metrics) held(name string, v bool) {
	if m == nil {
		return
	}
	f := 0.0
	if v {
		f = 1
	}
	m.heldG.WithLabelValues(name).Set(f)
}

func (m *Metrics) took(name string) {
	if m != nil {
		m.taken.WithLabelValues(name).Inc()
	}
}
