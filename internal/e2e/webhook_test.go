package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/notify/webhook"
	"github.com/heraldhq/herald/internal/testutil/realproc"
)

// hookRequest is one request the test receiver got.
type hookRequest struct {
	header http.Header
	body   []byte
	uri    string
}

// hookReceiver records what Herald posts and answers 202.
type hookReceiver struct {
	*httptest.Server
	mu   sync.Mutex
	got  []hookRequest
	more chan struct{}
}

func newHookReceiver(t *testing.T) *hookReceiver {
	r := &hookReceiver{more: make(chan struct{}, 100)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, hookRequest{header: req.Header.Clone(), body: b, uri: req.URL.RequestURI()})
		r.mu.Unlock()
		r.more <- struct{}{}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(r.Close)
	return r
}

// wait returns the requests once there are n, or fails the test.
func (r *hookReceiver) wait(t *testing.T, n int) []hookRequest {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		r.mu.Lock()
		got := append([]hookRequest(nil), r.got...)
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-r.more:
		case <-deadline:
			t.Fatalf("%d webhook requests, want %d", len(got), n)
		}
	}
}

const (
	hookSecret = "e2e-hmac-secret-never-logged"
	hookToken  = "e2e-bearer-token-never-logged"
)

// webhookConfig writes a herald.yml with one webhook channel. Herald listens
// on a port chosen here so that external_url can name it: the event's
// chart link then points at Herald itself.
func webhookConfig(t *testing.T, rcv *hookReceiver, promURL string) (path, addr string) {
	t.Helper()
	addr = realproc.FreePort(t)
	return writeConfig(t, t.TempDir(), addr, "10s", fmt.Sprintf(`external_url: http://%s
prometheus:
  url: %s
graph:
  timeout: 5s
channels:
  - name: hooks
    webhook:
      url: %s/alerts?team=ops
      hmac_secret: %s
      headers:
        Authorization: Bearer %s
default_channel: hooks
`, addr, promURL, rcv.URL, hookSecret, hookToken)), addr
}

// checkHook verifies one request: signature, headers and schema.
func checkHook(t *testing.T, r hookRequest, kind string) webhook.Event {
	t.Helper()
	err := webhook.Verify([]byte(hookSecret), r.header.Get("X-Herald-Signature"), r.header.Get("X-Herald-Timestamp"),
		r.body, time.Now(), time.Minute)
	if err != nil {
		t.Fatalf("%s: %v", kind, err)
	}
	if r.uri != "/alerts?team=ops" || r.header.Get("Authorization") != "Bearer "+hookToken || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("%s: %s %v", kind, r.uri, r.header)
	}
	if want := "b452131657f3bca1:2026-11-21T04:09:41.067Z:" + kind; r.header.Get("Idempotency-Key") != want {
		t.Errorf("Idempotency-Key %q, want %q", r.header.Get("Idempotency-Key"), want)
	}
	var ev webhook.Event
	if err := json.Unmarshal(r.body, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Version != "1" || ev.Kind != kind || ev.Status != kind || ev.Channel != "hooks" || ev.Folded || len(ev.Alerts) != 1 {
		t.Fatalf("%s event: %s", kind, r.body)
	}
	a := ev.Alerts[0]
	if a.Labels["alertname"] != "HostMemoryLow" || a.Fingerprint != "b452131657f3bca1" || a.Status != kind ||
		!strings.HasPrefix(a.GeneratorURL, "http://prometheus.example:9090/graph") || ev.ExternalURL != "http://alertmanager.example:9093" {
		t.Errorf("%s alert: %+v", kind, a)
	}
	return ev
}

// The real Alertmanager payload reaches the receiver as Herald's signed
// event JSON, with a chart link that Herald serves, firing and resolved,
// each once although Alertmanager sent them several times.
func TestWebhookFiringAndResolved(t *testing.T) {
	rcv := newHookReceiver(t)
	cfg, addr := webhookConfig(t, rcv, fakePrometheus(t))
	h := startHerald(t, cfg)
	if h.URL != "http://"+addr {
		t.Fatalf("herald listens on %s, want %s", h.URL, addr)
	}
	h.postAlerts(t, "firing", 3, realPayload(t))
	got := rcv.wait(t, 1)
	ev := checkHook(t, got[0], "firing")
	if ev.Chart == nil || !strings.HasPrefix(ev.Chart.URL, "http://"+addr+"/images/") {
		t.Fatalf("chart %+v", ev.Chart)
	}
	fetchPNG(t, ev.Chart.URL)

	h.postAlerts(t, "resolved", 2, resolvedPayload(t))
	rcv.wait(t, 2)
	settle()
	got = rcv.wait(t, 2)
	if len(got) != 2 {
		t.Fatalf("%d requests, want firing and resolved once each", len(got))
	}
	ev = checkHook(t, got[1], "resolved")
	if !ev.Alerts[0].EndsAt.Equal(time.Date(2026, 11, 21, 4, 19, 41, 67e6, time.UTC)) {
		t.Errorf("endsAt %v", ev.Alerts[0].EndsAt)
	}
	for _, s := range []string{hookSecret, hookToken} {
		if strings.Contains(h.Log.String(), s) {
			t.Errorf("%q appears in the log", s)
		}
	}
}
