package dispatch

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/store"
)

// worker sends one channel's deliveries in order, one message at a time,
// which is also what keeps a chat's messages in order.
type worker struct {
	d       *Dispatcher
	channel string
	wakeup  chan struct{}
	logger  *slog.Logger

	pausedUntil time.Time
	lastErr     string
}

func (w *worker) wake() {
	select {
	case w.wakeup <- struct{}{}:
	default:
	}
}

func (w *worker) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.wakeup:
		}
		for ctx.Err() == nil && w.step(ctx) {
		}
	}
}

// step sends one message; it reports whether more may be due.
func (w *worker) step(ctx context.Context) bool {
	if wait := time.Until(w.pausedUntil); wait > 0 {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(wait):
		}
	}
	setup := w.d.setup.Load()
	ch, configured := setup.Channels[w.channel]
	limit := 1
	if configured && ch.StormThreshold > 0 {
		limit = maxFold
	}
	ds, err := w.d.store.Ready(ctx, w.channel, w.d.now(), limit)
	if err != nil {
		if ctx.Err() == nil {
			w.logger.Error("cannot read the outbox", "err", err)
		}
		return false
	}
	if len(ds) == 0 {
		return false
	}
	if !configured {
		w.record(store.Outcome{Deliveries: ds, State: store.StateFailed, At: w.d.now(),
			Error: "channel " + w.channel + " is no longer configured"}, OutcomePermanent)
		return true
	}
	batch, folded := pick(ds, ch.StormThreshold)
	msg := w.message(ctx, setup, batch, folded)
	w.send(ctx, setup, ch.Notifier, batch, msg)
	return true
}

// pick chooses what goes into the next message: the oldest delivery alone,
// or, when more than threshold are due, the oldest ones of the same kind
// folded together (a delivery that already sent some parts is never folded,
// so that its retry resumes where it stopped).
func pick(ds []*store.Delivery, threshold int) ([]*store.Delivery, bool) {
	if threshold <= 0 || len(ds) <= threshold || ds[0].SentParts > 0 {
		return ds[:1], false
	}
	var out []*store.Delivery
	for _, d := range ds {
		if d.Kind == ds[0].Kind && d.SentParts == 0 {
			out = append(out, d)
		}
	}
	return out, len(out) > 1
}

func (w *worker) message(ctx context.Context, setup *Setup, batch []*store.Delivery, folded bool) *notify.Message {
	first := batch[0]
	m := &notify.Message{Channel: w.channel, Kind: first.Kind, Folded: folded, Data: buildData(batch),
		SentParts: first.SentParts}
	// A chart for one alert's firing or resolution; reminders stay short and
	// a storm's folded list has no single metric to draw.
	if setup.Charts != nil && !folded && first.Kind != alert.KindReminder {
		m.Image = setup.Charts.Image(ctx, m.Data.Alerts[0], first.Kind)
	}
	if !folded && first.Kind != alert.KindFiring {
		refs, err := w.d.store.FiringRefs(ctx, w.channel, first.Fingerprint, first.StartsAt)
		if err != nil {
			w.logger.Warn("cannot look up the firing message; sending without reply", "err", err)
		}
		m.Previous = refs
	}
	return m
}

func (w *worker) send(ctx context.Context, setup *Setup, n notify.Notifier, batch []*store.Delivery, m *notify.Message) {
	sendCtx, cancel := context.WithTimeout(ctx, setup.Timeout)
	start := w.d.now()
	refs, retry, err := n.Notify(sendCtx, m)
	cancel()
	took := w.d.now().Sub(start)
	w.d.metrics.duration.WithLabelValues(w.channel).Observe(took.Seconds())
	o := store.Outcome{Deliveries: batch, At: start, Duration: took, Refs: refs, Resumable: !m.Folded}
	if err == nil {
		o.State = store.StateSent
		w.lastErr = ""
		w.logger.Debug("delivered", "kind", m.Kind, "alerts", len(batch), "parts", len(refs), "took", took)
		w.record(o, OutcomeSuccess)
		return
	}
	var throttled *notify.ThrottledError
	if errors.As(err, &throttled) {
		// Our own rate limit, not a failure: wait, then send again.
		w.pausedUntil = w.d.now().Add(throttled.Wait)
		w.logger.Debug("rate limit reached; waiting", "for", throttled.Wait)
		if len(refs) == 0 {
			return
		}
		o.State, o.NextAttempt, o.Error = store.StatePending, w.pausedUntil, err.Error()
		w.record(o, "")
		return
	}
	err = notify.Redact(err, setup.Secrets...)
	o.Error = err.Error()
	oldest := batch[0].CreatedAt
	switch {
	case !retry:
		o.State = store.StateFailed
		w.logger.Error("giving up on a delivery: permanent error", "kind", m.Kind, "alerts", len(batch), "err", err)
		w.record(o, OutcomePermanent)
	case w.d.now().Sub(oldest) >= setup.MaxAge:
		o.State = store.StateFailed
		o.Error = "gave up after " + setup.MaxAge.String() + ": " + o.Error
		w.logger.Error("giving up on a delivery: retried for too long", "kind", m.Kind, "alerts", len(batch),
			"age", w.d.now().Sub(oldest).Round(time.Second), "err", err)
		w.record(o, OutcomeExpired)
	default:
		wait := backoffFor(batch[0].Attempts, setup.InitialBackoff, setup.MaxBackoff)
		var rl *notify.RateLimitError
		if errors.As(err, &rl) && rl.RetryAfter > 0 {
			wait = rl.RetryAfter
			w.pausedUntil = w.d.now().Add(wait)
		}
		o.State, o.NextAttempt = store.StatePending, w.d.now().Add(wait)
		reason := retryReason(err)
		w.d.metrics.retries.WithLabelValues(w.channel, reason).Inc()
		if o.Error != w.lastErr {
			w.logger.Warn("delivery failed; will retry", "reason", reason, "in", wait.Round(time.Millisecond),
				"attempt", batch[0].Attempts+1, "err", err)
		} else {
			w.logger.Debug("delivery failed again; will retry", "in", wait.Round(time.Millisecond), "err", err)
		}
		w.lastErr = o.Error
		w.record(o, OutcomeRetry)
	}
}

// record persists an outcome and counts it under outcome ("" counts
// nothing: a send cut short by our own rate limit is neither a success nor a
// failure). It must not be cut short by shutdown, or a sent message would be
// sent again after the restart.
func (w *worker) record(o store.Outcome, outcome string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.d.store.Record(ctx, o); err != nil {
		w.logger.Error("cannot record a delivery outcome; it will be attempted again", "err", err)
		time.Sleep(time.Second)
		return
	}
	if outcome != "" {
		w.d.metrics.deliveries.WithLabelValues(w.channel, outcome).Add(float64(len(o.Deliveries)))
	}
}
