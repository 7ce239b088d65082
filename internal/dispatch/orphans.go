package dispatch

import (
	"context"
	"time"
)

// expireEvery is how often deliveries of channels that are no longer
// configured are checked against delivery.max_age.
const expireEvery = time.Minute

// orphaned looks after the deliveries of channels that a reload removed or
// renamed. They are kept pending, so that an operator who fixes a typo in a
// channel's name loses nothing, and are given up only when older than
// delivery.max_age, like any delivery that cannot be sent. counts are the
// pending deliveries of each such channel.
func (d *Dispatcher) orphaned(ctx context.Context, setup *Setup, counts map[string]int) {
	for ch := range d.orphans {
		if _, still := counts[ch]; !still {
			d.metrics.orphaned.DeleteLabelValues(ch)
			if _, back := setup.Channels[ch]; back {
				d.logger.Info("channel is configured again; its waiting deliveries go out now", "channel", ch)
			}
		}
	}
	for ch, n := range counts {
		if _, seen := d.orphans[ch]; !seen {
			d.logger.Warn("deliveries wait for a channel that is not configured; they are kept until it is "+
				"configured again or delivery.max_age passes", "channel", ch, "pending", n, "max_age", setup.MaxAge)
		}
		d.metrics.orphaned.WithLabelValues(ch).Set(float64(n))
	}
	d.orphans = counts
	if len(counts) == 0 {
		return
	}
	now := d.now()
	if now.Before(d.expireAt) {
		return
	}
	d.expireAt = now.Add(expireEvery)
	for ch := range counts {
		reason := "gave up after " + setup.MaxAge.String() + ": channel " + ch + " is not configured"
		n, err := d.store.Expire(ctx, ch, now.Add(-setup.MaxAge), now, reason)
		if err != nil {
			if ctx.Err() == nil {
				d.logger.Error("cannot expire deliveries of a channel that is not configured", "channel", ch, "err", err)
			}
			continue
		}
		if n > 0 {
			d.metrics.deliveries.WithLabelValues(ch, OutcomeExpired).Add(float64(n))
			d.logger.Error("giving up on deliveries: their channel is not configured and they are older than delivery.max_age",
				"channel", ch, "deliveries", n, "max_age", setup.MaxAge)
		}
	}
}
