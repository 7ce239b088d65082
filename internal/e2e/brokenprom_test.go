package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A Prometheus that hangs or fails never delays an alert past the chart
// budget: the alert arrives without a chart and the reason is counted.
func TestBrokenPrometheusDoesNotDelayAlerts(t *testing.T) {
	for _, c := range []struct {
		name, reason string
		hang         bool
	}{
		{"hangs", "timeout", true},
		{"500", "prometheus", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			release := make(chan struct{})
			prom := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if c.hang {
					select {
					case <-r.Context().Done():
					case <-release:
					}
					return
				}
				http.Error(w, `{"status":"error","errorType":"internal","error":"boom"}`, 500)
			}))
			// Registered before Herald's, so it runs after Herald stopped.
			t.Cleanup(func() { close(release); prom.Close() })
			fake := newFake(t)
			h := startHerald(t, configFor(t, fake, t.TempDir(),
				fmt.Sprintf("prometheus:\n  url: %s\ngraph:\n  timeout: 1s\n", prom.URL)))
			start := time.Now()
			if code, body := h.post(t, "/api/v1/alerts", realPayload(t)); code != 200 {
				t.Fatalf("%d %s", code, body)
			}
			msgs, err := fake.WaitMessages(1, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			took := time.Since(start)
			if msgs[0].Photo != nil || !strings.Contains(msgs[0].Plain, "HostMemoryLow") {
				t.Fatalf("expected the alert as text without a chart: %+v", msgs[0])
			}
			// The budget is 1 s; allow generous slack for a loaded machine,
			// but far less than Telegram's or Prometheus' own timeouts.
			if took > 5*time.Second {
				t.Fatalf("alert took %v with a 1s chart budget", took)
			}
			resp, err := http.Get(h.URL + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := fmt.Sprintf(`herald_graph_failures_total{reason=%q} 1`, c.reason)
			if !strings.Contains(string(b), want) {
				t.Fatalf("metrics lack %s:\n%s", want, grepLines(string(b), "herald_graph"))
			}
		})
	}
}
