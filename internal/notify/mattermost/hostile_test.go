package mattermost

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakemarkdown"
)

// TestHostileValuesStayData runs the shared table of hostile values
// through every event kind with the default templates and a careless
// user template: what a Mattermost client shows (links, images, mentions,
// channel links, hashtags, emoji, formatting) must be what it shows of the
// same message about a harmless value, and the value must stay readable.
func TestHostileValuesStayData(t *testing.T) {
	t.Parallel()
	alerts.HostileCheck{
		Templates: []alerts.HostileTemplate{
			{Name: "default"},
			{Name: "careless", Careless: true, Message: "**{{ .CommonLabels.alertname }}** {{ .GroupLabels.alertname }}\n" +
				"{{ range .Alerts }}# {{ .Labels.instance }}\n> {{ .Annotations.description }} " +
				"[runbook]({{ .Annotations.runbook_url }}) `{{ .Labels.job }}`\n{{ end }}"},
		},
		Send: sendHostile,
	}.Run(t)
}

// sendHostile delivers m to a fresh fake and returns what a client shows.
func sendHostile(t *testing.T, m *notify.Message, message string) alerts.Rendering {
	t.Helper()
	fake := newFake(t, unlimited)
	n := newNotifier(t, hookConfig(fake, func(c *Config) { c.Message = message }), nil)
	if m.Kind != alert.KindReminder {
		m = withChart(m, "https://herald.example/images/chart.png")
	}
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), m); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	var r alerts.Rendering
	for _, p := range fake.Posts() {
		mk := p.Markup()
		r.Shape = append(r.Shape, mk.Shape()...)
		r.Text += mk.Plain + "\n"
		r.Targets = append(r.Targets, mk.Targets()...)
		if ms := mk.Mentions(); len(ms) > 0 {
			t.Errorf("mentions %q in\n%s", ms, mk.Plain)
		}
	}
	slices.Sort(r.Shape)
	return r
}

// mention is "@" followed by a name, which Mattermost's server reads as a
// mention in any text.
var mention = regexp.MustCompile(`@[\p{L}\p{N}]`)

// The fallback, plain text in notifications, carries no mention or link.
func TestHostileFallback(t *testing.T) {
	t.Parallel()
	alerts.ForEachHostile(t, func(t *testing.T, h alerts.Hostile, list bool) {
		fake := newFake(t, unlimited)
		n := newNotifier(t, hookConfig(fake, nil), nil)
		if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), alerts.HostileList(h, list)); err != nil {
			t.Fatal(err)
		}
		for _, p := range fake.Posts() {
			fb := p.Attachments[0].Fallback
			if es := fakemarkdown.Text(fb); hasLinkOrMention(es) || mention.MatchString(fb) {
				t.Errorf("fallback %q reads as %v", fb, es)
			}
			if _, at, ok := alerts.ControlChar(fb, ""); ok {
				t.Errorf("control character at %d of %q", at, fb)
			}
		}
	})
}

// hasLinkOrMention reports a link in es; fakemarkdown's <@id> mentions are
// other platforms', Mattermost's are found by mention.
func hasLinkOrMention(es []fakemarkdown.Element) bool {
	for _, e := range es {
		if e.Kind == "link" || e.Kind == "image" {
			return true
		}
	}
	return false
}
