package prom

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/heraldhq/herald/internal/config"
)

// hugeProm answers every call with a generated body, written as it is
// generated so that the test never holds it whole, and records whether
// the client hung up before the end.
type hugeProm struct {
	body    func(w io.Writer)
	written atomic.Int64
	cut     atomic.Bool // a write failed: the client closed the connection
	done    chan struct{}
}

func newHuge(t *testing.T, body func(w io.Writer)) (*hugeProm, *httptest.Server) {
	t.Helper()
	h := &hugeProm{body: body, done: make(chan struct{}, 16)}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv
}

func (h *hugeProm) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() { h.done <- struct{}{} }()
	w.Header().Set("Content-Type", "application/json")
	cw := &countWriter{w: w, h: h}
	bw := bufio.NewWriterSize(cw, 64<<10)
	h.body(bw)
	bw.Flush()
}

// countWriter counts what reached the connection and notes a failed write.
type countWriter struct {
	w   http.ResponseWriter
	h   *hugeProm
	err error
}

func (c *countWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.h.written.Add(int64(n))
	if err != nil {
		c.err = err
		c.h.cut.Store(true)
	}
	return n, err
}

// writeMatrix writes a query_range answer of n series of p points each.
// Series i has the value i at every point but its last, which is
// lastValue(i, n): the highest last values are scattered through the
// answer, and a decoder ranking by the first value or the maximum would
// keep the wrong series.
func writeMatrix(w io.Writer, n, p int) {
	io.WriteString(w, `{"status":"success","data":{"resultType":"matrix","result":[`)
	for i := range n {
		if i > 0 {
			io.WriteString(w, ",")
		}
		fmt.Fprintf(w, `{"metric":{"__name__":"node_load1","instance":"web-%05d:9100","job":"node"},"values":[`, i)
		for j := range p {
			v := i
			if j == p-1 {
				v = lastValue(i, n)
			}
			if j > 0 {
				io.WriteString(w, ",")
			}
			fmt.Fprintf(w, `[%d,"%d"]`, 1795320000+15*j, v)
		}
		io.WriteString(w, "]}")
	}
	io.WriteString(w, `]}}`)
}

// lastValue permutes 0..n-1 (7919 is a prime that divides no n used here).
func lastValue(i, n int) int { return i * 7919 % n }

// TestTooLarge checks the byte cap: a 50 MiB answer fails with a
// *TooLargeError naming the setting to raise, and the connection is closed
// at the limit rather than read to the end (the server's writes fail).
func TestTooLarge(t *testing.T) {
	h, srv := newHuge(t, func(w io.Writer) { writeMatrix(w, 40_000, 60) })
	// Generous: the race detector slows decoding tenfold.
	c := client(t, srv.URL, config.PrometheusConfig{Timeout: config.Duration(time.Minute)})
	_, err := c.QueryRange(context.Background(), "node_load1", t0, t0.Add(time.Hour), 15*time.Second, Limits{})
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Limit != DefaultMaxBytes {
		t.Fatalf("err = %v, want a *TooLargeError of 16MiB", err)
	}
	const want = "prometheus query_range: answer larger than 16MiB; raise graph.max_response_size if such answers are expected"
	if err.Error() != want {
		t.Errorf("text\n got: %s\nwant: %s", err, want)
	}
	<-h.done
	if !h.cut.Load() || h.written.Load() >= 50<<20 {
		t.Errorf("the server wrote %d bytes, cut %v: the answer was drained", h.written.Load(), h.cut.Load())
	}

	// A limit given with the call wins over the client's.
	_, err = c.QueryRange(context.Background(), "node_load1", t0, t0.Add(time.Hour), 15*time.Second, Limits{MaxBytes: 1 << 20})
	if !errors.As(err, &tl) || tl.Limit != 1<<20 {
		t.Errorf("err = %v, want the 1MiB limit", err)
	}
}

// TestRulesTooLarge checks the cap of /api/v1/rules: 32MiB by default, the
// larger of it and the configured size otherwise.
func TestRulesTooLarge(t *testing.T) {
	_, srv := newHuge(t, func(w io.Writer) {
		io.WriteString(w, `{"status":"success","data":{"groups":[{"name":"big","rules":[`)
		for i := range 200_000 {
			if i > 0 {
				io.WriteString(w, ",")
			}
			fmt.Fprintf(w, `{"type":"alerting","name":"Alert%d","query":"up{job=\"job-%d\"} == 0","duration":300,"labels":{},"annotations":{"summary":"padding padding padding padding padding padding padding padding"}}`, i, i)
		}
		io.WriteString(w, `]}]}}`)
	})
	_, err := client(t, srv.URL, config.PrometheusConfig{Timeout: config.Duration(time.Minute)}).AlertingRules(context.Background())
	const want = "prometheus rules: answer larger than 32MiB; raise graph.max_response_size above 32MiB if such answers are expected"
	if err == nil || err.Error() != want {
		t.Errorf("err\n got: %v\nwant: %s", err, want)
	}
	cfg := config.PrometheusConfig{URL: srv.URL, Timeout: config.Duration(time.Minute)}
	c, err := New(cfg, nil, WithMaxResponseSize(64<<20))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rules, err := c.AlertingRules(context.Background())
	if err != nil || len(rules) != 200_000 {
		t.Errorf("with 64MiB: %d rules, %v", len(rules), err)
	}
}

