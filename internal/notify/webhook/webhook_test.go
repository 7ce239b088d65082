package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil"
	"github.com/heraldhq/herald/internal/testutil/alerts"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var signedAt = time.Date(2025, 3, 1, 12, 0, 5, 0, time.UTC)

// received is one request the receiver got.
type received struct {
	header http.Header
	body   []byte
	path   string
}

// receiver is an httptest server that records requests and answers with
// status (200 when 0) and body.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	status int
	body   string
	header http.Header
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{header: req.Header.Clone(), body: b, path: req.URL.RequestURI()})
		status, body := r.status, r.body
		for k, v := range r.header {
			w.Header()[k] = v
		}
		r.mu.Unlock()
		if status == 0 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// mkAlert is a critical firing alert named name on instance.
func mkAlert(name, instance string) amtemplate.Alert {
	return alerts.Alert(amtemplate.KV{"alertname": name, "instance": instance, "severity": "critical"},
		alerts.Annotations(amtemplate.KV{"summary": name + " on " + instance}),
		alerts.GeneratorURL("http://prometheus.example:9090/graph?g0.expr=up"), alerts.Fingerprint("fp-"+instance))
}

// message is the event of kind about as to channel "hooks", grouped by the
// first alert's name, folded when there are several.
func message(kind alert.Kind, as ...amtemplate.Alert) *notify.Message {
	m := alerts.Message(kind, as...)
	m.Channel, m.Folded = "hooks", len(as) > 1
	m.Data.ExternalURL = "http://am.example:9093"
	m.Data.GroupLabels = amtemplate.KV{"alertname": as[0].Labels["alertname"]}
	m.Data.CommonLabels = amtemplate.KV{"severity": "critical"}
	return m
}

func newNotifier(t *testing.T, cfg Config, logger *slog.Logger) *Notifier {
	t.Helper()
	if cfg.SignatureHeader == "" {
		cfg.SignatureHeader = DefaultSignatureHeader
	}
	// A transport of its own: httptest.Server.Close closes the idle
	// connections of http.DefaultTransport, which breaks a parallel test
	// that is about to reuse one.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	n, err := New("hooks", &cfg, logger, WithClock(func() time.Time { return signedAt }), WithTransport(tr))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func notifyCtx(t *testing.T, n *Notifier, m *notify.Message, timeout time.Duration) ([]notify.Ref, bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return n.Notify(ctx, m)
}

