package telegram

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

// careless prints values inside the template's own tags, unescaped by the
// author: the notifier must escape them anyway.
const careless = `<b>{{ .CommonLabels.alertname }}</b> {{ range .Alerts }}{{ .Labels.instance }} {{ .Annotations.summary }}{{ end }}`

// TestHostileValues sends every value of the shared hostile table through
// the notifier and Herald's templates (and a careless channel template)
// into the strict fake (alerts.HostileCheck): a value may add no entity,
// and must stay visible. Telegram parses the HTML strictly, so even the
// careless template may not lose an entity to a value. Control characters
// reach Telegram as they are (its escaping leaves them), which the check
// is told, so that it keeps failing on anything else.
func TestHostileValues(t *testing.T) {
	t.Parallel()
	alerts.HostileCheck{Templates: []alerts.HostileTemplate{{Name: "default"}, {Name: "careless", Message: careless}},
		Send: sendHostile, KeepsControls: true}.Run(t)
}

// sendHostile delivers m as one message to a fake bot and returns what a
// client shows of it.
// It is no t.Helper, so that a failure points at its check here rather
// than at the shared harness that called it.
func sendHostile(t *testing.T, m *notify.Message, message string) alerts.Rendering {
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
	got := msgs[0]
	// A zero-width space may sit inside a value's words, where Telegram
	// would otherwise find a mention or a URL.
	r := alerts.Rendering{Shape: entityShape(got), Text: strings.ReplaceAll(got.Plain, "\u200b", "")}
	for _, e := range got.Entities() {
		switch {
		case e.URL != "":
			r.Targets = append(r.Targets, e.URL)
		case e.Type == "url":
			// Telegram links the text itself.
			r.Targets = append(r.Targets, e.Text)
		}
	}
	return r
}

// entityShape is what a client shows of a message apart from its words:
// the type of every entity and where each link goes, sorted.
func entityShape(m faketelegram.Message) []string {
	var out []string
	for _, e := range m.Entities() {
		s := e.Type
		if e.URL != "" {
			if u, err := url.Parse(e.URL); err == nil {
				s += " " + u.Scheme + "://" + u.Host
			}
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}
