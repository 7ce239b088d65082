package dingtalk

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakedingtalk"
)

// now is the clock of the templates and of the fake's signature check.
var now = time.Date(2025, 3, 1, 12, 30, 0, 0, time.UTC)

// newFake starts a fake DingTalk with the default signed robot and
// DingTalk's real limits, its signature clock at now.
func newFake(t *testing.T, cfg fakedingtalk.Config) *fakedingtalk.Server {
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return now }
	}
	return fakedingtalk.New(t, cfg)
}

// channelConfig is a channel posting to the fake's default robot.
func channelConfig(fake *fakedingtalk.Server) *Config {
	return &Config{URL: config.Secret(fake.WebhookURL()), Secret: fakedingtalk.DefaultSecret}
}

// newNotifier makes a notifier with Herald's real templates, signing with
// the clock at now.
func newNotifier(t *testing.T, cfg *Config, logger *slog.Logger, opts ...Option) *Notifier {
	t.Helper()
	n, err := New("ops", cfg, mustTemplates(t), logger, append([]Option{WithClock(func() time.Time { return now })}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// fixed makes n send title and text whatever the message, for tests about
// delivery rather than rendering.
func fixed(n *Notifier, title, text string) *Notifier {
	n.render = func(*notify.Message) (string, string) { return title, text }
	return n
}

// mustTemplates are Herald's templates with their clock at now.
func mustTemplates(t *testing.T) *template.Templates {
	t.Helper()
	return alerts.Templates(t, now, nil, FS)
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
