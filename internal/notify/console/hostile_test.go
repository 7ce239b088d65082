package console

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
)

// hostileMessage is a firing event (folded: a list of two) whose labels and
// annotations all hold h's value.
func hostileMessage(h alerts.Hostile, folded bool) *notify.Message {
	a := alerts.HostileAlert(h, alerts.Annotations(amtemplate.KV{"summary": h.Value, "description": h.Value}))
	if !folded {
		m := alerts.Message(alert.KindFiring, a)
		m.Data.CommonLabels = a.Labels
		return m
	}
	m := alerts.Message(alert.KindFiring, a, alerts.HostileAlert(h))
	m.Folded = true
	return m
}

var word = regexp.MustCompile(`[\p{L}\p{N}]+`)

// lineStarts are the first characters of the output's lines that start at
// the margin: the layout a reader (or a log parser) relies on.
func lineStarts(out string) []string {
	var starts []string
	for _, l := range strings.Split(out, "\n") {
		if l != "" && l[0] != ' ' {
			starts = append(starts, l[:min(len(l), 5)])
		}
	}
	return starts
}

// No hostile value reaches the terminal as a control sequence, and none
// forges a line of its own: the output holds no control character but the
// template's line breaks and tabs, its lines at the margin start like
// those of the same message with harmless values, and the value's words
// stay readable. With the default template and a channel's own.
func TestHostileValuesStayText(t *testing.T) {
	own := &config.ConsoleChannelConfig{Message: "{{ range .Alerts }}{{ .Labels.alertname }}\n{{ .Annotations.description }}\n{{ end }}"}
	for _, cfg := range []*config.ConsoleChannelConfig{nil, own} {
		for _, folded := range []bool{false, true} {
			render := func(t *testing.T, h alerts.Hostile) string {
				tm, _ := newTemplates(t)
				var out bytes.Buffer
				if _, _, err := New(cfg, tm, &out).Notify(context.Background(), hostileMessage(h, folded)); err != nil {
					t.Fatal(err)
				}
				return out.String()
			}
			want := lineStarts(render(t, alerts.Hostile{Value: "plain"}))
			for _, h := range alerts.HostileValues {
				t.Run(h.Name, func(t *testing.T) {
					out := render(t, h)
					for i, r := range out {
						if r == utf8.RuneError || (unicode.IsControl(r) && r != '\n' && r != '\t') || unicode.Is(unicode.Bidi_Control, r) {
							t.Fatalf("control character %U at byte %d:\n%q", r, i, out)
						}
					}
					got := lineStarts(out)
					for i := range max(len(got), len(want)) {
						g, w := "", ""
						if i < len(got) {
							g = got[i]
						}
						if i < len(want) {
							w = want[i]
						}
						if g != w && !strings.HasPrefix(w, "plain") {
							t.Errorf("line %d starts %q, want %q:\n%s", i, g, w, out)
							break
						}
					}
					for _, w := range word.FindAllString(h.Value, -1) {
						if !strings.Contains(out, w) {
							t.Errorf("%q of the value is not shown:\n%s", w, out)
						}
					}
				})
			}
		}
	}
}

// Control characters show as Go escapes; a value's line break indents
// the next line.
func TestControlCharactersShown(t *testing.T) {
	tm, _ := newTemplates(t)
	var out bytes.Buffer
	m := message(alert.KindFiring)
	m.Data.Alerts[0].Labels["alertname"] = "\x1b]0;pwned\x07\x1b[2J"
	m.Data.Alerts[0].Annotations["summary"] = "ok\rFAKE\n----- #2 ops resolved -----\n\u202eevil\x9b\u009b"
	if _, _, err := New(nil, tm, &out).Notify(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`[FIRING] \x1b]0;pwned\x07\x1b[2J (critical)`,
		"ok\\rFAKE\n  ----- #2 ops resolved -----\n  \\u202eevil\\x9b\\u009b\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
