// Package alerts is the test support that Herald's notifier tests share:
// it builds the Alertmanager alerts and the notify.Messages they send,
// with fixed defaults so that rendered text is reproducible, and the
// templates, deadline and debug log that each of those tests wants.
//
// The defaults are what a test that does not care would pick; a test that
// does care says so with an Option, or sets the field on what it got back.
package alerts

import (
	"context"
	"io/fs"
	"log/slog"
	"maps"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
	"github.com/heraldhq/herald/internal/testutil"
)

// StartsAt is when the alerts built here started.
var StartsAt = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// Status is the Alertmanager status of the alerts of an event of kind:
// "resolved" for a resolution, "firing" otherwise (a reminder is about
// alerts still firing).
func Status(kind alert.Kind) string {
	if kind == alert.KindResolved {
		return "resolved"
	}
	return "firing"
}

// An Option changes an alert that Alert or Event builds.
type Option func(*amtemplate.Alert)

// Alert is a firing alert with labels (the map itself, not a copy) that
// started at StartsAt, with no annotations and a source link to
// Prometheus, changed by opts in order. Its fingerprint, unless an option
// sets one, is Herald's (alert.Fingerprint) of its final labels.
func Alert(labels amtemplate.KV, opts ...Option) amtemplate.Alert {
	a := amtemplate.Alert{Status: "firing", Labels: labels, Annotations: amtemplate.KV{}, StartsAt: StartsAt,
		GeneratorURL: "http://prometheus:9090/graph?g0.expr=up"}
	for _, o := range opts {
		o(&a)
	}
	if a.Fingerprint == "" {
		a.Fingerprint = alert.Fingerprint(a.Labels)
	}
	return a
}

// Annotations gives the alert annotations kv (the map itself).
func Annotations(kv amtemplate.KV) Option {
	return func(a *amtemplate.Alert) { a.Annotations = kv }
}

// GeneratorURL sets the alert's source link; "" leaves it without one.
func GeneratorURL(url string) Option {
	return func(a *amtemplate.Alert) { a.GeneratorURL = url }
}

// Fingerprint sets the alert's fingerprint.
func Fingerprint(fp string) Option {
	return func(a *amtemplate.Alert) { a.Fingerprint = fp }
}

// CopySummary gives the alert the summary annotation of its label
// "summary", which stays a label; without that label the annotation is
// "". The alert gets annotations of its own.
func CopySummary() Option {
	return func(a *amtemplate.Alert) { annotate(a, "summary", a.Labels["summary"]) }
}

// MoveSummary turns the alert's label "summary", when there is one, into
// its summary annotation: tests write an alert's summary among its labels
// for brevity. The alert gets annotations of its own.
func MoveSummary() Option {
	return func(a *amtemplate.Alert) {
		if s, ok := a.Labels["summary"]; ok {
			annotate(a, "summary", s)
			a.Labels = a.Labels.Remove([]string{"summary"})
		}
	}
}

// annotate sets an annotation in a copy of a's annotations.
func annotate(a *amtemplate.Alert, name, value string) {
	ann := maps.Clone(a.Annotations)
	if ann == nil {
		ann = amtemplate.KV{}
	}
	ann[name] = value
	a.Annotations = ann
}

// Message is the message of an event of kind about alerts to channel
// "ops", not folded: its data is for receiver "herald" with the status of
// kind, Alertmanager at http://alertmanager:9093 and empty group labels,
// common labels and common annotations.
func Message(kind alert.Kind, alerts ...amtemplate.Alert) *notify.Message {
	d := &amtemplate.Data{Receiver: "herald", Status: Status(kind), Alerts: alerts, ExternalURL: "http://alertmanager:9093",
		GroupLabels: amtemplate.KV{}, CommonLabels: amtemplate.KV{}, CommonAnnotations: amtemplate.KV{}}
	return &notify.Message{Channel: "ops", Kind: kind, Data: d}
}

// Event is the Message of an event of kind with one alert per label set,
// built by Alert with the status of kind, resolved five minutes after it
// started in a resolution, and then opts. As from Alertmanager, a single
// alert's labels are the common labels.
func Event(kind alert.Kind, labels []amtemplate.KV, opts ...Option) *notify.Message {
	ofKind := func(a *amtemplate.Alert) {
		a.Status = Status(kind)
		if kind == alert.KindResolved {
			a.EndsAt = a.StartsAt.Add(5 * time.Minute)
		}
	}
	var as []amtemplate.Alert
	for _, l := range labels {
		as = append(as, Alert(l, append([]Option{ofKind}, opts...)...))
	}
	m := Message(kind, as...)
	if len(as) == 1 {
		m.Data.CommonLabels = as[0].Labels
	}
	return m
}

// Templates are Herald's default templates and those of platforms (each
// platform package's FS) logging to logger (nil discards), their clock at
// clock ("firing for 12m" is then reproducible) or, when clock is zero,
// the real time.
func Templates(t testing.TB, clock time.Time, logger *slog.Logger, platforms ...fs.FS) *template.Templates {
	t.Helper()
	tmpl, err := template.New(nil, logger, platforms...)
	if err != nil {
		t.Fatal(err)
	}
	if !clock.IsZero() {
		tmpl.SetClock(func() time.Time { return clock })
	}
	return tmpl
}

// Context is a context with deadline d from now, as the dispatcher gives
// a notifier, cancelled when the test ends.
func Context(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// LogBuffer collects log lines of every level, debug included, for a test
// to search (for a secret that must not be there, a warning that must).
type LogBuffer struct{ testutil.Buffer }

// Logger is a text logger of every level writing into b.
func (b *LogBuffer) Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
