package template

import (
	"strings"
	"testing"

	amtemplate "github.com/prometheus/alertmanager/template"
)

func TestChatEscapers(t *testing.T) {
	for _, c := range []struct {
		name, in, slack, discord string
	}{
		{"mentions", "@everyone <@123> a@b.example", "@\u200beveryone &lt;@\u200b123&gt; a@b.example", "@\u200beveryone \\<@\u200b123\\> a@b.example"},
		{"links", "[x](http://e.example) www.e.example", "[x](http:\u200b//e.example) www\u200b.e.example", "\\[x\\](http:\u200b//e.example) www\u200b.e.example"},
		{"slack link", "<http://e|x> & <!here>", "&lt;http:\u200b//e|x&gt; &amp; &lt;!here&gt;", "\\<http:\u200b//e\\|x\\> & \\<!here\\>"},
		{"formatting", "*b* _i_ node_exporter ~s~ `c`", "∗b∗ ˍiˍ node_exporter ∼s∼ ˋcˋ", "\\*b\\* \\_i\\_ node_exporter \\~s\\~ ˋcˋ"},
		{"line starts", "> q\n# h\n- l\n1. n", "\u200b&gt; q\n# h\n- l\n1. n", "\\> q\n\\# h\n\\- l\n1\\. n"},
		{"plain", "node-1:9100", "node-1:9100", "node-1:9100"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := EscapeSlack(c.in); got != c.slack {
				t.Errorf("EscapeSlack(%q) = %q, want %q", c.in, got, c.slack)
			}
			if got := EscapeDiscord(c.in); got != c.discord {
				t.Errorf("EscapeDiscord(%q) = %q, want %q", c.in, got, c.discord)
			}
		})
	}
}

func TestLinkTarget(t *testing.T) {
	for in, want := range map[string]string{
		"http://p.example/graph?g0.expr=rate(x[5m]) > 1": "http://p.example/graph?g0.expr=rate%28x%5B5m%5D%29%20%3E%201",
		"https://w.example/a|b<c>`d`":                    "https://w.example/a%7Cb%3Cc%3E%60d%60",
		"https://w.example/é":                            "https://w.example/%C3%A9",
		"javascript:alert(1)":                            "",
		"/relative":                                      "",
	} {
		if got := LinkTarget(in); got != want {
			t.Errorf("LinkTarget(%q) = %q, want %q", in, got, want)
		}
	}
}

// A cut by truncate after escaping ends in "…", which no escape
// sequence or entity can take as its end: the template's markup after the
// value stays as it was.
func TestTruncateAfterEscaping(t *testing.T) {
	v := `\*[x](http://e)&<>` + "`"
	for _, esc := range []func(string) string{EscapeSlack, EscapeDiscord} {
		s := esc(v)
		for n := 1; n < len(s); n++ {
			cut := truncate(n, s)
			if cut != s && !strings.HasSuffix(cut, "…") {
				t.Errorf("truncate(%d, %q) = %q", n, s, cut)
			}
		}
	}
}

func TestEscapeDataKeepsShared(t *testing.T) {
	d := hostileData()
	got := EscapeDiscordData(d)
	if d.Alerts[0].Labels["team"] != "<@123>" || got.Alerts[0].Labels["team"] != "\\<@\u200b123\\>" {
		t.Errorf("shared %q escaped %q", d.Alerts[0].Labels["team"], got.Alerts[0].Labels["team"])
	}
	if got.Alerts[0].Annotations["runbook_url"] != "https://r.example/a%20b" || got.ExternalURL != "" || got.Alerts[0].GeneratorURL != "http://p.example/g" {
		t.Errorf("urls %+v %q", got.Alerts[0], got.ExternalURL)
	}
}

func hostileData() *amtemplate.Data {
	return &amtemplate.Data{ExternalURL: "javascript:x", Alerts: amtemplate.Alerts{{
		Labels:       amtemplate.KV{"team": "<@123>"},
		Annotations:  amtemplate.KV{"runbook_url": "https://r.example/a b"},
		GeneratorURL: "http://p.example/g",
	}}}
}
