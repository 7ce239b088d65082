package template

import (
	"regexp"
	"strings"
	"testing"
	"unicode"

	amtemplate "github.com/prometheus/alertmanager/template"
)

func TestEscapeMattermost(t *testing.T) {
	t.Parallel()
	z := zwsp
	for in, want := range map[string]string{
		"node_exporter":                         "node_exporter",
		"10.0.0.1:9100":                         "10.0.0.1:9100",
		"db-1":                                  "db-1",
		"-5":                                    `\-5`,
		"[click me](http://evil.example/phish)": `\[click me\](http:` + z + `//evil.example/phish)`,
		"![x](http://e/p.png)":                  `!\[x\](http:` + z + `//e/p.png)`,
		"<http://evil.example/slack|click>":     `&lt;http:` + z + `//evil.example/slack\|click&gt;`,
		"<@all> @here ops@example.com":          "&lt;@" + z + "all&gt; @" + z + "here ops@" + z + "example.com",
		"~town-square ~~s~~":                    `\~` + z + `town-square \~` + z + `\~` + z + `s\~` + z + `\~` + z,
		"#critical":                             "#" + z + "critical",
		"**bold** __bold__ _it_ `c`":            `\*\*bold\*\* \_\_bold\_\_ \_it\_ ˋcˋ`,
		"\n# Heading\n":                         "\n#" + z + " Heading\n",
		"- item\n  1. two\n+ x\n===\n> q":       "\\- item\n1\\. two\n\\+ x\n\\===\n&gt; q",
		"    code":                              "code",
		"| a | b |\n|---|---|":                  `\| a \| b \|` + "\n" + `\|---\|---\|`,
		":fire: at 12:30:00":                    ":" + z + "fire: at 12:" + z + "30:00",
		"see www.evil.example":                  "see www" + z + ".evil.example",
		`C:\path & a &lt; b`:                    `C:\\path &amp; a &amp;lt; b`,
		"\x1b[31mred\x1b[0m\tx":                 `␛\[31mred␛\[0m x`,
		"ok\rFAKE\x7f\u202e":                    "ok␍FAKE␡\uFFFD",
	} {
		if got := EscapeMattermost(in); got != want {
			t.Errorf("EscapeMattermost(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}

// mattermostMarkup is what either pass of Mattermost could read as markup
// in escaped text: a Markdown character without its backslash, a "<", a
// mention, channel link, hashtag or emoji, a bare URL.
var mattermostMarkup = regexp.MustCompile("(^|[^\\\\])[*\\[\\]|`]|<|[@~#][\\p{L}\\p{N}]|:[a-z0-9_+-]+:|[a-zA-Z]://")

// FuzzEscapeMattermost: whatever the value, and wherever truncate cuts
// it, nothing of it is markup Mattermost reads.
func FuzzEscapeMattermost(f *testing.F) {
	f.Add("[x](http://e) <@all> **b** `c` # h\n- l ~chan :fire:")
	f.Add("\x1b]0;t\x07 www.x _a_ \\ <http://e|x>")
	f.Fuzz(func(t *testing.T, s string) {
		out := EscapeMattermost(s)
		check := strings.ReplaceAll(out, `\\`, " ")
		if mattermostMarkup.MatchString(check) {
			t.Fatalf("EscapeMattermost(%q) = %q", s, out)
		}
		if strings.ContainsFunc(out, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }) {
			t.Fatalf("control character in %q", out)
		}
		for n := range 8 {
			if cut := strings.ReplaceAll(truncate(n, out), `\\`, " "); mattermostMarkup.MatchString(cut) {
				t.Fatalf("truncate(%d) = %q", n, cut)
			}
		}
	})
}

func TestMattermostPlainText(t *testing.T) {
	t.Parallel()
	got := MattermostPlainText("@channel see http://evil.example\n\x1b[2J")
	want := "@" + zwsp + "channel see http:" + zwsp + "//evil.example ␛[2J"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// The data copy escapes values for Markdown, keeps URLs as link targets and
// mends a target a template builds from a URL value.
func TestMattermostData(t *testing.T) {
	t.Parallel()
	d := &Data{Data: amtemplate.Data{
		ExternalURL: "http://am:9093",
		Alerts: amtemplate.Alerts{{
			Labels:       amtemplate.KV{"alertname": "*x*", "link": "https://wiki.example/a"},
			Annotations:  amtemplate.KV{"runbook_url": "https://runbooks.example/x y"},
			GeneratorURL: "http://prom:9090/graph?g0.expr=up",
		}},
	}}
	e := MattermostData(d)
	a := e.Data.Alerts[0]
	if a.Labels["alertname"] != `\*x\*` || a.Annotations["runbook_url"] != "https://runbooks.example/x%20y" {
		t.Errorf("escaped alert %+v", a)
	}
	if got := e.Mend("[wiki](" + a.Labels["link"] + ")"); got != "[wiki](https://wiki.example/a)" {
		t.Errorf("mended %q", got)
	}
	if d.Alerts[0].Labels["alertname"] != "*x*" {
		t.Error("the data given was changed")
	}
	if p := MattermostPlainData(d).Data.Alerts[0].Labels["alertname"]; p != "*x*" {
		t.Errorf("plain %q", p)
	}
}
