package prom

import (
	"context"
	"errors"
	"math"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/config"
)

// The secrets every test configures; no error may contain them.
const (
	testToken    = "tok-s3cr3t-bearer"
	testPassword = "pw-s3cr3t-basic"
	testAPIKey   = "key-s3cr3t-header"
)

// t0 is 2026-11-21T04:00:00Z, the day of the real payload in testdata.
var t0 = time.Unix(1795320000, 0).UTC()

// client builds a Client for srv with cfg's auth.
func client(t *testing.T, url string, cfg config.PrometheusConfig) *Client {
	t.Helper()
	cfg.URL = url
	if cfg.Timeout == 0 {
		cfg.Timeout = config.Duration(5 * time.Second)
	}
	c, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestQueryRangeAuth(t *testing.T) {
	tests := []struct {
		name     string
		cfg      config.PrometheusConfig
		wantAuth string
	}{
		{"none", config.PrometheusConfig{}, ""},
		{"bearer", config.PrometheusConfig{HTTP: bearer(testToken)}, "Bearer " + testToken},
		// "herald:pw-s3cr3t-basic" in base64, as RFC 7617 builds it.
		{"basic", config.PrometheusConfig{HTTP: basic("herald", testPassword)},
			"Basic aGVyYWxkOnB3LXMzY3IzdC1iYXNpYw=="},
		{"headers", config.PrometheusConfig{Headers: map[string]config.Secret{"X-Scope-OrgID": "ops", "X-Api-Key": testAPIKey}}, ""},
		// A custom Authorization header is allowed when no other auth is set.
		{"custom authorization", config.PrometheusConfig{Headers: map[string]config.Secret{"Authorization": "Token abc"}}, "Token abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := map[string]string{}
			for k, v := range tt.cfg.Headers {
				want[k] = string(v)
			}
			f, srv := newFake(t, &fakeProm{wantAuth: tt.wantAuth, wantHeaders: want})
			// A path prefix, as Mimir (/prometheus) and proxies use.
			c := client(t, srv.URL+"/prefix/", tt.cfg)
			res, err := c.QueryRange(context.Background(), `node_load1{job="node"}`, t0, t0.Add(time.Hour), 15*time.Second, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if m := res.Matrix; len(m) != 2 || len(m[0].Points) != 4 || res.Series != 2 || res.Thinned != 0 {
				t.Fatalf("result = %+v", res)
			}
			reqs := f.seen()
			if len(reqs) != 1 || reqs[0].method != http.MethodPost || reqs[0].path != "/prefix/api/v1/query_range" {
				t.Fatalf("requests = %+v", reqs)
			}
			form := reqs[0].form
			if form.Get("query") != `node_load1{job="node"}` || form.Get("start") != "1795320000" ||
				form.Get("end") != "1795323600" || form.Get("step") != "15" {
				t.Errorf("form = %v", form)
			}
		})
	}
}

// TestQueryRangeValues checks that labels, times and the special float
// values arrive as Prometheus sent them.
func TestQueryRangeValues(t *testing.T) {
	_, srv := newFake(t, &fakeProm{})
	res, err := client(t, srv.URL, config.PrometheusConfig{}).QueryRange(context.Background(), "node_load1", t0, t0.Add(time.Minute), time.Second/2, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Matrix
	if want := map[string]string{"__name__": "node_load1", "instance": "web-1", "job": "node"}; !reflect.DeepEqual(m[0].Labels, want) {
		t.Errorf("labels = %v", m[0].Labels)
	}
	p := m[0].Points
	if !p[0].T.Equal(t0) || p[0].V != 0.5 || !p[1].T.Equal(t0.Add(15500*time.Millisecond)) || !math.IsNaN(p[1].V) ||
		!math.IsInf(p[2].V, 1) || !math.IsInf(p[3].V, -1) || p[0].T.Location() != time.UTC {
		t.Errorf("points = %+v", p)
	}
	if m[1].Points[0].V != 1000 || m[1].Labels["instance"] != "web-2" {
		t.Errorf("second series = %+v", m[1])
	}
}

func TestQuery(t *testing.T) {
	_, srv := newFake(t, &fakeProm{})
	c := client(t, srv.URL, config.PrometheusConfig{})
	tests := []struct {
		query string
		want  Matrix
	}{
		// The histogram sample of the answer is left out.
		{"up", Matrix{{Labels: map[string]string{"instance": "a"}, Points: []Point{{t0.Add(250 * time.Millisecond), 3.5}}}}},
		{"scalar(up)", Matrix{{Labels: map[string]string{}, Points: []Point{{t0, 42}}}}},
		{"up[1m]", Matrix{{Labels: map[string]string{"instance": "a"}, Points: []Point{{t0, 1}, {t0.Add(15 * time.Second), 0}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			res, err := c.Query(context.Background(), tt.query, t0, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Matrix; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
	if _, err := c.Query(context.Background(), `"text"`, t0, Limits{}); err == nil {
		t.Error("a string result was accepted")
	}
}

func TestAlertingRules(t *testing.T) {
	f, srv := newFake(t, &fakeProm{wantAuth: "Bearer " + testToken})
	rules, err := client(t, srv.URL, config.PrometheusConfig{HTTP: bearer(testToken)}).AlertingRules(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []Rule{
		{Name: "HostMemoryLow", Query: "(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100) < 10",
			For: 5 * time.Minute, Labels: map[string]string{"severity": "critical"},
			Annotations: map[string]string{"summary": "Memory low on {{ $labels.instance }}"}, Group: "node"},
		{Name: "HostMemoryLow", Query: "(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100) < 2",
			For: 90500 * time.Millisecond, Labels: map[string]string{"severity": "warning", "env": "dev"},
			Annotations: map[string]string{}, Group: "node-dev"},
	}
	if !reflect.DeepEqual(rules, want) {
		t.Errorf("got  %+v\nwant %+v", rules, want)
	}
	reqs := f.seen()
	if len(reqs) != 1 || reqs[0].method != http.MethodGet || reqs[0].form.Get("type") != "alert" {
		t.Errorf("requests = %+v", reqs)
	}
}

// TestPostFallback checks that a server refusing POST gets a GET, and
// that parameters of the configured URL go with both.
func TestPostFallback(t *testing.T) {
	f, srv := newFake(t, &fakeProm{fail: "no_post"})
	c := client(t, srv.URL+"/?extra_label=env%3Dprod", config.PrometheusConfig{})
	if _, err := c.Query(context.Background(), "up", t0, Limits{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AlertingRules(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := f.seen()
	if len(reqs) != 3 || reqs[0].method != http.MethodPost || reqs[1].method != http.MethodGet || reqs[1].form.Get("query") != "up" {
		t.Fatalf("requests = %+v", reqs)
	}
	for _, r := range reqs {
		if r.form.Get("extra_label") != "env=prod" {
			t.Errorf("%s %s lost the URL's parameter: %v", r.method, r.path, r.form)
		}
	}
}

// TestCallerDeadline checks that the server is told how long Herald waits
// when the caller's budget is shorter than the client's timeout.
func TestCallerDeadline(t *testing.T) {
	f, srv := newFake(t, &fakeProm{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := client(t, srv.URL, config.PrometheusConfig{}).Query(ctx, "up", time.Time{}, Limits{}); err != nil {
		t.Fatal(err)
	}
	form := f.seen()[0].form
	if form.Has("time") {
		t.Errorf("zero time sent as %q", form.Get("time"))
	}
	if to := form.Get("timeout"); to > "2.000" || to < "1.000" {
		t.Errorf("timeout = %q, want the caller's ~2s", to)
	}
}

// TestErrorTypes checks the errors callers classify: Prometheus' own,
// proxies', and the budget running out.
func TestErrorTypes(t *testing.T) {
	tests := []struct {
		fail     string
		wantType string
		wantCode int
		wantText string
	}{
		{"bad_data", "bad_data", 400, `prometheus query_range: bad_data (HTTP 400): invalid parameter "query": 1:6: parse error: unexpected end of input`},
		{"500", "server_error", 500, "prometheus query_range: server_error (HTTP 500): <html> <body> <h1>500 Internal Server Error</h1> </body> </html>"},
		{"unavailable", "unavailable", 503, "prometheus query_range: unavailable (HTTP 503): Service Unavailable"},
		{"garbage", "bad_response", 200, `prometheus query_range: bad_response (HTTP 200): cannot decode data: strconv.ParseFloat: parsing "x": invalid syntax`},
	}
	for _, tt := range tests {
		t.Run(tt.fail, func(t *testing.T) {
			_, srv := newFake(t, &fakeProm{fail: tt.fail})
			_, err := client(t, srv.URL, config.PrometheusConfig{}).QueryRange(context.Background(), "up", t0, t0.Add(time.Hour), time.Minute, Limits{})
			var ae *APIError
			if !errors.As(err, &ae) || ae.Type != tt.wantType || ae.StatusCode != tt.wantCode {
				t.Fatalf("err = %v (%#v)", err, ae)
			}
			if err.Error() != tt.wantText {
				t.Errorf("text\n got: %s\nwant: %s", err, tt.wantText)
			}
		})
	}
}

// TestHang checks that a Prometheus that never answers costs the client's
// timeout and no more.
func TestHang(t *testing.T) {
	_, srv := newFake(t, &fakeProm{fail: "hang", wantAuth: "Bearer " + testToken})
	c := client(t, srv.URL, config.PrometheusConfig{HTTP: bearer(testToken), Timeout: config.Duration(200 * time.Millisecond)})
	start := time.Now()
	_, err := c.QueryRange(context.Background(), "up", t0, t0.Add(time.Hour), time.Minute, Limits{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s with a 200ms timeout", d)
	}
	// The caller's own, shorter deadline wins too.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	c = client(t, srv.URL, config.PrometheusConfig{HTTP: bearer(testToken), Timeout: config.Duration(time.Minute)})
	start = time.Now()
	if _, err := c.AlertingRules(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s with a 50ms deadline", d)
	}
}
