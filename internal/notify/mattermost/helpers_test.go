package mattermost

import (
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakemattermost"
)

// The colours of the attachment's left border: Discord's embed colours.
const (
	colorCritical = "#E74C3C"
	colorWarning  = "#E67E22"
	colorResolved = "#2ECC71"
)

// fastRate is an allowance that does not slow a test down.
var fastRate = notify.Rate{Events: 1000, Per: time.Second, Burst: 1000}

// unlimited are fake limits that never refuse.
var unlimited = fakemattermost.Limits{Unlimited: true}

// newFake starts a fake server with channels town-square and ops.
func newFake(t *testing.T, limits fakemattermost.Limits) *fakemattermost.Server {
	return fakemattermost.New(t, fakemattermost.Config{Channels: []string{"town-square", "ops"}, Limits: limits})
}

// mustTemplates are Herald's templates with Mattermost's, their clock
// twelve minutes after the alerts started.
func mustTemplates(t testing.TB) *template.Templates {
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

// hookConfig is the config of a channel on fake's webhook, changed by edit.
func hookConfig(fake *fakemattermost.Server, edit func(*Config)) *Config {
	c := DefaultConfig()
	c.URL = config.Secret(fake.WebhookURL())
	if edit != nil {
		edit(&c)
	}
	return &c
}

// newNotifier posts to cfg's webhook with a fast allowance and a limiter
// of its own, logging to logger (nil discards).
func newNotifier(t *testing.T, cfg *Config, logger *slog.Logger, opts ...Option) *Notifier {
	t.Helper()
	n, err := New("ops", cfg, mustTemplates(t), logger, append([]Option{WithRate(fastRate)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// message is an event about alerts with the given label sets, folded when
// there are several; each alert's summary is its "summary" label and its
// runbook is named after it.
func message(kind alert.Kind, labels ...amtemplate.KV) *notify.Message {
	m := alerts.Event(kind, labels, alerts.CopySummary(), withRunbook,
		alerts.GeneratorURL("http://prometheus:9090/graph?g0.expr=up&g0.tab=1"))
	m.Folded = len(labels) > 1
	return m
}

func withRunbook(a *amtemplate.Alert) {
	a.Annotations["runbook_url"] = "https://runbooks.example/" + url.PathEscape(a.Labels["alertname"])
}

// hostDown are the labels of a typical alert.
var hostDown = amtemplate.KV{"alertname": "HostDown", "instance": "db-1:9100", "job": "node", "severity": "critical", "summary": "db-1 is down"}

// withChart gives m a chart hosted at u with its current value.
func withChart(m *notify.Message, u string) *notify.Message {
	v := 93.2
	m.Image = &notify.Image{PNG: []byte("png"), Width: 40, Height: 20, Alt: "HostDown db-1:9100", URL: u, Value: &v, ValueText: "93.2 %"}
	return m
}

// checkNoSecret fails when the webhook URL or its key appear in err or logs.
func checkNoSecret(t *testing.T, fake *fakemattermost.Server, err error, logs string) {
	t.Helper()
	for _, s := range []string{fake.WebhookURL(), fake.Key()} {
		if err != nil && strings.Contains(err.Error(), s) {
			t.Errorf("error leaks a secret: %v", err)
		}
		if strings.Contains(logs, s) {
			t.Errorf("log leaks a secret:\n%s", logs)
		}
	}
}
