package template

import (
	"strings"
	"testing"

	amtemplate "github.com/prometheus/alertmanager/template"
)

func TestLinkURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://prometheus:9090/graph?g0.expr=up":        "http://prometheus:9090/graph?g0.expr=up",
		"http://p.example/graph?g0.expr=rate(x[5m]) > 1": "http://p.example/graph?g0.expr=rate%28x%5B5m%5D%29%20%3E%201",
		"https://wiki.example/Disk_(full) page":          "https://wiki.example/Disk_%28full%29%20page",
		"https://w.example/a|b<c>`d`*'\"{}^\\":           "https://w.example/a%7Cb%3Cc%3E%60d%60%2A%27%22%7B%7D%5E%5C",
		"http://[::1]:9093/a<b>*`":                       "http://[::1]:9093/a%3Cb%3E%2A%60",
		"https://wiki.example/日本":                        "https://wiki.example/%E6%97%A5%E6%9C%AC",
		"HTTPS://w.example/%20a":                         "https://w.example/%20a",
		" https://w.example/r\n":                         "https://w.example/r",
		"javascript:alert(1)":                            "",
		"dingtalk://dingtalkclient/page/link?url=x":      "",
		"http://x/a\nb":                                  "",
		"http://x/a\x1b[31m":                             "",
		"/relative":                                      "",
		"":                                               "",
	} {
		if got := LinkURL(in); got != want {
			t.Errorf("LinkURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// Silence links are built from the real labels and URL values a template
// links go back to being URLs; the text shows the neutralised values.
func TestDingTalkDataMends(t *testing.T) {
	tm := mustNew(t)
	a := amtemplate.Alert{Status: "firing", Labels: amtemplate.KV{"alertname": "x", "instance": "https://site.example/a_(b)"},
		Annotations:  amtemplate.KV{"runbook_url": "https://wiki.example/r?x=1&y=(2)"},
		GeneratorURL: "http://prom:9090/graph?g0.expr=up)%20[x](http://evil"}
	d := NewData(&amtemplate.Data{Alerts: amtemplate.Alerts{a}, ExternalURL: "http://am:9093"}, "firing", false, "ops")
	e := DingTalkData(d)
	out := e.Execute(tm, `{{ range .Alerts }}{{ .Labels.instance }} [S]({{ silenceURL $.ExternalURL . }}) [R]({{ .Annotations.runbook_url }}) [G]({{ .GeneratorURL }}) [I]({{ .Labels.instance }}){{ end }}`, "")
	want := "https:／／site.example/a＿(b) [S](" + LinkURL(SilenceURL("http://am:9093", a)) +
		") [R](https://wiki.example/r?x=1&y=%282%29) [G](http://prom:9090/graph?g0.expr=up%29%20%5Bx%5D%28http://evil)" +
		" [I](https://site.example/a_%28b%29)"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	if d.Alerts[0].Labels["instance"] != "https://site.example/a_(b)" {
		t.Error("the original data changed")
	}
}

// Every platform's silenceURL, built by a template from the escaped
// labels, becomes the link of the real labels, written as the platform
// writes a link target.
func TestSilenceURLMended(t *testing.T) {
	tm := mustNew(t)
	const am = "http://am.example:9093/am&x"
	a := amtemplate.Alert{Status: "firing", Labels: amtemplate.KV{"alertname": "x", "team": "<@123> *a*_b http://e"}}
	real := LinkURL(SilenceURL(am, a))
	amp := strings.ReplaceAll(real, "&", "&amp;")
	const body = `{{ range .Alerts }}{{ silenceURL $.ExternalURL . }}{{ end }}`
	for _, c := range []struct {
		name, want string
		render     func(*Data) string
	}{
		{"console", real, func(d *Data) string { return ConsoleData(d).Execute(tm, body, "") }},
		{"dingtalk", real, func(d *Data) string { return DingTalkData(d).Execute(tm, body, "") }},
		{"wecom", real, func(d *Data) string { return WeComData(d).Execute(tm, body, "") }},
		{"discord", real, func(d *Data) string { return DiscordData(d).Execute(tm, body, "") }},
		{"slack", amp, func(d *Data) string { return SlackData(d).Execute(tm, body, "") }},
		{"telegram", amp, func(d *Data) string { return TelegramData(d).Execute(tm, body, "") }},
	} {
		d := NewData(&amtemplate.Data{Alerts: amtemplate.Alerts{a}, ExternalURL: am}, "firing", false, "ops")
		if got := c.render(d); got != c.want {
			t.Errorf("%s: got\n%s\nwant\n%s", c.name, got, c.want)
		}
	}
}

func TestEscapeDataKeepsShared(t *testing.T) {
	d := hostileData()
	got := DiscordData(d).Data
	if d.Alerts[0].Labels["team"] != "<@123>" || got.Alerts[0].Labels["team"] != "\\<@\u200b123\\>" {
		t.Errorf("shared %q escaped %q", d.Alerts[0].Labels["team"], got.Alerts[0].Labels["team"])
	}
	if got.Alerts[0].Annotations["runbook_url"] != "https://r.example/a%20b" || got.ExternalURL != "" || got.Alerts[0].GeneratorURL != "http://p.example/g" {
		t.Errorf("urls %+v %q", got.Alerts[0], got.ExternalURL)
	}
	if got.Alerts[0].Annotations["note_url"] != "not a \\<link\\>" {
		t.Errorf("a …_url annotation that is no URL is text: %q", got.Alerts[0].Annotations["note_url"])
	}
	if s := SlackData(d).Data; s.Alerts[0].Annotations["dash_url"] != "https://g.example/d?a=1&amp;b=%3Cx%3E" {
		t.Errorf("slack link target %q", s.Alerts[0].Annotations["dash_url"])
	}
}

// Where the text escaper leaves "]" in a value (Discord, Slack), link
// targets are not mended: a value holding "](" and another value's escaped
// URL would otherwise become a link.
func TestNoTargetsWhereValuesKeepBrackets(t *testing.T) {
	tm := mustNew(t)
	d := NewData(&amtemplate.Data{Alerts: amtemplate.Alerts{{Labels: amtemplate.KV{
		"a": "http://evil.example", "b": "[x](http://evil.example)"}}}}, "firing", false, "ops")
	for name, e := range map[string]*Escaped{"discord": DiscordData(d), "slack": SlackData(d)} {
		if out := e.Execute(tm, `{{ range .Alerts }}{{ .Labels.b }}{{ end }}`, ""); strings.Contains(out, "://") {
			t.Errorf("%s: %q", name, out)
		}
	}
}

// Two names that escape alike resolve the same way every time.
func TestEscapedNamesCollide(t *testing.T) {
	kv := amtemplate.KV{"a*": "1", "a∗": "2"}
	for range 20 {
		if got := escapeKV(kv, escaping{text: EscapeSlack, link: LinkURL}, false); len(got) != 1 || got["a∗"] != "2" {
			t.Fatalf("got %v", got)
		}
	}
}

func hostileData() *Data {
	return NewData(&amtemplate.Data{ExternalURL: "javascript:x", Alerts: amtemplate.Alerts{{
		Labels: amtemplate.KV{"team": "<@123>"},
		Annotations: amtemplate.KV{"runbook_url": "https://r.example/a b", "note_url": "not a <link>",
			"dash_url": "https://g.example/d?a=1&b=<x>"},
		GeneratorURL: "http://p.example/g",
	}}}, "firing", false, "ops")
}

func mustNew(t *testing.T) *Templates {
	t.Helper()
	tm, err := New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}
