package wecom

import (
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakemarkdown"
	"github.com/heraldhq/herald/internal/testutil/fakewecom"
)

// The channel's configured mentions: a user, called with <@userid> in
// markdown, and a mobile, called by a text message of its own.
const (
	userID = "zhangsan"
	mobile = "13800001111"
)

// userTemplate prints values where a careless template author would:
// at the start of lines, inside bold, a font tag and a link text,
// unfolded.
const userTemplate = `{{ range .Alerts }}{{ .Labels.alertname }}
**{{ .Annotations.summary }}** <font color="warning">{{ .Labels.instance | truncate 7 }}{{ .Labels.job | truncate 3 }}</font>
{{ .Annotations.description }}
[{{ .Labels.job }}]({{ .GeneratorURL }})
{{ end }}{{ .CommonLabels.alertname }} {{ .GroupLabels.alertname }}`

// No hostile value becomes a link, an image, a mention, formatting or a
// control character in WeCom, with the default template or a channel's
// own (alerts.HostileCheck). What only WeCom has is checked here:
// the markdown calls the configured <@userid> (resolutions call nobody),
// and the mention message mentions exactly the configured mobile.
func TestHostileValuesStayText(t *testing.T) {
	t.Parallel()
	alerts.HostileCheck{Templates: []alerts.HostileTemplate{{Name: "default"},
		{Name: "channel template", Message: userTemplate, Careless: true}}, Send: sendHostile}.Run(t)
}

// sendHostile delivers m through a notifier with Herald's templates (or
// the channel template message) to a fake robot, checks the platform's
// own parts of what it got and returns what WeCom shows of it.
// It is no t.Helper, so that a failure points at its check here rather
// than at the shared harness that called it.
func sendHostile(t *testing.T, m *notify.Message, message string) alerts.Rendering {
	fake := newFake(t)
	cfg := channelConfig(fake)
	cfg.Mention = &Mention{UserIDs: []string{userID}, Mobiles: []string{mobile}}
	cfg.Message = message
	if _, _, err := newNotifier(t, mustRobot(t, fake), cfg, nil).Notify(alerts.Context(t, 5*time.Second), m); err != nil {
		t.Fatalf("%v (fake: %s)", err, fake.Stats().LastError)
	}
	var r alerts.Rendering
	var shown []fakewecom.Markup
	for _, msg := range fake.Messages() {
		r.Text += msg.Content + "\n"
		shown = append(shown, msg.Markup()...)
		if msg.Type == "text" && (len(msg.MentionedList) > 0 || !slices.Equal(msg.MentionedMobileList, []string{mobile})) {
			t.Errorf("text message mentions %v %v", msg.MentionedList, msg.MentionedMobileList)
		}
	}
	r.Shape, r.Targets = fakemarkdown.Shape(shown), fakemarkdown.Targets(shown)
	if m.Kind != alert.KindResolved && !slices.Contains(r.Shape, "mention "+userID) {
		t.Errorf("configured mention missing: %v", r.Shape)
	}
	return r
}
