package teams

import (
	"log/slog"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
	"github.com/heraldhq/herald/internal/testutil/alerts"
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
	return alerts.Templates(t, alerts.StartsAt.Add(12*time.Minute), nil, FS)
}

// newNotifier makes the notifier of channel "ops" with the default
// templates.
func newNotifier(t *testing.T, hook *Webhook, logger *slog.Logger) *Notifier {
	t.Helper()
	return New("ops", &Config{}, hook, mustTemplates(t), logger)
}

// message is an event for alerts with the given label sets, folded when
// there are several; a label "summary" becomes the summary annotation.
func message(kind alert.Kind, labels ...amtemplate.KV) *notify.Message {
	m := alerts.Event(kind, labels, alerts.MoveSummary())
	m.Folded = len(labels) > 1
	return m
}

// hostDown is a typical alert.
var hostDown = amtemplate.KV{"alertname": "HostDown", "instance": "node-2:9100", "job": "node",
	"severity": "critical", "summary": "node-2 is down"}

// titles returns the titles of actions.
func titles(as []faketeams.Action) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Title
	}
	return out
}
