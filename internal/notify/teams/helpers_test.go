package teams

import (
	"context"
	"log/slog"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
	"github.com/heraldhq/herald/internal/testutil"
	"github.com/heraldhq/herald/internal/testutil/faketeams"
)

// newFake starts a fake webhook without rate limits.
func newFake(t *testing.T) *faketeams.Server {
	return faketeams.New(t, faketeams.Config{Limits: faketeams.Limits{Unlimited: true}})
}

// noLimits is a Webhook option without rate limits, for tests about
// cards rather than pacing.
var noLimits = Options{Rates: []notify.Rate{}}

func mustHook(t *testing.T, url string, opts Options) *Webhook {
	t.Helper()
	w, err := NewWebhook(url, opts)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// mustTemplates parses Herald's templates with a fixed clock, so that
// "firing for 12m" is reproducible.
func mustTemplates(t *testing.T) *template.Templates {
	t.Helper()
	tmpl, err := template.New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SetClock(func() time.Time { return startsAt.Add(12 * time.Minute) })
	return tmpl
}

// newNotifier makes the notifier of channel "ops" with the default
// templates.
func newNotifier(t *testing.T, hook *Webhook, logger *slog.Logger) *Notifier {
	t.Helper()
	return New("ops", &config.TeamsConfig{}, hook, mustTemplates(t), logger)
}

var startsAt = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// message is an event for alerts with the given label sets; a label
// "summary" becomes the summary annotation.
func message(kind alert.Kind, labels ...amtemplate.KV) *notify.Message {
	d := &amtemplate.Data{Receiver: "herald", Status: "firing", ExternalURL: "http://alertmanager:9093",
		GroupLabels: amtemplate.KV{}, CommonLabels: amtemplate.KV{}, CommonAnnotations: amtemplate.KV{}}
	if kind == alert.KindResolved {
		d.Status = "resolved"
	}
	for _, l := range labels {
		ann := amtemplate.KV{}
		if s, ok := l["summary"]; ok {
			ann["summary"] = s
			l = l.Remove([]string{"summary"})
		}
		a := amtemplate.Alert{Status: d.Status, Labels: l, Annotations: ann, StartsAt: startsAt,
			Fingerprint: alert.Fingerprint(l), GeneratorURL: "http://prometheus:9090/graph?g0.expr=up"}
		if kind == alert.KindResolved {
			a.EndsAt = startsAt.Add(5 * time.Minute)
		}
		d.Alerts = append(d.Alerts, a)
	}
	if len(labels) == 1 {
		d.CommonLabels = d.Alerts[0].Labels
	}
	return &notify.Message{Channel: "ops", Kind: kind, Data: d, Folded: len(labels) > 1}
}

// hostDown is a typical alert.
var hostDown = amtemplate.KV{"alertname": "HostDown", "instance": "node-2:9100", "job": "node",
	"severity": "critical", "summary": "node-2 is down"}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// logBuffer collects log lines of every level, to search them.
type logBuffer struct{ testutil.Buffer }

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// titles returns the titles of actions.
func titles(as []faketeams.Action) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Title
	}
	return out
}
