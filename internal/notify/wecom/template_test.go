package wecom

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
)

// render renders m with the default WeCom template, as the notifier does.
func render(t *testing.T, m *notify.Message) string {
	t.Helper()
	d := template.WeComData(template.NewData(m.Data, string(m.Kind), m.Folded, "ops"))
	return d.Execute(mustTemplates(t), "", DefaultMessage)
}

// markupOK checks what would make WeCom show markup as text: unbalanced
// font tags, unknown colours, bold runs across lines, links with a ")"
// inside their target.
func markupOK(t *testing.T, md string) {
	t.Helper()
	if strings.Count(md, "<font") != strings.Count(md, "</font>") {
		t.Errorf("unbalanced font tags:\n%s", md)
	}
	for _, c := range regexp.MustCompile(`<font color="([^"]*)">`).FindAllStringSubmatch(md, -1) {
		if c[1] != "info" && c[1] != "comment" && c[1] != "warning" {
			t.Errorf("font colour %q", c[1])
		}
	}
	for _, line := range strings.Split(md, "\n") {
		if strings.Count(line, "**")%2 != 0 {
			t.Errorf("bold run across lines: %q", line)
		}
	}
	for _, l := range regexp.MustCompile(`\]\(([^)]*)\)`).FindAllStringSubmatch(md, -1) {
		if strings.ContainsAny(l[1], " (") {
			t.Errorf("link target %q", l[1])
		}
	}
}

func TestTemplateKinds(t *testing.T) {
	t.Parallel()
	withRunbook := message(alert.KindFiring, nasty)
	a := &withRunbook.Data.Alerts[0]
	a.Annotations["runbook_url"] = "https://wiki.example/Disk_(full) page"
	a.Annotations["description"] = "line one\n**bold** line two\n<@all> please"
	tests := []struct {
		name    string
		m       *notify.Message
		want    []string
		notWant []string
	}{
		{"firing", withRunbook, []string{"### 🔥 Disk", "[Runbook](https://wiki.example/Disk_%28full%29%20page)",
			"line one\n＊＊bold＊＊ line two\n＜＠all＞ please", "started 12:00 UTC, firing for 10m"}, []string{"RESOLVED"}},
		{"resolved", message(alert.KindResolved, nasty), []string{"### ✅ RESOLVED Disk", `<font color="info">critical</font>`,
			"resolved after 5m", "[Source]("}, []string{"Silence", "firing for"}},
		{"reminder", message(alert.KindReminder, nasty), []string{"🔁 still firing for 10m: **Disk ＜90% ＊＊low＊＊** db_01:9100",
			"磁盘空间不足"}, []string{"Silence"}},
		{"unnamed", message(alert.KindFiring, amtemplate.KV{"instance": "x"}), []string{"### 🔔 (unnamed alert)"}, nil},
		{"list", message(alert.KindFiring, nasty, amtemplate.KV{"alertname": "B", "severity": "info", "instance": "h*2"}),
			[]string{"**🔥 2 alerts firing**", "🔥 **Disk ＜90% ＊＊low＊＊** db_01:9100 — 🔥 磁盘空间不足", "ℹ️ **B** h＊2",
				"[Alertmanager](http://alertmanager:9093/#/alerts)"}, nil},
		{"resolved list", message(alert.KindResolved, nasty, amtemplate.KV{"alertname": "B"}),
			[]string{"**✅ 2 alerts resolved**", "✅ **B**"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md := render(t, tt.m)
			markupOK(t, md)
			for _, w := range tt.want {
				if !strings.Contains(md, w) {
					t.Errorf("lacks %q:\n%s", w, md)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(md, w) {
					t.Errorf("has %q:\n%s", w, md)
				}
			}
		})
	}
}

// A folded storm names every alert, one line each, in order: what the
// notifier's count of left-out alerts relies on.
func TestTemplateFoldedListNamesEveryAlert(t *testing.T) {
	t.Parallel()
	var labels []amtemplate.KV
	for i := range 100 {
		labels = append(labels, amtemplate.KV{"alertname": fmt.Sprintf("Storm <%d>", i), "instance": fmt.Sprintf("h%d", i)})
	}
	m := message(alert.KindFiring, labels...)
	m.Folded = true
	md := render(t, m)
	markupOK(t, md)
	if got := shownAlerts(md, m.Data.Alerts); got != 100 {
		t.Errorf("%d of 100 alerts found in order", got)
	}
	if n := strings.Count(md, "\n"); n != 101 {
		t.Errorf("%d lines, want header, 100 alerts, link", n+1)
	}
}

var longTag = regexp.MustCompile(`<font[^<>]{24,}>`)

// FuzzSplit checks Split's promises on any text: parts within the limit,
// no cut UTF-8 sequence, no blank part, no visible character lost.
func FuzzSplit(f *testing.F) {
	f.Add("### 🔥 Alert\n<font color=\"warning\">critical</font> · **bold [x](http://e/x) `code`**\n> quote", 64)
	f.Add(strings.Repeat("磁盘空间不足 ", 50), 70)
	f.Add("**<font color=\"info\">"+strings.Repeat("a", 300)+"</font>**", 100)
	f.Add("`unclosed code [x](y "+strings.Repeat("日", 100), 64)
	f.Fuzz(func(t *testing.T, text string, limit int) {
		// A font tag too long to fit a part is read as text (see cutLine):
		// its characters stay, the tag does not; the invariant below
		// cannot express that.
		if !utf8.ValidString(text) || limit < 64 || limit > 5000 || longTag.MatchString(text) {
			t.Skip()
		}
		parts := Split(text, limit)
		markup := regexp.MustCompile(`<font[^<>]*>|</font>|\*\*|>`)
		strip := func(s string) string {
			return strings.Join(strings.FieldsFunc(markup.ReplaceAllString(s, ""), unicode.IsSpace), "")
		}
		var got strings.Builder
		for i, p := range parts {
			if len(p) > limit || !utf8.ValidString(p) || strings.TrimSpace(p) == "" {
				t.Fatalf("part %d (%d bytes, limit %d): %q", i, len(p), limit, p)
			}
			got.WriteString(strip(p))
		}
		if want := strip(text); got.String() != want {
			t.Fatalf("text changed:\n got %q\nwant %q", got.String(), want)
		}
	})
}
