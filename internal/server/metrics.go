package server

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	received prometheus.Counter
	rejected *prometheus.CounterVec
	accept   prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		received: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "herald_notifications_received_total",
			Help: "Alertmanager notifications accepted and stored.",
		}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_notifications_rejected_total",
			Help: "Webhook requests refused, by reason.",
		}, []string{"reason"}),
		accept: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "herald_webhook_accept_duration_seconds",
			Help:    "Time from a webhook request to its answer after the durable commit.",
			Buckets: []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1},
		}),
	}
	for _, r := range []string{"unauthorized", "unknown_channel", "content_type", "too_large", "read_error", "invalid", "store"} {
		m.rejected.WithLabelValues(r)
	}
	if reg != nil {
		reg.MustRegister(m.received, m.rejected, m.accept)
	}
	return m
}
