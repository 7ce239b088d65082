package dingtalk

import (
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakedingtalk"
	"github.com/heraldhq/herald/internal/testutil/fakemarkdown"
)

// mobile is the channel's configured mention: the only one a message may
// carry.
const mobile = "13800000000"

// userTemplate prints values where a careless template author would:
// at the start of lines, inside bold and as a link text, unfolded.
const userTemplate = `{{ range .Alerts }}{{ .Labels.alertname }}
**{{ .Annotations.summary }}** {{ .Labels.instance | truncate 7 }}{{ .Labels.job | truncate 3 }}**
{{ .Annotations.description }}
[{{ .Labels.job }}]({{ .GeneratorURL }})
{{ end }}{{ .CommonLabels.alertname }} {{ .GroupLabels.alertname }}`

// No hostile value becomes a link, an image, a mention, formatting or a
// control character in DingTalk, with the default templates or a
// channel's own (alerts.HostileCheck). What only DingTalk has is
// checked here: the at object calls the configured mobile, and nobody in
// a resolution, and the text mentions it the same way.
func TestHostileValuesStayText(t *testing.T) {
	t.Parallel()
	alerts.HostileCheck{Templates: []alerts.HostileTemplate{{Name: "default"},
		{Name: "channel template", Message: userTemplate, Careless: true}}, Send: sendHostile}.Run(t)
}

// sendHostile delivers m through a notifier with Herald's templates (or
// the channel template message) to a fake robot, checks the platform's
// own parts of what it got and returns what DingTalk shows of it.
// It is no t.Helper, so that a failure points at its check here rather
// than at the shared harness that called it.
func sendHostile(t *testing.T, m *notify.Message, message string) alerts.Rendering {
	fake := newFake(t, fakedingtalk.Config{Unlimited: true})
	cfg := channelConfig(fake)
	cfg.Mention = &Mention{Mobiles: []string{mobile}}
	cfg.Message = message
	if _, _, err := newNotifier(t, cfg, nil).Notify(alerts.Context(t, 5*time.Second), m); err != nil {
		t.Fatal(err)
	}
	if w := fake.Warnings(); len(w) != 0 {
		t.Errorf("fake warnings: %v", w)
	}
	resolved := m.Kind == alert.KindResolved
	var r alerts.Rendering
	var shown []fakedingtalk.Markup
	for _, msg := range fake.Messages() {
		r.Text += msg.Title + "\n" + msg.Text + "\n"
		shown = append(shown, msg.Markup()...)
		if (len(msg.AtMobiles) > 0) == resolved || msg.IsAtAll || len(msg.AtUserIDs) > 0 {
			t.Errorf("at %v %v all %v", msg.AtMobiles, msg.AtUserIDs, msg.IsAtAll)
		}
	}
	r.Shape, r.Targets = fakemarkdown.Shape(shown), fakemarkdown.Targets(shown)
	if !resolved && !slices.Contains(r.Shape, "mention "+mobile) {
		t.Errorf("configured mention missing: %v", r.Shape)
	}
	return r
}
