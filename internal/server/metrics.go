package server

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type metrics struct {
	received prometheus.Counter
	rejected *prometheus.CounterVec
	accept   prometheus.Histogram
	// requests and duration cover every route of Handler, labelled by the
	// route's pattern so that the label stays bounded whatever is asked.
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
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
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_http_requests_total",
			Help: "HTTP requests to Herald's own endpoints, by route and status code.",
		}, []string{"handler", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "herald_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests to Herald's own endpoints, by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"handler"}),
	}
	for _, r := range []string{"unauthorized", "unknown_channel", "content_type", "too_large", "read_error", "invalid", "store"} {
		m.rejected.WithLabelValues(r)
	}
	if reg != nil {
		reg.MustRegister(m.received, m.rejected, m.accept, m.requests, m.duration)
	}
	return m
}

// instrument counts and times the requests h answers under the route
// label handler.
func (m *metrics) instrument(handler string, h http.Handler) http.Handler {
	l := prometheus.Labels{"handler": handler}
	m.duration.With(l)
	return promhttp.InstrumentHandlerDuration(m.duration.MustCurryWith(l),
		promhttp.InstrumentHandlerCounter(m.requests.MustCurryWith(l), h))
}
