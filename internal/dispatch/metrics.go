package dispatch

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Delivery outcomes, the values of the outcome label.
const (
	OutcomeSuccess   = "success"
	OutcomeRetry     = "retry"
	OutcomePermanent = "permanent_failure"
	OutcomeExpired   = "expired"
)

// Retry reasons, the values of the reason label.
const (
	ReasonRateLimit   = "rate_limit"
	ReasonServerError = "server_error"
	ReasonTimeout     = "timeout"
	ReasonNetwork     = "network"
)

type metrics struct {
	deliveries *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	retries    *prometheus.CounterVec
	orphaned   *prometheus.GaugeVec
	unrecorded *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_deliveries_total",
			Help: "Alert events handled by the dispatcher, by channel and outcome (success, retry, permanent_failure, expired).",
		}, []string{"channel", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "herald_delivery_duration_seconds",
			Help:    "Time of one delivery attempt to a platform, including rate-limit waits.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"channel"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_delivery_retries_total",
			Help: "Delivery attempts that failed and were scheduled again, by channel and reason.",
		}, []string{"channel", "reason"}),
		orphaned: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "herald_deliveries_unconfigured_channel",
			Help: "Pending deliveries whose channel is not in the configuration (removed or renamed by a reload); kept until it is back or delivery.max_age passes.",
		}, []string{"channel"}),
		unrecorded: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "herald_delivery_outcomes_unrecorded",
			Help: "Sent messages whose outcome could not be written to the store yet; the channel sends nothing else until it is written.",
		}, []string{"channel"}),
	}
	if reg != nil {
		reg.MustRegister(m.deliveries, m.duration, m.retries, m.orphaned, m.unrecorded)
	}
	return m
}

// precreate makes every label set of a channel visible at zero, so that
// rate() and alerts on these series work from the first failure.
func (m *metrics) precreate(channel string) {
	for _, o := range []string{OutcomeSuccess, OutcomeRetry, OutcomePermanent, OutcomeExpired} {
		m.deliveries.WithLabelValues(channel, o)
	}
	for _, r := range []string{ReasonRateLimit, ReasonServerError, ReasonTimeout, ReasonNetwork} {
		m.retries.WithLabelValues(channel, r)
	}
	m.duration.WithLabelValues(channel)
	m.unrecorded.WithLabelValues(channel)
}
