package feishu

import (
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakefeishu"
)

// now is the clock of the templates, the signatures and the fake.
var now = time.Date(2025, 3, 1, 12, 30, 0, 0, time.UTC)

// clock is a settable clock shared by a fake and a notifier.
type clock struct{ t atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.t.Store(t.UnixNano())
	return c
}

func (c *clock) Now() time.Time      { return time.Unix(0, c.t.Load()).UTC() }
func (c *clock) Add(d time.Duration) { c.t.Add(int64(d)) }
func fixedClock() func() time.Time   { return func() time.Time { return now } }

// mustTemplates are Herald's templates with their clock at now.
func mustTemplates(t *testing.T) *template.Templates {
	t.Helper()
	return alerts.Templates(t, now, nil, Templates)
}

// newFake starts a fake Feishu with the default signed bot and app and
// Feishu's real limits, its clock at now.
func newFake(t *testing.T, cfg fakefeishu.Config) *fakefeishu.Server {
	if cfg.Now == nil {
		cfg.Now = fixedClock()
	}
	return fakefeishu.New(t, cfg)
}

// channelConfig is a channel posting to the fake's default bot, signed,
// without app credentials.
func channelConfig(fake *fakefeishu.Server) *Config {
	return &Config{URL: config.Secret(fake.WebhookURL()), Secret: fakefeishu.DefaultSecret, Domain: fake.URL()}
}

// withApp adds the fake's default app to cfg.
func withApp(cfg *Config) *Config {
	cfg.AppID, cfg.AppSecret = fakefeishu.DefaultAppID, fakefeishu.DefaultAppSecret
	return cfg
}

// newNotifier makes a notifier with Herald's templates, its clock at now
// unless opts set another, and state shared with nobody.
func newNotifier(t *testing.T, cfg *Config, logger *slog.Logger, opts ...Option) *Notifier {
	t.Helper()
	n, err := New("ops", cfg, mustTemplates(t), logger, append([]Option{WithClock(fixedClock())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// fixed makes n send title and body whatever the message.
func fixed(n *Notifier, title, body string) *Notifier {
	n.render = func(*notify.Message) rendered { return rendered{title: title, body: body} }
	return n
}

// message is an event for alerts with the given label sets; each alert's
// summary is its "summary" label.
func message(kind alert.Kind, labels ...amtemplate.KV) *notify.Message {
	return alerts.Event(kind, labels, alerts.CopySummary())
}

// storm is a folded firing message of n alerts with distinct instances.
func storm(n int) *notify.Message {
	var ls []amtemplate.KV
	for i := range n {
		ls = append(ls, amtemplate.KV{"alertname": "DiskFull", "severity": "warning",
			"instance": fmt.Sprintf("node-%04d:9100", i), "summary": "disk almost full on a very busy node"})
	}
	m := message(alert.KindFiring, ls...)
	m.Folded = true
	return m
}

func cpu() amtemplate.KV {
	return amtemplate.KV{"alertname": "HighCPU", "severity": "critical", "instance": "web-1:9100", "job": "node",
		"summary": "CPU at 97%"}
}

// png is a tiny valid-looking PNG for uploads.
var png = append([]byte("\x89PNG\r\n\x1a\n"), "chart pixels"...)

// secrets are the values no error, log line or String may show.
var secrets = []string{fakefeishu.DefaultToken, fakefeishu.DefaultSecret, fakefeishu.DefaultAppSecret}
