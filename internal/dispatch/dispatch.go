// Package dispatch runs the outbox: one worker per channel takes the due
// deliveries from the store, folds them during a storm, sends them through
// the channel's notifier and records the outcome. Retries live here and only
// here: exponential backoff bounded by a maximum age, honouring the
// platform's retry_after.
package dispatch

import (
	"context"
	"log/slog"
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
// Pending deliveries left in the store at start (after a restart) are picked
// up at once.
func (d *Dispatcher) Run(ctx context.Context) error {
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
			return nil
		case <-t.C:
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
