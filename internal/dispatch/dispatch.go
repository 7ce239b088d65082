// Package dispatch runs the outbox: one worker per channel takes the due
// deliveries from the store, folds them during a storm, sends them through
// the channel's notifier and records the outcome. Retries live here and only
// here: exponential backoff bounded by a maximum age, honouring the
// platform's retry_after.
package dispatch

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald/internal/alert"

	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/store"
)

// Channel is one configured destination as the dispatcher sees it.
type Channel struct {
	Notifier notify.Notifier
	// StormThreshold: more due events than this are folded into one
	// message; 0 disables folding.
	StormThreshold int
}

// Setup is what a configuration gives the dispatcher; it is swapped as a
// whole on reload.
type Setup struct {
	Channels       map[string]Channel
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
	MaxAge         time.Duration
	Timeout        time.Duration
	// Secrets are redacted from every stored or logged error.
	Secrets []string
	// Charts makes the chart of an alert event; nil when charts are off.
	Charts Charts
}

// Charts makes the chart of one alert event within its own time budget, or
// returns nil; it is called once per message and caches per event, so every
// channel of the same event gets the same image.
type Charts interface {
	Image(ctx context.Context, a amtemplate.Alert, kind alert.Kind) *notify.Image
}

// maxFold bounds the alerts of one folded message; the notifier splits the
// text further when the platform needs it.
const maxFold = 100

// DefaultPollInterval is how often due retries are looked for.
const DefaultPollInterval = time.Second

// Option changes a Dispatcher; tests use them to run on a faster poll or
// their own clock.
type Option func(*Dispatcher)

// WithPollInterval sets how often due retries are looked for.
func WithPollInterval(d time.Duration) Option {
	return func(disp *Dispatcher) {
		if d > 0 {
			disp.pollInterval = d
		}
	}
}

// WithClock sets the clock deliveries are stamped and scheduled with.
func WithClock(now func() time.Time) Option {
	return func(disp *Dispatcher) { disp.now = now }
}

// WithFence makes every send wait for fence to allow it: with several
// replicas, fence claims the deliveries under the dispatch lease
// (store.Claim), so that a replica that lost the lease without noticing
// sends nothing. A refused claim leaves the deliveries to the next poll.
func WithFence(fence func(ctx context.Context, ids []int64) (bool, error)) Option {
	return func(disp *Dispatcher) { disp.fence = fence }
}

// RecentSends is what a store that knows the sends of other processes
// offers: when Run starts, each channel's rate limits count the requests
// made in the last hour, by whichever replica sent until now.
type RecentSends interface {
	RecentSends(ctx context.Context, channel string, since time.Time) ([]time.Time, error)
}

// Store is what the dispatcher needs from the store.
type Store interface {
	Ready(ctx context.Context, channel string, now time.Time, limit int) ([]*store.Delivery, error)
	PendingChannels(ctx context.Context) (map[string]store.Pending, error)
	FiringRefs(ctx context.Context, channel, fingerprint string, startsAt time.Time) ([]notify.Ref, error)
	Record(ctx context.Context, o store.Outcome) error
	Expire(ctx context.Context, channel string, before, at time.Time, reason string) (int64, error)
}

// Dispatcher delivers the outbox.
type Dispatcher struct {
	store   Store
	logger  *slog.Logger
	metrics *metrics
	setup   atomic.Pointer[Setup]
	now     func() time.Time
	// pollInterval is how often due retries are looked for.
	pollInterval time.Duration
	fence        func(ctx context.Context, ids []int64) (bool, error)
	// stoppedAt is when Run last returned: the limiters counted this
	// process's own sends until then (guarded by mu).
	stoppedAt time.Time

	mu      sync.Mutex
	workers map[string]*worker
	ctx     context.Context
	wg      sync.WaitGroup

	// Owned by the Run goroutine.
	pollErr  string
	orphans  map[string]int
	expireAt time.Time
}

// New makes a dispatcher; call Run to start it.
func New(st Store, setup *Setup, reg prometheus.Registerer, logger *slog.Logger, opts ...Option) *Dispatcher {
	d := &Dispatcher{store: st, logger: logger, metrics: newMetrics(reg), now: time.Now,
		pollInterval: DefaultPollInterval, workers: map[string]*worker{}, orphans: map[string]int{}}
	for _, o := range opts {
		o(d)
	}
	d.Update(setup)
	return d
}

