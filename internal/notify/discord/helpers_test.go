package discord

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"sync"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakediscord"
)

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

// mustTemplates are Herald's templates with Discord's on a fixed clock.
func mustTemplates(t *testing.T) *template.Templates {
	t.Helper()
	tmpl, err := templates()
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// templates are parsed once for the package: they are safe for concurrent
// use and no test changes them.
var templates = sync.OnceValues(func() (*template.Templates, error) {
	tmpl, err := template.New(nil, nil, FS)
	if err == nil {
		tmpl.SetClock(func() time.Time { return alerts.StartsAt.Add(12 * time.Minute) })
	}
	return tmpl, err
})

// newNotifier makes a notifier with Herald's real templates on a fixed clock.
func newNotifier(t *testing.T, hook *Webhook, cfg *Config, logger *slog.Logger) *Notifier {
	t.Helper()
	tmpl := mustTemplates(t)
	if logger != nil {
		// The test reads the log, template failures included.
		tmpl = alerts.Templates(t, alerts.StartsAt.Add(12*time.Minute), logger, FS)
	}
	if cfg == nil {
		cfg = &Config{}
	}
	n, err := New("ops", cfg, hook, tmpl, logger)
	if err != nil {
		t.Fatal(err)
	}
	return n
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
	return alerts.Alert(labels, alerts.Annotations(amtemplate.KV{"summary": "memory of " + instance + " is low"}),
		alerts.GeneratorURL("http://prometheus.example:9090/graph?g0.expr=up"),
		alerts.Fingerprint(fmt.Sprintf("%016x", len(name)+len(instance))))
}

// message builds a notify.Message of kind about as, folded when there are
// several, without common labels.
func message(kind alert.Kind, as ...amtemplate.Alert) *notify.Message {
	m := alerts.Message(kind, as...)
	m.Data.ExternalURL = "http://am.example:9093"
	m.Folded = len(as) > 1
	return m
}

// resolve turns alerts resolved ten minutes after they started.
func resolve(as ...amtemplate.Alert) []amtemplate.Alert {
	out := make([]amtemplate.Alert, len(as))
	for i, a := range as {
		a.Status, a.EndsAt = "resolved", alerts.StartsAt.Add(10*time.Minute)
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

// send delivers m and fails the test on error.
func send(t *testing.T, n *Notifier, m *notify.Message) []notify.Ref {
	t.Helper()
	refs, retry, err := n.Notify(alerts.Context(t, 5*time.Second), m)
	if err != nil {
		t.Fatalf("notify: %v (retry %v)", err, retry)
	}
	return refs
}