// TestTooManySeries checks the series cap: of 10,000 series the 10 with the
// highest last value are kept, in the answer's order, and all are counted.
func TestTooManySeries(t *testing.T) {
	_, srv := newHuge(t, func(w io.Writer) { writeMatrix(w, 10_000, 5) })
	c := client(t, srv.URL, config.PrometheusConfig{Timeout: config.Duration(time.Minute)})
	for _, tt := range []struct {
		lim  Limits
		want int
	}{{Limits{}, DefaultMaxSeries}, {Limits{MaxSeries: 3}, 3}} {
		res, err := c.QueryRange(context.Background(), "node_load1", t0, t0.Add(time.Hour), 15*time.Second, tt.lim)
		if err != nil {
			t.Fatal(err)
		}
		if res.Series != 10_000 || len(res.Matrix) != tt.want || res.Thinned != 0 {
			t.Fatalf("%d of %d series kept, %d thinned; want %d of 10000", len(res.Matrix), res.Series, res.Thinned, tt.want)
		}
		// The highest last values, in the answer's order.
		var want []string
		for i := range 10_000 {
			if lastValue(i, 10_000) >= 10_000-tt.want {
				want = append(want, fmt.Sprintf("web-%05d:9100", i))
			}
		}
		for i, s := range res.Matrix {
			if s.Labels["instance"] != want[i] || len(s.Points) != 5 {
				t.Errorf("series %d = %v %v, want %s", i, s.Labels, s.Points, want[i])
			}
		}
	}
}

// TestTooManyPoints checks the point cap: a series of 100,000 points is
// thinned to at most 1,000 that keep its first and last point, its lowest
// and highest value, and time order.
func TestTooManyPoints(t *testing.T) {
	const n = 100_000
	_, srv := newHuge(t, func(w io.Writer) {
		io.WriteString(w, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"instance":"a"},"values":[`)
		for j := range n {
			v := math.Sin(float64(j) / 1000)
			switch j {
			case 31_337:
				v = 50 // one spike
			case 77_777:
				v = -50 // one dip
			}
			if j > 0 {
				io.WriteString(w, ",")
			}
			fmt.Fprintf(w, `[%d,"%g"]`, 1795320000+j, v)
		}
		io.WriteString(w, `]}]}}`)
	})
	c := client(t, srv.URL, config.PrometheusConfig{Timeout: config.Duration(time.Minute)})
	res, err := c.QueryRange(context.Background(), "x", t0, t0.Add(30*time.Hour), time.Second, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Matrix) != 1 || res.Thinned != 1 {
		t.Fatalf("result %d series, %d thinned", len(res.Matrix), res.Thinned)
	}
	pts := res.Matrix[0].Points
	if len(pts) > DefaultMaxPoints || len(pts) < DefaultMaxPoints/2 {
		t.Errorf("%d points, want at most %d", len(pts), DefaultMaxPoints)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, p := range pts {
		lo, hi = min(lo, p.V), max(hi, p.V)
		if i > 0 && !p.T.After(pts[i-1].T) {
			t.Fatalf("point %d at %v after %v", i, p.T, pts[i-1].T)
		}
	}
	last := math.Sin(float64(n-1) / 1000)
	if lo != -50 || hi != 50 || !pts[0].T.Equal(t0) || pts[len(pts)-1].V != last {
		t.Errorf("min %v max %v first %v last %v; want -50 50 %v %v", lo, hi, pts[0].T, pts[len(pts)-1].V, t0, last)
	}
}

// TestThin checks the edges of thinning: gaps stay gaps, and a series that
// fits is copied as it is.
func TestThin(t *testing.T) {
	ps := make([]model.SamplePair, 20)
	for i := range ps {
		ps[i] = model.SamplePair{Timestamp: model.Time(i * 1000), Value: model.SampleValue(math.NaN())}
	}
	ps[0].Value, ps[19].Value, ps[3].Value = 1, 2, 7
	got := thin(ps, 6) // first, two runs of 9, last
	if len(got) != 4 || got[0].V != 1 || got[1].V != 7 || !math.IsNaN(got[2].V) || got[3].V != 2 {
		t.Errorf("thin = %v", got)
	}
	if got := thin(ps[:4], 4); len(got) != 4 || got[3].V != 7 {
		t.Errorf("thin of a short series = %v", got)
	}
}

// TestLimitReader checks the boundary: exactly the limit passes, one byte
// more fails, and the error sticks.
func TestLimitReader(t *testing.T) {
	if b, err := io.ReadAll(newLimitReader(strings.NewReader("12345"), 5, "x")); err != nil || string(b) != "12345" {
		t.Errorf("at the limit: %q, %v", b, err)
	}
	lr := newLimitReader(strings.NewReader("123456"), 5, "x")
	_, err := io.ReadAll(lr)
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Limit != 5 {
		t.Fatalf("over the limit: %v", err)
	}
	if _, err2 := lr.Read(make([]byte, 1)); err2 != err {
		t.Errorf("second read: %v", err2)
	}
}
