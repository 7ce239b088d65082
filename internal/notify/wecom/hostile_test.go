package wecom

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakewecom"
)

// plain is a harmless value: what a hostile message must look like apart
// from its words.
var plain = alerts.Hostile{Name: "plain", Value: "plain"}

// hostileMessages are the events a hostile value is tried in: a firing
// alert, its resolution, a reminder and a folded list of two.
func hostileMessages(h alerts.Hostile) map[string]*notify.Message {
	one := func(kind alert.Kind) *notify.Message {
		a := alerts.HostileAlert(h, alerts.Annotations(amtemplate.KV{"summary": h.Value, "description": h.Value,
			"runbook_url": "https://wiki.example/runbooks/" + url.PathEscape(h.Value)}))
		a.Status = alerts.Status(kind)
		if kind == alert.KindResolved {
			a.EndsAt = a.StartsAt.Add(5 * time.Minute)
		}
		m := alerts.Message(kind, a)
		m.Data.CommonLabels = a.Labels
		m.Data.CommonAnnotations = a.Annotations
		m.Data.GroupLabels = amtemplate.KV{"alertname": h.Value}
		return m
	}
	folded := alerts.Message(alert.KindFiring, alerts.HostileAlert(h), alerts.HostileAlert(h))
	folded.Folded = true
	return map[string]*notify.Message{"firing": one(alert.KindFiring), "resolved": one(alert.KindResolved),
		"reminder": one(alert.KindReminder), "folded": folded}
}

// shape is what WeCom shows of msgs apart from their words: the kind of
// every element, where each link and image goes and whom each mention
// calls, sorted.
func shape(msgs []fakewecom.Message) []string {
	var out []string
	for _, m := range msgs {
		for _, e := range m.Markup() {
			switch e.Kind {
			case "link", "image":
				host := e.Target
				if u, err := url.Parse(e.Target); err == nil {
					host = u.Scheme + "://" + u.Host
				}
				out = append(out, e.Kind+" "+host)
			case "mention":
				out = append(out, "mention "+e.Target)
			default:
				out = append(out, e.Kind)
			}
		}
	}
	slices.Sort(out)
	return out
}

// subset reports whether the sorted got holds only elements of the
// sorted want, each at most as often.
func subset(got, want []string) bool {
	for _, g := range got {
		i := slices.Index(want, g)
		if i < 0 {
			return false
		}
		want = slices.Delete(slices.Clone(want), i, i+1)
	}
	return true
}

// sendTo delivers m through a notifier with Herald's templates (or the
// channel template message), mentioning a user and a mobile, to a fake
// robot and returns what it got.
func sendTo(t *testing.T, m *notify.Message, message string) []fakewecom.Message {
	t.Helper()
	fake := newFake(t)
	cfg := channelConfig(fake)
	cfg.Mention = &config.Mention{UserIDs: []string{"zhangsan"}, Mobiles: []string{"13800001111"}}
	cfg.Message = message
	if _, _, err := newNotifier(t, mustRobot(t, fake), cfg, nil).Notify(alerts.Context(t, 5*time.Second), m); err != nil {
		t.Fatalf("%v (fake: %s)", err, fake.Stats().LastError)
	}
	return fake.Messages()
}

var word = regexp.MustCompile(`[\p{L}\p{N}]+`)

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
// own: every message set has the elements of the same set with harmless
// values, the configured <@userid> included (resolutions call nobody);
// with a careless channel template a value's line break may end the
// template's own markup early, which adds nothing: a subset then. The
// value's words stay readable, and the mention message mentions exactly
// the configured mobile.
func TestHostileValuesStayText(t *testing.T) {
	for _, tmpl := range []struct{ name, message string }{{"default", ""}, {"channel template", userTemplate}} {
		want := map[string][]string{}
		for kind, m := range hostileMessages(plain) {
			want[kind] = shape(sendTo(t, m, tmpl.message))
			if kind != "resolved" && !slices.Contains(want[kind], "mention zhangsan") {
				t.Fatalf("%s %s: configured mention missing: %v", tmpl.name, kind, want[kind])
			}
		}
		for _, h := range alerts.HostileValues {
			for kind, m := range hostileMessages(h) {
				t.Run(tmpl.name+"/"+h.Name+"/"+kind, func(t *testing.T) {
					msgs := sendTo(t, m, tmpl.message)
					if got := shape(msgs); !slices.Equal(got, want[kind]) && (tmpl.message == "" || !subset(got, want[kind])) {
						t.Errorf("a %s value changed what WeCom shows:\n got %q\nwant %q\n%s", h.Tries, got, want[kind], msgs[0].Content)
					}
					var text string
					for _, msg := range msgs {
						text += msg.Content + "\n"
						for _, e := range slices.Concat(msg.Links(), msg.Images()) {
							if u, err := url.Parse(e.Target); err != nil || strings.Contains(u.Host, "evil") {
								t.Errorf("%s to %q", e.Kind, e.Target)
							}
						}
						if msg.Type == "text" && (len(msg.MentionedList) > 0 || !slices.Equal(msg.MentionedMobileList, []string{"13800001111"})) {
							t.Errorf("text message mentions %v %v", msg.MentionedList, msg.MentionedMobileList)
						}
					}
					if i := strings.IndexFunc(text, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }); i >= 0 {
						t.Errorf("control character %q in\n%q", text[i], text)
					}
					for _, w := range word.FindAllString(h.Value, -1) {
						if !strings.Contains(text, w) {
							t.Errorf("%q of the value is not shown:\n%s", w, text)
						}
					}
				})
			}
		}
	}
}
