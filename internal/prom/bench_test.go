package prom

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/config"
)

// benchAnswer serves a fixed body, so that the benchmark measures the
// client, not the generator.
func benchAnswer(b *testing.B, body []byte) *Client {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	b.Cleanup(srv.Close)
	c, err := New(config.PrometheusConfig{URL: srv.URL, Timeout: config.Duration(time.Minute)}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	return c
}

// BenchmarkQueryRangeHuge decodes answers just under the 16MiB cap: 10,000
// series of 60 points (a query that lost its instance label), and one
// series of 600,000 points. B/op is what one chart's query allocates;
// kept-B is what its result holds on to.
func BenchmarkQueryRangeHuge(b *testing.B) {
	for _, bc := range []struct {
		name           string
		series, points int
	}{{"10000x60", 10_000, 60}, {"1x600000", 1, 600_000}} {
		b.Run(bc.name, func(b *testing.B) {
			var buf bytes.Buffer
			writeMatrix(&buf, bc.series, bc.points)
			if buf.Len() > DefaultMaxBytes {
				b.Fatalf("answer of %d bytes is over the cap", buf.Len())
			}
			c := benchAnswer(b, buf.Bytes())
			b.SetBytes(int64(buf.Len()))
			b.ReportAllocs()
			var kept uint64
			for b.Loop() {
				var before, after runtime.MemStats
				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&before)
				b.StartTimer()
				res, err := c.QueryRange(context.Background(), "node_load1", t0, t0.Add(time.Hour), 15*time.Second, Limits{})
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&after)
				kept = after.HeapAlloc - min(before.HeapAlloc, after.HeapAlloc)
				runtime.KeepAlive(res)
				b.StartTimer()
			}
			b.ReportMetric(float64(kept), "kept-B")
		})
	}
}

// BenchmarkQueryRangeOverCap reads an answer of 40,000 series of 60 points
// (51MiB), over the 16MiB cap: the call fails once 16MiB are read.
func BenchmarkQueryRangeOverCap(b *testing.B) {
	var buf bytes.Buffer
	writeMatrix(&buf, 40_000, 60)
	c := benchAnswer(b, buf.Bytes())
	b.ReportAllocs()
	for b.Loop() {
		_, err := c.QueryRange(context.Background(), "node_load1", t0, t0.Add(time.Hour), 15*time.Second, Limits{})
		var tl *TooLargeError
		if !errors.As(err, &tl) {
			b.Fatalf("err = %v", err)
		}
	}
}