// Update swaps in the setup of a reloaded configuration. Deliveries in
// flight finish with the setup they started with.
func (d *Dispatcher) Update(s *Setup) {
	for name := range s.Channels {
		d.metrics.precreate(name)
	}
	d.setup.Store(s)
}

// Wake tells the workers of these channels that new deliveries are waiting.
func (d *Dispatcher) Wake(channels ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ctx == nil {
		return
	}
	for _, ch := range channels {
		d.worker(ch).wake()
	}
}

// WakeAll wakes the worker of every configured channel, for when what
// arrived meanwhile is not known (a reconnected wake-up listener).
func (d *Dispatcher) WakeAll() {
	d.Wake(slices.Collect(maps.Keys(d.setup.Load().Channels))...)
}

// worker returns the channel's worker, starting it; d.mu must be held.
func (d *Dispatcher) worker(channel string) *worker {
	w, ok := d.workers[channel]
	if !ok {
		w = &worker{d: d, channel: channel, wakeup: make(chan struct{}, 1),
			logger: d.logger.With("channel", channel)}
		d.workers[channel] = w
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			w.run(d.ctx)
		}()
	}
	return w
}

// Run delivers until ctx is done, then waits for the workers to stop.
// Pending deliveries left in the store at start (after a restart, or sent
// by another replica until now) are picked up at once. Run may be called
// again after it returned: a replica that loses the dispatch lease and
// takes it again later.
func (d *Dispatcher) Run(ctx context.Context) error {
	d.warm(ctx)
	d.mu.Lock()
	d.ctx = ctx
	d.mu.Unlock()
	t := time.NewTicker(d.pollInterval)
	defer t.Stop()
	for {
		d.poll(ctx)
		select {
		case <-ctx.Done():
			d.wg.Wait()
			d.mu.Lock()
			d.ctx, d.workers = nil, map[string]*worker{}
			d.stoppedAt = d.now()
			d.mu.Unlock()
			return nil
		case <-t.C:
		}
	}
}

// warmWindow is how far back warm looks: the longest rate window of any
// platform.
const warmWindow = time.Hour

// warm counts in each channel's rate limits the requests made lately,
// when the store knows them and the notifier keeps limits: in the last
// hour, or since this dispatcher last stopped, when it ran before (its
// limiters counted its own sends already; counting them again would hold
// the channel back for nothing).
func (d *Dispatcher) warm(ctx context.Context) {
	rs, ok := d.store.(RecentSends)
	if !ok {
		return
	}
	since := d.now().Add(-warmWindow)
	d.mu.Lock()
	if d.stoppedAt.After(since) {
		since = d.stoppedAt
	}
	d.mu.Unlock()
	for name, ch := range d.setup.Load().Channels {
		w, ok := ch.Notifier.(notify.Warmer)
		if !ok {
			continue
		}
		sent, err := rs.RecentSends(ctx, name, since)
		if err != nil {
			if ctx.Err() == nil {
				d.logger.Warn("cannot read a channel's recent sends; its rate limits start empty", "channel", name, "err", err)
			}
			continue
		}
		if len(sent) > 0 {
			w.Warm(sent)
		}
	}
}

// poll wakes the workers of channels whose earliest delivery is due, and
// looks after deliveries whose channel a reload removed.
func (d *Dispatcher) poll(ctx context.Context) {
	due, err := d.store.PendingChannels(ctx)
	if err != nil {
		if ctx.Err() == nil && err.Error() != d.pollErr {
			d.logger.Error("cannot read the outbox; retrying every second", "err", err)
		}
		d.pollErr = err.Error()
		return
	}
	if d.pollErr != "" {
		d.logger.Info("the outbox can be read again")
		d.pollErr = ""
	}
	setup := d.setup.Load()
	now := d.now()
	var ready []string
	orphans := map[string]int{}
	for ch, p := range due {
		if _, ok := setup.Channels[ch]; !ok {
			orphans[ch] = p.Count
			continue
		}
		if !p.Due.After(now) {
			ready = append(ready, ch)
		}
	}
	d.orphaned(ctx, setup, orphans)
	d.Wake(ready...)
}
