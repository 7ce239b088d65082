package discord

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
	"github.com/heraldhq/herald/internal/testutil"
	"github.com/heraldhq/herald/internal/testutil/fakediscord"
)

var startsAt = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// fastRates are allowances loose enough not to slow a test.
var fastRates = []notify.Rate{{Events: 1000, Per: time.Second, Window: true}}

// newFake starts a fake Discord with one webhook (and a thread).
func newFake(t *testing.T, limits fakediscord.Limits) *fakediscord.Server {
	return fakediscord.New(t, fakediscord.Config{Limits: limits, Webhooks: []fakediscord.Webhook{
		{ID: fakediscord.DefaultID, Token: fakediscord.DefaultToken, Threads: []string{"555"}},
	}})
}

// testWebhook is the fake's webhook with its own limiter of rates.
func testWebhook(t *testing.T, url string, rates []notify.Rate) *Webhook {
	t.Helper()
	w, err := newWebhook(url, rates)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// newNotifier makes a notifier with Herald's real templates on a fixed clock.
func newNotifier(t *testing.T, hook *Webhook, cfg *config.DiscordConfig, logger *slog.Logger) *Notifier {
	t.Helper()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	tmpl, err := template.New(nil, logger)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SetClock(func() time.Time { return startsAt.Add(12 * time.Minute) })
	if cfg == nil {
		cfg = &config.DiscordConfig{}
	}
	n, err := New("ops", cfg, hook, tmpl, logger)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// logBuffer is a debug logger writing into a buffer.
func logBuffer() (*slog.Logger, *testutil.Buffer) {
	b := &testutil.Buffer{}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

// mkAlert is a firing alert with the labels given as name, value pairs.
func mkAlert(name, severity, instance string, kv ...string) amtemplate.Alert {
	labels := amtemplate.KV{"alertname": name, "instance": instance, "job": "node"}
	if severity != "" {
		labels["severity"] = severity
	}
	for i := 0; i+1 < len(kv); i += 2 {
		labels[kv[i]] = kv[i+1]
	}
	return amtemplate.Alert{
		Status: "firing", Labels: labels, StartsAt: startsAt,
		Annotations:  amtemplate.KV{"summary": "memory of " + instance + " is low"},
		GeneratorURL: "http://prometheus.example:9090/graph?g0.expr=up",
		Fingerprint:  fmt.Sprintf("%016x", len(name)+len(instance)),
	}
}

// message builds a notify.Message of kind about alerts.
func message(kind alert.Kind, alerts ...amtemplate.Alert) *notify.Message {
	d := &amtemplate.Data{Receiver: "herald", Status: string(kind), Alerts: alerts, ExternalURL: "http://am.example:9093",
		GroupLabels: amtemplate.KV{}, CommonLabels: amtemplate.KV{}, CommonAnnotations: amtemplate.KV{}}
	if kind == alert.KindReminder {
		d.Status = "firing"
	}
	return &notify.Message{Channel: "ops", Kind: kind, Data: d, Folded: len(alerts) > 1}
}

// resolve turns alerts resolved ten minutes after they started.
func resolve(alerts ...amtemplate.Alert) []amtemplate.Alert {
	out := make([]amtemplate.Alert, len(alerts))
	for i, a := range alerts {
		a.Status, a.EndsAt = "resolved", startsAt.Add(10*time.Minute)
		out[i] = a
	}
	return out
}

// testPNG is a w×h PNG of one colour.
func testPNG(t testing.TB, w, h int, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// ctxTimeout is a context with a deadline, as the dispatcher gives.
func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// send delivers m and fails the test on error.
func send(t *testing.T, n *Notifier, m *notify.Message) []notify.Ref {
	t.Helper()
	refs, retry, err := n.Notify(ctxTimeout(t, 5*time.Second), m)
	if err != nil {
		t.Fatalf("notify: %v (retry %v)", err, retry)
	}
	return refs
}
