package graph

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
)

// hugeProm is a Prometheus whose query_range answers are generated as they
// are written: n series of p points.
func hugeProm(t *testing.T, n, p int) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api/v1/rules" {
			io.WriteString(w, `{"status":"success","data":{"groups":[]}}`)
			return
		}
		bw := bufio.NewWriterSize(w, 64<<10)
		defer bw.Flush()
		start := time.Now().Add(-time.Hour).Unix()
		io.WriteString(bw, `{"status":"success","data":{"resultType":"matrix","result":[`)
		for i := range n {
			if i > 0 {
				io.WriteString(bw, ",")
			}
			fmt.Fprintf(bw, `{"metric":{"__name__":"node_load1","instance":"web-%d:9100"},"values":[`, i)
			for j := range p {
				if j > 0 {
					io.WriteString(bw, ",")
				}
				fmt.Fprintf(bw, `[%d,"%d"]`, start+int64(j), (i+j)%97)
			}
			if _, err := io.WriteString(bw, "]}"); err != nil {
				return // the client hung up
			}
		}
		io.WriteString(bw, `]}}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestCaps runs the whole chart path against answers over each cap: the
// alert always gets its chart, except when the body is over the byte cap,
// which is counted as too_large.
func TestCaps(t *testing.T) {
	for _, tc := range []struct {
		name      string
		n, p      int
		wantChart bool
	}{
		{"50MiB of body", 40_000, 60, false},
		{"10,000 series", 10_000, 10, true},
		{"100,000 points", 1, 100_000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.DefaultConfig()
			cfg.Prometheus.URL = hugeProm(t, tc.n, tc.p)
			// Generous: the race detector slows decoding tenfold.
			cfg.Prometheus.Timeout = config.Duration(time.Minute)
			cfg.Graph.Timeout = config.Duration(time.Minute)
			m := NewMetrics(prometheus.NewRegistry())
			e, err := Build(&cfg, m, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			a := amtemplate.Alert{Status: "firing", Fingerprint: "fp", StartsAt: time.Now().Add(-10 * time.Minute),
				Labels:      amtemplate.KV{"alertname": "HighLoad"},
				Annotations: amtemplate.KV{"herald_query": "node_load1"}}
			img := e.Image(context.Background(), a, alert.KindFiring)
			if got := img != nil; got != tc.wantChart {
				t.Fatalf("chart %v, want %v", got, tc.wantChart)
			}
			if img != nil {
				if _, err := png.Decode(bytes.NewReader(img.PNG)); err != nil {
					t.Errorf("not a PNG: %v", err)
				}
			}
			want := 1.0
			if tc.wantChart {
				want = 0
			}
			if v := testutil.ToFloat64(m.failed.WithLabelValues(ReasonTooLarge)); v != want {
				t.Errorf("too_large counted %v times, want %v", v, want)
			}
		})
	}
}

// TestTooLargePrecreated checks that the new reason is exported before the
// first failure, so that rate() and alerts on it work from the start.
func TestTooLargePrecreated(t *testing.T) {
	reg := prometheus.NewRegistry()
	NewMetrics(reg)
	if n, err := testutil.GatherAndCount(reg, "herald_graph_failures_total"); err != nil || n != 5 {
		t.Errorf("%d series of herald_graph_failures_total, %v; want 5", n, err)
	}
}
