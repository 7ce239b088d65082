package dispatch

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/cenkalti/backoff/v5"
	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/store"
)

// buildData makes Alertmanager template data for the alerts of one message,
// as Alertmanager would for a notification holding just these alerts, each
// bounded by capAlert.
func buildData(batch []*store.Delivery) *amtemplate.Data {
	first := batch[0].Common
	d := &amtemplate.Data{
		Receiver:          first.Receiver,
		Status:            string(alert.KindFiring),
		GroupLabels:       first.GroupLabels,
		ExternalURL:       first.ExternalURL,
		CommonLabels:      amtemplate.KV{},
		CommonAnnotations: amtemplate.KV{},
	}
	if batch[0].Kind == alert.KindResolved {
		d.Status = string(alert.KindResolved)
	}
	for _, del := range batch {
		a := capAlert(del.Alert)
		if del.Kind == alert.KindReminder {
			a.Status = string(alert.KindFiring)
		}
		d.Alerts = append(d.Alerts, a)
	}
	d.CommonLabels = common(d.Alerts, func(a amtemplate.Alert) amtemplate.KV { return a.Labels })
	d.CommonAnnotations = common(d.Alerts, func(a amtemplate.Alert) amtemplate.KV { return a.Annotations })
	if d.GroupLabels == nil {
		d.GroupLabels = amtemplate.KV{}
	}
	return d
}

func common(as amtemplate.Alerts, kv func(amtemplate.Alert) amtemplate.KV) amtemplate.KV {
	out := amtemplate.KV{}
	for k, v := range kv(as[0]) {
		out[k] = v
	}
	for _, a := range as[1:] {
		m := kv(a)
		for k, v := range out {
			if m[k] != v {
				delete(out, k)
			}
		}
	}
	return out
}

// backoffFor is the wait before the attempt after `attempts` failed ones:
// exponential from initial, capped at max, with ±20% jitter so that many
// deliveries failing together do not retry together.
func backoffFor(attempts int, initial, max time.Duration) time.Duration {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval, b.Multiplier, b.RandomizationFactor = initial, max, 2, 0.2
	wait := initial
	for i := 0; i <= attempts && i < 64; i++ {
		wait = b.NextBackOff()
	}
	return wait
}

// retryReason maps an error to a bounded metric label.
func retryReason(err error) string {
	var rl *notify.RateLimitError
	var he *notify.HTTPError
	switch {
	case errors.As(err, &rl):
		return ReasonRateLimit
	case errors.As(err, &he) && he.StatusCode >= http.StatusInternalServerError:
		return ReasonServerError
	case errors.Is(err, context.DeadlineExceeded):
		return ReasonTimeout
	default:
		return ReasonNetwork
	}
}
