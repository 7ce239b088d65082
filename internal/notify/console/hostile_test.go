package console

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
)

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
// stay readable. With the default template and a channel's own, in every
// event of alerts.HostileMessages.
func TestHostileValuesStayText(t *testing.T) {
	t.Parallel()
	own := &Config{Message: "{{ range .Alerts }}{{ .Labels.alertname }}\n{{ .Annotations.description }}\n{{ end }}"}
	for _, cfg := range []*Config{nil, own} {
		render := func(t *testing.T, m *notify.Message) string {
			tm, _ := newTemplates(t)
			var out bytes.Buffer
			if _, _, err := New(cfg, tm, &out).Notify(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			return out.String()
		}
		want := map[string][]string{}
		for kind, m := range alerts.HostileMessages(alerts.Plain) {
			want[kind] = lineStarts(render(t, m))
		}
		for _, h := range alerts.HostileValues {
			for kind, m := range alerts.HostileMessages(h) {
				t.Run(fmt.Sprintf("own=%v/%s/%s", cfg != nil, h.Name, kind), func(t *testing.T) {
					t.Parallel()
					out := render(t, m)
					if r, i, ok := alerts.ControlChar(out, "\n\t"); ok {
						t.Fatalf("control character %U at byte %d:\n%q", r, i, out)
					}
					if i, g, w := firstDifference(lineStarts(out), want[kind]); i >= 0 {
						t.Errorf("line %d starts %q, want %q:\n%s", i, g, w, out)
					}
					alerts.VisibleWords(t, h.Value, out)
				})
			}
		}
	}
}

// firstDifference is the first line whose start differs from the harmless
// output's, with both starts, or -1. A line that starts with the harmless
// value itself may start with the hostile one instead: that is the value
// printed at the margin by the template, not a line it forged.
func firstDifference(got, want []string) (int, string, string) {
	for i := range max(len(got), len(want)) {
		g, w := "", ""
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w && !strings.HasPrefix(w, alerts.Plain.Value) {
			return i, g, w
		}
	}
	return -1, "", ""
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
