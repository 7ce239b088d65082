package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/prometheus/alertmanager/pkg/labels"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/store"
)

type fakeStore struct {
	err     error
	ingests []*store.Ingest
}

func (f *fakeStore) Ingest(_ context.Context, in *store.Ingest) (store.IngestResult, error) {
	if f.err != nil {
		return store.IngestResult{}, f.err
	}
	f.ingests = append(f.ingests, in)
	return store.IngestResult{Deliveries: len(in.Targets), Channels: []string{in.Targets[0][0].Channel}}, nil
}

func (f *fakeStore) Ping(context.Context) error { return f.err }

func testConfig(t *testing.T) *config.Config {
	t.Helper()
	ms, err := labels.ParseMatchers(`severity="critical"`)
	if err != nil {
		t.Fatal(err)
	}
	return &config.Config{
		Webhook:        config.WebhookConfig{MaxBodySize: 4096},
		Channels:       []config.ChannelConfig{{Name: "ops"}, {Name: "dev"}},
		Routes:         []config.RouteConfig{{Matchers: []string{`severity="critical"`}, Parsed: ms, Channels: []string{"ops"}}},
		DefaultChannel: "dev",
	}
}

func newTest(t *testing.T, cfg *config.Config, st *fakeStore) (*Server, http.Handler) {
	reg := prometheus.NewRegistry()
	s := New(cfg, Options{Store: st, Gatherer: reg, Registerer: reg,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Reload: func() error { return errors.New("channels[0]: bad") }})
	return s, s.Handler()
}

func payload(t *testing.T) string {
	b, err := os.ReadFile("../alert/testdata/alertmanager-0.25-webhook-firing.json")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func do(h http.Handler, method, path, ctype, body string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestWebhookAnswers(t *testing.T) {
	good := payload(t)
	cases := []struct {
		name, path, ctype, body string
		code                    int
		reason                  string
	}{
		{"routed", "/api/v1/alerts", "application/json", good, 200, `"deliveries":1`},
		{"charset", "/api/v1/alerts", "application/json; charset=utf-8", good, 200, `"status":"success"`},
		{"channel", "/api/v1/alerts/dev", "application/json", good, 200, `"alerts":1`},
		{"unknown channel", "/api/v1/alerts/nope", "application/json", good, 404, `unknown channel \"nope\"`},
		{"form", "/api/v1/alerts", "application/x-www-form-urlencoded", good, 415, "Content-Type must be application/json"},
		{"no content type", "/api/v1/alerts", "", good, 415, "Content-Type must be application/json"},
		{"bad json", "/api/v1/alerts", "application/json", `{"version":`, 400, "invalid JSON"},
		{"empty", "/api/v1/alerts", "application/json", ``, 400, "empty body"},
		{"version", "/api/v1/alerts", "application/json", strings.Replace(good, `"version": "4"`, `"version": "3"`, 1), 400, `unsupported version \"3\"`},
		{"no alerts", "/api/v1/alerts", "application/json", `{"version":"4","status":"firing","alerts":[]}`, 400, `field \"alerts\" is missing or empty`},
		{"too large", "/api/v1/alerts", "application/json", good + strings.Repeat(" ", 5000), 413, "larger than webhook.max_body_size (4096 bytes)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := &fakeStore{}
			_, h := newTest(t, testConfig(t), st)
			w := do(h, "POST", c.path, c.ctype, c.body)
			if w.Code != c.code || !strings.Contains(w.Body.String(), c.reason) {
				t.Fatalf("got %d %s, want %d with %q", w.Code, w.Body, c.code, c.reason)
			}
			if (c.code == 200) != (len(st.ingests) == 1) {
				t.Fatalf("%d ingests for answer %d", len(st.ingests), c.code)
			}
		})
	}
}

func TestRoutingIntoIngest(t *testing.T) {
	st := &fakeStore{}
	_, h := newTest(t, testConfig(t), st)
	do(h, "POST", "/api/v1/alerts", "application/json", payload(t))
	if got := st.ingests[0].Targets[0][0].Channel; got != "ops" {
		t.Fatalf("critical alert routed to %q", got)
	}
	do(h, "POST", "/api/v1/alerts", "application/json", strings.Replace(payload(t), `"critical"`, `"warning"`, 1))
	if got := st.ingests[1].Targets[0][0].Channel; got != "dev" {
		t.Fatalf("unmatched alert routed to %q, want the default channel", got)
	}
}

func TestStoreFailureIs503(t *testing.T) {
	st := &fakeStore{err: errors.New("disk I/O error")}
	_, h := newTest(t, testConfig(t), st)
	w := do(h, "POST", "/api/v1/alerts", "application/json", payload(t))
	if w.Code != 503 || w.Header().Get("Retry-After") == "" || strings.Contains(w.Body.String(), "disk") {
		t.Fatalf("got %d %v %s", w.Code, w.Header(), w.Body)
	}
	if w := do(h, "GET", "/-/ready", "", ""); w.Code != 503 {
		t.Fatalf("ready with a broken store: %d", w.Code)
	}
}

func TestAuth(t *testing.T) {
	cfg := testConfig(t)
	cfg.Webhook.BearerToken = "tok"
	cfg.Webhook.BasicAuth = &config.BasicAuth{Username: "am", Password: "pw"}
	_, h := newTest(t, cfg, &fakeStore{})
	cases := []struct {
		hdr  []string
		code int
	}{
		{nil, 401},
		{[]string{"Authorization", "Bearer nope"}, 401},
		{[]string{"Authorization", "Bearer tok"}, 200},
		{[]string{"Authorization", "Basic YW06cHc="}, 200}, // am:pw
		{[]string{"Authorization", "Basic YW06eA=="}, 401}, // am:x
	}
	for _, c := range cases {
		w := do(h, "POST", "/api/v1/alerts", "application/json", payload(t), c.hdr...)
		if w.Code != c.code {
			t.Errorf("%v: %d, want %d", c.hdr, w.Code, c.code)
		}
		if w.Code == 401 && strings.Contains(w.Body.String(), "tok") {
			t.Error("secret in answer")
		}
	}
}

func TestHealthReloadMetrics(t *testing.T) {
	_, h := newTest(t, testConfig(t), &fakeStore{})
	if w := do(h, "GET", "/-/healthy", "", ""); w.Code != 200 {
		t.Fatal(w.Code)
	}
	if w := do(h, "GET", "/-/ready", "", ""); w.Code != 200 {
		t.Fatal(w.Code)
	}
	if w := do(h, "POST", "/-/reload", "", ""); w.Code != 400 || !strings.Contains(w.Body.String(), "running one is kept") {
		t.Fatal(w.Code, w.Body)
	}
	if w := do(h, "GET", "/api/v1/alerts", "", ""); w.Code != 405 {
		t.Fatal(w.Code)
	}
	do(h, "POST", "/api/v1/alerts", "application/json", payload(t))
	w := do(h, "GET", "/metrics", "", "")
	for _, want := range []string{"herald_notifications_received_total 1", `herald_notifications_rejected_total{reason="invalid"} 0`} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
