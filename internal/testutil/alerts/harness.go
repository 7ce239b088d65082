package alerts

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
)

// Plain is a harmless value: what a message about a hostile value must
// look like apart from its words.
var Plain = Hostile{Name: "plain", Value: "plain"}

// HostileMessages are the events a hostile value is tried in, by name: a
// "firing" alert, its "resolved" resolution and a "reminder", each with
// h's value in every label, annotation (a runbook_url holding it too),
// common label and group label; and a "folded" list of two such alerts.
func HostileMessages(h Hostile) map[string]*notify.Message {
	one := func(kind alert.Kind) *notify.Message {
		a := HostileAlert(h, Annotations(amtemplate.KV{"summary": h.Value, "description": h.Value,
			"runbook_url": "https://wiki.example/runbooks/" + url.PathEscape(h.Value)}))
		a.Status = Status(kind)
		if kind == alert.KindResolved {
			a.EndsAt = a.StartsAt.Add(5 * time.Minute)
		}
		m := Message(kind, a)
		m.Data.CommonLabels = a.Labels
		m.Data.CommonAnnotations = a.Annotations
		m.Data.GroupLabels = amtemplate.KV{"alertname": h.Value}
		return m
	}
	folded := Message(alert.KindFiring, HostileAlert(h), HostileAlert(h))
	folded.Folded = true
	return map[string]*notify.Message{"firing": one(alert.KindFiring), "resolved": one(alert.KindResolved),
		"reminder": one(alert.KindReminder), "folded": folded}
}

// HostileList is a firing event about h: one HostileAlert, or for a list
// two of them that differ in their instance (so that nothing merges them).
func HostileList(h Hostile, list bool) *notify.Message {
	as := []amtemplate.Alert{HostileAlert(h)}
	if list {
		as = append(as, HostileAlert(h))
		as[1].Labels["instance"] = "second"
	}
	return Message(alert.KindFiring, as...)
}

// ForEachHostile runs f in a parallel subtest for every hostile value,
// alone and in a list (see HostileList): a value may behave differently
// where a template prints one alert and where it ranges over several.
func ForEachHostile(t *testing.T, f func(t *testing.T, h Hostile, list bool)) {
	t.Helper()
	for _, h := range HostileValues {
		for _, list := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/list=%v", h.Name, list), func(t *testing.T) {
				t.Parallel()
				f(t, h, list)
			})
		}
	}
}

var word = regexp.MustCompile(`[\p{L}\p{N}]+`)

// VisibleWords fails t unless every word (run of letters and digits) of
// value is in shown: escaping may change a value's punctuation into
// lookalikes, but a reader must still read what the value says.
func VisibleWords(t testing.TB, value, shown string) {
	t.Helper()
	for _, w := range word.FindAllString(value, -1) {
		if !strings.Contains(shown, w) {
			t.Errorf("%q of the value is not shown:\n%s", w, shown)
		}
	}
}

// VisibleValue fails t unless shown holds value whole, whitespace aside:
// for platforms whose escaping is invisible to the reader (a fake's Fold
// drops the zero-width characters it adds), so that the punctuation of a
// value must be readable too.
func VisibleValue(t testing.TB, value, shown string) {
	t.Helper()
	squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
	if !strings.Contains(squash(shown), squash(value)) {
		t.Errorf("%q is not shown:\n%s", value, shown)
	}
}

// ControlChar returns the first character of s that a terminal or a chat
// client could take as a control rather than text, other than those in
// allow (a template's own line breaks), and its byte offset: C0 and C1
// controls, bidirectional overrides (which reorder what follows) and
// invalid UTF-8. ok is false when there is none.
func ControlChar(s, allow string) (r rune, at int, ok bool) {
	for i, r := range s {
		if strings.ContainsRune(allow, r) {
			continue
		}
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return r, i, true
		}
	}
	return 0, 0, false
}

// Rendering is what a platform's strict fake made of the messages sent for
// one event.
type Rendering struct {
	// Shape is what a reader sees apart from the words, sorted: the kind
	// of every link, image, mention and formatting, with where links go
	// and whom mentions call (fakemarkdown.Shape, for example).
	Shape []string
	// Text is the text a reader sees, every message of the event.
	Text string
	// Targets are where its links and images lead.
	Targets []string
}

// HostileTemplate is a channel template that a HostileCheck tries.
type HostileTemplate struct {
	// Name names the template in test output.
	Name string
	// Message is the channel's template; "" is Herald's default.
	Message string
	// Careless marks a template that prints values inside its own markup
	// (in bold, at the start of a line), where a value's line break may
	// end that markup early: a hostile value may then take markup away,
	// which adds nothing, but never add any.
	Careless bool
}

// HostileCheck tries every hostile value on one platform.
type HostileCheck struct {
	// Templates are the channel templates tried.
	Templates []HostileTemplate
	// Send delivers m with the channel template message to a fresh fake
	// and returns what the fake got. The checks that only the platform
	// knows (the configured mentions, where links go) belong there, with
	// m.Kind to tell a resolution.
	Send func(t *testing.T, m *notify.Message, message string) Rendering
	// KeepsControls is set for a platform whose text is allowed to carry
	// control characters through (Telegram today): the check for them is
	// then left out rather than failing on a known difference.
	KeepsControls bool
}

// Run sends each of HostileMessages for every hostile value with every
// template, in parallel subtests, and checks that the value stayed data:
// the rendering has the shape of the same event about Plain (a subset of
// it with a careless template), no control character but line breaks,
// the value's words visible, and no link or image to the values' hosts.
func (c HostileCheck) Run(t *testing.T) {
	t.Helper()
	for _, tmpl := range c.Templates {
		want := map[string][]string{}
		for kind, m := range HostileMessages(Plain) {
			want[kind] = c.Send(t, m, tmpl.Message).Shape
		}
		for _, h := range HostileValues {
			for kind, m := range HostileMessages(h) {
				t.Run(tmpl.Name+"/"+h.Name+"/"+kind, func(t *testing.T) {
					t.Parallel()
					got := c.Send(t, m, tmpl.Message)
					if !slices.Equal(got.Shape, want[kind]) && (!tmpl.Careless || !subset(got.Shape, want[kind])) {
						t.Errorf("a %s value changed what the platform shows:\n got %q\nwant %q\n%s", h.Tries, got.Shape, want[kind], got.Text)
					}
					if r, i, ok := ControlChar(got.Text, "\n"); ok && !c.KeepsControls {
						t.Errorf("control character %U at byte %d of\n%q", r, i, got.Text)
					}
					VisibleWords(t, h.Value, got.Text)
					for _, target := range got.Targets {
						if hostile(target) {
							t.Errorf("a link or image to %q", target)
						}
					}
				})
			}
		}
	}
}

// hostile reports whether target leads to the hosts of HostileValues, or
// is no URL at all. A target without a host (a bare "www." link) is
// searched whole.
func hostile(target string) bool {
	u, err := url.Parse(target)
	if err != nil {
		return true
	}
	host := u.Host
	if host == "" {
		host = target
	}
	return strings.Contains(host, "evil.example")
}

// subset reports whether the sorted got holds only elements of the
// sorted want, each at most as often.
func subset(got, want []string) bool {
	want = slices.Clone(want)
	for _, g := range got {
		i := slices.Index(want, g)
		if i < 0 {
			return false
		}
		want = slices.Delete(want, i, i+1)
	}
	return true
}
