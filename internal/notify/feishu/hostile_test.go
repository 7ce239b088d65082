package feishu

import (
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakefeishu"
	"github.com/heraldhq/herald/internal/testutil/fakemarkdown"
)

// openID is the channel's configured mention: the only one a card may
// carry.
const openID = "ou_7d8a6e6df7621556ce0d21922b676706"

// userTemplate prints values where a careless template author would: at
// the start of lines, inside bold and as a link text, unfolded.
const userTemplate = `{{ range .Alerts }}{{ .Labels.alertname }}
**{{ .Annotations.summary }}** {{ .Labels.instance | truncate 7 }}{{ .Labels.job | truncate 3 }}**
{{ .Annotations.description }}
[{{ .Labels.job }}]({{ .GeneratorURL }})
{{ end }}{{ .CommonLabels.alertname }} {{ .GroupLabels.alertname }}`

// No hostile value becomes a link, an image, a mention, an emoji,
// formatting or a control character in a Feishu card, with the default
// templates or a channel's own (alerts.HostileCheck). What only Feishu
// has is checked here: the card calls the configured open_id, and nobody
// in a resolution; buttons go where the real alert's URLs go.
func TestHostileValuesStayText(t *testing.T) {
	t.Parallel()
	alerts.HostileCheck{Templates: []alerts.HostileTemplate{{Name: "default"},
		{Name: "channel template", Message: userTemplate, Careless: true}}, Send: sendHostile}.Run(t)
}

// sendHostile delivers m through a notifier with Herald's templates (or
// the channel template message) to a fake bot and returns what Feishu
// shows of it.
func sendHostile(t *testing.T, m *notify.Message, message string) alerts.Rendering {
	fake := newFake(t, fakefeishu.Config{Unlimited: true})
	cfg := channelConfig(fake)
	cfg.Mention = &Mention{UserIDs: []string{openID}}
	cfg.Message = message
	if _, _, err := newNotifier(t, cfg, nil).Notify(alerts.Context(t, 5*time.Second), m); err != nil {
		t.Fatal(err)
	}
	if w := fake.Warnings(); len(w) != 0 {
		t.Errorf("fake warnings: %v", w)
	}
	var r alerts.Rendering
	var shown []fakefeishu.Markup
	for _, msg := range fake.Messages() {
		r.Text += msg.AllText() + "\n"
		shown = append(shown, msg.Markup()...)
	}
	r.Shape, r.Targets = fakemarkdown.Shape(shown), fakemarkdown.Targets(shown)
	if called := slices.Contains(r.Shape, "mention "+openID); called == (m.Kind == alert.KindResolved) {
		t.Errorf("configured mention in %s: %v", m.Kind, r.Shape)
	}
	return r
}
