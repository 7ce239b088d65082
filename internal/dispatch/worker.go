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
	// failures counts the channel's consecutive failed attempts worth
	// retrying; the channel as a whole backs off by it, so that an outage
	// is not hit by every waiting alert in turn.
	failures int
	// unrecorded are outcomes of attempts that happened (a message may
	// have gone out) but could not be written to the store. Until they
	// are written, the channel sends nothing: what the store still shows
	// as pending must not be sent a second time.
	unrecorded []pendingRecord
	recordErrs int
}

// pendingRecord is an outcome waiting to be written, with the metric
// outcome it counts as once written.
type pendingRecord struct {
	o       store.Outcome
	outcome string
}

func (w *worker) wake() {
	select {
	case w.wakeup <- struct{}{}:
	default:
	}
}

func (w *worker) run(ctx context.Context) {
	defer w.flushAtExit()
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
	if len(w.unrecorded) > 0 && !w.flush(ctx) {
		return ctx.Err() == nil
	}
	if wait := time.Until(w.pausedUntil); wait > 0 {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(wait):
		}
	}
	setup := w.d.setup.Load()
	ch, configured := setup.Channels[w.channel]
	if !configured {
		// A reload removed the channel: its deliveries wait for it (see
		// Dispatcher.orphaned).
		return false
	}
	limit := 1
	if ch.StormThreshold > 0 {
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
	batch, folded := pick(ds, ch.StormThreshold)
	if w.d.fence != nil {
		ids := make([]int64, len(batch))
		for i, dl := range batch {
			ids[i] = dl.ID
		}
		ok, err := w.d.fence(ctx, ids)
		if err != nil || !ok {
			if err != nil && ctx.Err() == nil {
				w.logger.Warn("cannot claim deliveries to send; trying again at the next poll", "err", err)
			}
			return false
		}
	}
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
		// The chart is drawn for the alert as received: capping may have
		// left out a label that identifies the series.
		m.Image = setup.Charts.Image(ctx, first.Alert, first.Kind)
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
		w.failures = 0
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
		} else {
			// The platform is failing, not this alert: the whole channel
			// backs off, growing with its consecutive failures, while each
			// alert keeps its own schedule and max_age.
			w.pausedUntil = w.d.now().Add(backoffFor(w.failures, setup.InitialBackoff, setup.MaxBackoff))
			w.failures++
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
// sent again after the restart. When the store cannot take it (a full
// disk), the outcome is kept in memory and only the write is retried: the
// message is never sent again for it.
func (w *worker) record(o store.Outcome, outcome string) {
	w.unrecorded = append(w.unrecorded, pendingRecord{o: o, outcome: outcome})
	w.flush(nil)
}

// recordBackoff bounds the wait between attempts to write an outcome.
const (
	recordBackoffMin = 100 * time.Millisecond
	recordBackoffMax = 10 * time.Second
)

// flush writes the outcomes waiting in memory, oldest first. When a write
// fails it waits (with backoff, until ctx is done; not at all when ctx is
// nil) and reports false: the caller sends nothing meanwhile.
func (w *worker) flush(ctx context.Context) bool {
	for len(w.unrecorded) > 0 {
		p := w.unrecorded[0]
		wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := w.d.store.Record(wctx, p.o)
		cancel()
		if err != nil {
			w.recordErrs++
			w.d.metrics.unrecorded.WithLabelValues(w.channel).Set(float64(len(w.unrecorded)))
			if w.recordErrs == 1 {
				w.logger.Error("cannot record a delivery outcome; keeping it in memory and retrying the write, "+
					"nothing more is sent on this channel meanwhile", "state", p.o.State, "alerts", len(p.o.Deliveries), "err", err)
			}
			if ctx != nil {
				wait := backoffFor(w.recordErrs-1, recordBackoffMin, recordBackoffMax)
				select {
				case <-ctx.Done():
				case <-time.After(wait):
				}
			}
			return false
		}
		if w.recordErrs > 0 {
			w.logger.Info("delivery outcome recorded after the store recovered", "failed_writes", w.recordErrs)
			w.recordErrs = 0
		}
		w.unrecorded = w.unrecorded[1:]
		w.d.metrics.unrecorded.WithLabelValues(w.channel).Set(float64(len(w.unrecorded)))
		if p.outcome != "" {
			w.d.metrics.deliveries.WithLabelValues(w.channel, p.outcome).Add(float64(len(p.o.Deliveries)))
		}
	}
	return true
}

// flushAtExit makes a last attempt to write what is waiting when the
// dispatcher stops; what still cannot be written may be sent again after a
// restart, which is said in the log.
func (w *worker) flushAtExit() {
	if len(w.unrecorded) == 0 || w.flush(nil) {
		return
	}
	n := 0
	for _, p := range w.unrecorded {
		n += len(p.o.Deliveries)
	}
	w.logger.Error("stopping with delivery outcomes that could not be recorded; these alerts may be sent again after the restart",
		"alerts", n)
}
