package server

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestRouteLabel(t *testing.T) {
	t.Parallel()
	for pattern, want := range map[string]string{
		"POST /api/v1/alerts/{channel}": "/api/v1/alerts/{channel}",
		"/api/v1/alerts":                "/api/v1/alerts",
		"GET  /images/{file}":           "/images/{file}",
		"GET example.com/metrics":       "/metrics",
		"/telegram/webhook":             "/telegram/webhook",
	} {
		if got := routeLabel(pattern); got != want {
			t.Errorf("routeLabel(%q) = %q, want %q", pattern, got, want)
		}
	}
}

func TestHTTPRequestMetrics(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	tg := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusAccepted) })
	s := New(testConfig(t), Options{Store: &fakeStore{}, Gatherer: reg, Registerer: reg, Telegram: tg,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Reload: func() error { return errors.New("bad") }})
	h := s.Handler()

	do(h, "POST", "/api/v1/alerts/ops", "application/json", payload(t))
	do(h, "POST", "/api/v1/alerts/dev", "application/json", payload(t))
	do(h, "POST", "/api/v1/alerts/nosuch", "application/json", payload(t))
	do(h, "GET", "/api/v1/alerts/ops", "", "")
	do(h, "GET", "/-/healthy", "", "")
	do(h, "POST", "/-/reload", "", "")
	do(h, "POST", "/telegram/webhook", "application/json", "{}")
	do(h, "GET", "/no/such/route", "", "")

	// Every route has its duration series from the start; no requested
	// path became a label.
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	handlers := map[string]uint64{}
	for _, mf := range mfs {
		switch mf.GetName() {
		case "herald_http_request_duration_seconds":
			for _, m := range mf.GetMetric() {
				handlers[m.GetLabel()[0].GetValue()] = m.GetHistogram().GetSampleCount()
			}
		case "herald_http_requests_total":
			for _, m := range mf.GetMetric() {
				for _, l := range m.GetLabel() {
					if l.GetName() == "handler" && l.GetValue() != "/api/v1/alerts/{channel}" && l.GetValue() != "/-/healthy" &&
						l.GetValue() != "/-/reload" && l.GetValue() != "/telegram/webhook" {
						t.Errorf("unexpected handler label %q", l.GetValue())
					}
				}
			}
		}
	}
	want := map[string]uint64{"/api/v1/alerts": 0, "/api/v1/alerts/{channel}": 4, "/-/healthy": 1, "/-/ready": 0,
		"/-/reload": 1, "/telegram/webhook": 1, "/metrics": 0}
	if len(handlers) != len(want) {
		t.Errorf("duration series %v, want %v", handlers, want)
	}
	for k, n := range want {
		if got, ok := handlers[k]; !ok || got != n {
			t.Errorf("herald_http_request_duration_seconds_count{handler=%q} = %v (present %v), want %v", k, got, ok, n)
		}
	}

	for _, c := range []struct {
		handler, code string
		want          float64
	}{
		// The channel is in the path but not in the label.
		{"/api/v1/alerts/{channel}", "200", 2},
		{"/api/v1/alerts/{channel}", "404", 1},
		{"/api/v1/alerts/{channel}", "405", 1},
		{"/-/healthy", "200", 1},
		{"/-/reload", "400", 1},
		{"/telegram/webhook", "202", 1},
	} {
		if got := testutil.ToFloat64(s.metrics.requests.WithLabelValues(c.handler, c.code)); got != c.want {
			t.Errorf("herald_http_requests_total{handler=%q,code=%q} = %v, want %v", c.handler, c.code, got, c.want)
		}
	}
}
