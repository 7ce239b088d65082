package telegram

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

// hostileMessage is a firing event (or a folded list of two) whose every
// label and annotation holds h's value.
func hostileMessage(h alerts.Hostile, folded bool) *notify.Message {
	a := alerts.HostileAlert(h, alerts.Annotations(amtemplate.KV{"summary": h.Value, "description": h.Value,
		"runbook_url": "https://wiki.example/runbooks/" + url.PathEscape(h.Value)}))
	if folded {
		m := alerts.Message(alert.KindFiring, a, alerts.HostileAlert(h))
		m.Folded = true
		return m
	}
	m := alerts.Message(alert.KindFiring, a)
	m.Data.CommonLabels, m.Data.CommonAnnotations = a.Labels, a.Annotations
	return m
}

// entityShape is what a client shows of a message apart from its words:
// the type of every entity and where each link goes, sorted.
func entityShape(m faketelegram.Message) []string {
	var out []string
	for _, e := range m.Entities() {
		s := e.Type
		if e.URL != "" {
			u, err := url.Parse(e.URL)
			if err == nil {
				s += " " + u.Scheme + "://" + u.Host
			}
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// TestHostileValues sends every value of the shared hostile table through
// the notifier and Herald's templates (and a careless channel template)
// into the strict fake: a value may add no link, mention or formatting,
// and must stay visible.
func TestHostileValues(t *testing.T) {
	t.Parallel()
	const careless = `<b>{{ .CommonLabels.alertname }}</b> {{ range .Alerts }}{{ .Labels.instance }} {{ .Annotations.summary }}{{ end }}`
	send := func(t *testing.T, m *notify.Message, message string) faketelegram.Message {
		t.Helper()
		fake := newFake(t, faketelegram.Limits{Unlimited: true})
		cfg := channelConfig(userChat)
		cfg.Message = message
		n := newNotifier(t, mustBot(t, botConfig(fake), nil), cfg, nil)
		if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), m); err != nil {
			t.Fatal(err)
		}
		msgs := fake.Messages()
		if len(msgs) != 1 {
			t.Fatalf("%d messages", len(msgs))
		}
		return msgs[0]
	}
	plain := alerts.Hostile{Name: "plain", Value: "plain"}
	for _, tmpl := range []struct{ name, message string }{{"default", ""}, {"careless", careless}} {
		for _, folded := range []bool{false, true} {
			want := entityShape(send(t, hostileMessage(plain, folded), tmpl.message))
			for _, h := range alerts.HostileValues {
				t.Run(tmpl.name+"/"+h.Name, func(t *testing.T) {
					t.Parallel()
					got := send(t, hostileMessage(h, folded), tmpl.message)
					if shape := entityShape(got); !slices.Equal(shape, want) {
						t.Errorf("folded=%v: entities %v, want %v (as with a harmless value)\ntext: %s", folded, shape, want, got.Text)
					}
					for _, e := range got.Entities() {
						host := e.Text
						if u, err := url.Parse(e.URL); err == nil && e.URL != "" {
							host = u.Host
						}
						if strings.Contains(host, "evil.example") {
							t.Errorf("a %s entity to %q", e.Type, e.URL+e.Text)
						}
					}
					// The words stay readable (a zero-width space may sit
					// inside them).
					visible := strings.ReplaceAll(got.Plain, "\u200b", "")
					for _, w := range strings.FieldsFunc(h.Value, func(r rune) bool { return !(r >= 'a' && r <= 'z') }) {
						if len(w) > 3 && !strings.Contains(visible, w) {
							t.Errorf("word %q of the value is not shown: %s", w, got.Plain)
						}
					}
				})
			}
		}
	}
}
