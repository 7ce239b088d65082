package dingtalk

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
	"github.com/heraldhq/herald/internal/testutil/fakedingtalk"
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

// shape is what DingTalk shows of msgs apart from their words: the kind of
// every element, where each link and image goes and whom each mention
// calls, sorted.
func shape(msgs []fakedingtalk.Message) []string {
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

// send delivers m through a notifier with Herald's templates (or the
// channel template message) to a fake robot and returns what it got.
func send(t *testing.T, m *notify.Message, message string) []fakedingtalk.Message {
	t.Helper()
	fake := newFake(t, fakedingtalk.Config{Unlimited: true})
	cfg := channelConfig(fake)
	cfg.Mention = &config.Mention{Mobiles: []string{"13800000000"}}
	cfg.Message = message
	if _, _, err := newNotifier(t, cfg, nil).Notify(alerts.Context(t, 5*time.Second), m); err != nil {
		t.Fatal(err)
	}
	if w := fake.Warnings(); len(w) != 0 {
		t.Errorf("fake warnings: %v", w)
	}
	return fake.Messages()
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

var word = regexp.MustCompile(`[\p{L}\p{N}]+`)

// userTemplate prints values where a careless template author would:
// at the start of lines, inside bold and as a link text, unfolded.
const userTemplate = `{{ range .Alerts }}{{ .Labels.alertname }}
**{{ .Annotations.summary }}** {{ .Labels.instance | truncate 7 }}{{ .Labels.job | truncate 3 }}**
{{ .Annotations.description }}
[{{ .Labels.job }}]({{ .GeneratorURL }})
{{ end }}{{ .CommonLabels.alertname }} {{ .GroupLabels.alertname }}`

// No hostile value becomes a link, an image, a mention, formatting or a
// control character in DingTalk, with the default templates or a
// channel's own: every message has the elements of the same message with
// harmless values (with a careless channel template, a value's line break
// may end the template's bold early, which adds nothing: a subset then), the configured mention included (resolutions call
// nobody), and the value's
// words stay readable.
func TestHostileValuesStayText(t *testing.T) {
	for _, tmpl := range []struct{ name, message string }{{"default", ""}, {"channel template", userTemplate}} {
		want := map[string][]string{}
		for kind, m := range hostileMessages(plain) {
			want[kind] = shape(send(t, m, tmpl.message))
			if kind != "resolved" && !slices.Contains(want[kind], "mention 13800000000") {
				t.Fatalf("%s %s: configured mention missing: %v", tmpl.name, kind, want[kind])
			}
		}
		for _, h := range alerts.HostileValues {
			for kind, m := range hostileMessages(h) {
				t.Run(tmpl.name+"/"+h.Name+"/"+kind, func(t *testing.T) {
					msgs := send(t, m, tmpl.message)
					if got := shape(msgs); !slices.Equal(got, want[kind]) && (tmpl.message == "" || !subset(got, want[kind])) {
						t.Errorf("a %s value changed what DingTalk shows:\n got %q\nwant %q\n%s", h.Tries, got, want[kind], msgs[0].Text)
					}
					var text string
					for _, msg := range msgs {
						text += msg.Title + "\n" + msg.Text + "\n"
						for _, e := range slices.Concat(msg.Links(), msg.Images()) {
							if u, err := url.Parse(e.Target); err != nil || strings.Contains(u.Host, "evil") {
								t.Errorf("%s to %q", e.Kind, e.Target)
							}
						}
						if (len(msg.AtMobiles) > 0) == (kind == "resolved") || msg.IsAtAll || len(msg.AtUserIDs) > 0 {
							t.Errorf("at %v %v all %v", msg.AtMobiles, msg.AtUserIDs, msg.IsAtAll)
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