// The body of a firing event with a chart is exactly the golden file,
// which documents schema version 1.
func TestEventSchema(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	n := newNotifier(t, Config{URL: config.Secret(rcv.URL)}, nil)
	m := message(alert.KindFiring, mkAlert("HostMemoryLow", "node-2:9100"))
	threshold := 10.0
	m.Image = &notify.Image{PNG: []byte("png"), Width: 800, Height: 400, Alt: "HostMemoryLow node-2:9100",
		URL:       "https://herald.example/images/abc.png?exp=1&sig=x",
		Query:     `node_memory_MemAvailable_bytes{instance="node-2:9100"} / node_memory_MemTotal_bytes{instance="node-2:9100"} * 100`,
		Threshold: &threshold, Op: "<"}
	refs, _, err := notifyCtx(t, n, m, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	got := rcv.requests()[0].body
	golden(t, "testdata/event-firing.json", got)
	var ev Event
	if err := json.Unmarshal(got, &ev); err != nil || ev.Version != "1" || ev.Chart == nil || ev.Alerts[0].StartsAt != alerts.StartsAt {
		t.Fatalf("%v %+v", err, ev)
	}
	if refs[0].MessageID != "fp-node-2:9100:2025-03-01T12:00:00Z:firing" || refs[0].Part != 0 {
		t.Errorf("ref %+v", refs[0])
	}
}

// golden compares got with a file, rewriting it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	// Indent keeps the body's field order, which is part of what is checked.
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, got, "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	if *update {
		if err := os.WriteFile(path, []byte(pretty.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if pretty.String() != string(want) {
		t.Errorf("body differs from %s (go test -update to accept):\n%s", path, pretty.String())
	}
}

func TestFoldedAndResolvedEvents(t *testing.T) {
	t.Parallel()
	a, b, c := mkAlert("A", "x:1"), mkAlert("B", "y:1"), mkAlert("C", "z:1")
	ev1 := buildEvent(message(alert.KindFiring, a, b, c))
	ev2 := buildEvent(message(alert.KindFiring, c, a, b))
	if !ev1.Folded || len(ev1.Alerts) != 3 || ev1.Chart != nil {
		t.Fatalf("%+v", ev1)
	}
	k1, k2 := IdempotencyKey(ev1), IdempotencyKey(ev2)
	if k1 != k2 || !strings.HasPrefix(k1, "firing:folded:") || len(k1) != len("firing:folded:")+32 {
		t.Errorf("folded keys %q %q must not depend on order", k1, k2)
	}
	if k3 := IdempotencyKey(buildEvent(message(alert.KindResolved, a, b, c))); k3 == k1 {
		t.Error("a resolved event has the key of the firing one")
	}
	single := buildEvent(message(alert.KindResolved, a))
	if single.Status != "resolved" || single.Kind != "resolved" || IdempotencyKey(single) != "fp-x:1:2025-03-01T12:00:00Z:resolved" {
		t.Errorf("%+v %s", single, IdempotencyKey(single))
	}
	if k := IdempotencyKey(buildEvent(message(alert.KindReminder, a))); k != "" {
		t.Errorf("a reminder has key %q", k)
	}
	empty := buildEvent(&notify.Message{Kind: alert.KindFiring})
	if b, _ := json.Marshal(empty); !strings.Contains(string(b), `"alerts":[]`) || !strings.Contains(string(b), `"groupLabels":{}`) || !strings.Contains(string(b), `"chart":null`) {
		t.Errorf("empty event: %s", b)
	}
}

func TestChartWithoutURLIsLeftOutAndLoggedOnce(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	logs := &testutil.Buffer{}
	n := newNotifier(t, Config{URL: config.Secret(rcv.URL)}, slog.New(slog.NewTextHandler(logs, nil)))
	for range 3 {
		m := message(alert.KindFiring, mkAlert("A", "x:1"))
		m.Image = &notify.Image{PNG: []byte("png"), Width: 1, Height: 1}
		if _, _, err := notifyCtx(t, n, m, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range rcv.requests() {
		if !strings.Contains(string(r.body), `"chart":null`) {
			t.Errorf("body %s", r.body)
		}
	}
	if c := strings.Count(logs.String(), "external_url"); c != 1 {
		t.Errorf("logged %d times:\n%s", c, logs)
	}
}

func TestHeaders(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	n := newNotifier(t, Config{URL: config.Secret(rcv.URL + "/hook?x=1"),
		Headers: map[string]config.Secret{"Authorization": "Bearer s3cr3t-t0ken", "X-Team": "ops", "Content-Type": "text/plain"}}, nil)
	if _, _, err := notifyCtx(t, n, message(alert.KindFiring, mkAlert("A", "x:1")), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, _, err := notifyCtx(t, n, message(alert.KindReminder, mkAlert("A", "x:1")), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	reqs := rcv.requests()
	h := reqs[0].header
	if reqs[0].path != "/hook?x=1" || h.Get("Authorization") != "Bearer s3cr3t-t0ken" || h.Get("X-Team") != "ops" ||
		h.Get("Content-Type") != "application/json" || h.Get("User-Agent") != "Herald-Webhook/1" ||
		h.Get("Idempotency-Key") != "fp-x:1:2025-03-01T12:00:00Z:firing" {
		t.Errorf("%s %v", reqs[0].path, h)
	}
	if h.Get(DefaultSignatureHeader) != "" || h.Get(TimestampHeader) != "" {
		t.Error("signed without hmac_secret")
	}
	if k, ok := reqs[1].header["Idempotency-Key"]; ok {
		t.Errorf("a reminder carries Idempotency-Key %v", k)
	}
}

func TestInvalidHeadersAreRefused(t *testing.T) {
	t.Parallel()
	for _, h := range []map[string]config.Secret{{"Bad Name": "x"}, {"X-Ok": "line\nbreak-secret-value"}} {
		_, err := New("hooks", &Config{URL: "http://x.example", Headers: h, SignatureHeader: "X-Sig"}, nil)
		if err == nil || strings.Contains(err.Error(), "secret-value") {
			t.Errorf("%v: %v", h, err)
		}
	}
	if _, err := New("hooks", &Config{URL: "http://x.example", HMACSecret: "k", SignatureHeader: "Bad Sig"}, nil); err == nil {
		t.Error("a signature header with a space was accepted")
	}
	if _, err := New("hooks", &Config{URL: "ftp://x.example/secret-path-token"}, nil); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("%v", err)
	}
}

func TestSentPartIsNotSentAgain(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	n := newNotifier(t, Config{URL: config.Secret(rcv.URL)}, nil)
	m := message(alert.KindFiring, mkAlert("A", "x:1"))
	m.SentParts = 1
	if refs, retry, err := notifyCtx(t, n, m, time.Second); refs != nil || retry || err != nil || len(rcv.requests()) != 0 {
		t.Fatalf("%v %v %v", refs, retry, err)
	}
}
