package template

import (
	"strings"
	"testing"
	"unicode"

	amtemplate "github.com/prometheus/alertmanager/template"
)

func TestMarkdownText(t *testing.T) {
	for in, want := range map[string]string{
		"node_exporter":                         "node_exporter",
		"10.0.0.1:9100":                         "10.0.0.1:9100",
		"db-1":                                  "db-1",
		"-5":                                    "-5",
		"[click me](http://evil.example/phish)": "［click me］(http:／／evil.example/phish)",
		"![x](http://e/p.png)":                  "!［x］(http:／／e/p.png)",
		"<font color=#ff0000>red</font>":        "＜font color=＃ff0000＞red＜/font＞",
		"<@all> @all ops@example.com":           "＜＠all＞ ＠all ops＠example.com",
		"**bold** __bold__ _it_ ~~s~~ `c`":      "＊＊bold＊＊ ＿＿bold＿＿ ＿it＿ ～～s～～ ｀c｀",
		"\n# Heading\n":                         "\n＃ Heading\n",
		"- item\n  1. two\n+ x\n===":            "－ item\n1． two\n＋ x\n＝==",
		"    code":                              "code",
		"see www.evil.example":                  "see www．evil.example",
		"C:\\path":                              "C:＼path",
		"a &lt; b":                              "a ＆lt; b",
		"\x1b[31mred\x1b[0m":                    "␛［31mred␛［0m",
		"ok\rFAKE\x7f\u202e":                    "ok␍FAKE␡\uFFFD",
	} {
		if got := markdownText(in); got != want {
			t.Errorf("markdownText(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzMarkdownText: whatever the value, and wherever truncate cuts it,
// nothing of it is markup that DingTalk or WeCom read.
func FuzzMarkdownText(f *testing.F) {
	f.Add("[x](http://e) <@all> **b** `c` # h\n- l")
	f.Add("\x1b]0;t\x07 www.x _a_ \\")
	f.Fuzz(func(t *testing.T, s string) {
		out := markdownText(s)
		if strings.ContainsAny(out, "[]<>*`~#\\@&") || strings.Contains(out, "://") {
			t.Fatalf("markdownText(%q) = %q", s, out)
		}
		if strings.ContainsFunc(out, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
			t.Fatalf("control character in %q", out)
		}
		for n := range 8 {
			if cut := truncate(n, out); strings.ContainsAny(cut, "[]<>*`\\") {
				t.Fatalf("truncate(%d) = %q", n, cut)
			}
		}
	})
}

func TestLinkURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://prometheus:9090/graph?g0.expr=up":   "http://prometheus:9090/graph?g0.expr=up",
		"https://wiki.example/Disk_(full) page":     "https://wiki.example/Disk_%28full%29%20page",
		"http://[::1]:9093/a<b>*`":                  "http://[::1]:9093/a%3Cb%3E%2A%60",
		"https://wiki.example/日本":                   "https://wiki.example/%E6%97%A5%E6%9C%AC",
		"javascript:alert(1)":                       "",
		"dingtalk://dingtalkclient/page/link?url=x": "",
		"http://x/a\nb":                             "",
		"/relative":                                 "",
	} {
		if got := LinkURL(in); got != want {
			t.Errorf("LinkURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// Silence links are built from the real labels and URL values a template
// links go back to being URLs; the text shows the neutralised values.
func TestDingTalkDataMends(t *testing.T) {
	tm, err := New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := amtemplate.Alert{Status: "firing", Labels: amtemplate.KV{"alertname": "x", "instance": "https://site.example/a_(b)"},
		Annotations:  amtemplate.KV{"runbook_url": "https://wiki.example/r?x=1&y=(2)"},
		GeneratorURL: "http://prom:9090/graph?g0.expr=up)%20[x](http://evil"}
	d := NewData(&amtemplate.Data{Alerts: amtemplate.Alerts{a}, ExternalURL: "http://am:9093"}, "firing", false, "ops")
	e := DingTalkData(d)
	out := e.Execute(tm, `{{ range .Alerts }}{{ .Labels.instance }} [S]({{ silenceURL $.ExternalURL . }}) [R]({{ .Annotations.runbook_url }}) [G]({{ .GeneratorURL }}){{ end }}`, "")
	want := "https:／／site.example/a＿(b) [S](" + LinkURL(SilenceURL("http://am:9093", a)) +
		") [R](https://wiki.example/r?x=1&y=%282%29) [G](http://prom:9090/graph?g0.expr=up%29%20%5Bx%5D%28http://evil)"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	if d.Alerts[0].Labels["instance"] != "https://site.example/a_(b)" {
		t.Error("the original data changed")
	}
}
