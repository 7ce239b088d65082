package template

import (
	"strings"
	"testing"
	"unicode"
)

// The text escapers, one per syntax; escape_data_test.go covers the data
// copy and the link targets.

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

func TestConsoleText(t *testing.T) {
	for in, want := range map[string]string{
		"node-1:9100":                "node-1:9100",
		"日本語 🚀\ttab":                 "日本語 🚀\ttab",
		"\x1b]0;pwned\x07\x1b[2J":    `\x1b]0;pwned\x07\x1b[2J`,
		"ok\rFAKE":                   `ok\rFAKE`,
		"a\nb":                       "a\n  b",
		"\u202eevil\u2028\u0085\x7f": `\u202eevil\u2028\u0085\x7f`,
		"bad \xff":                   `bad \xff`,
	} {
		if got := ConsoleText(in); got != want {
			t.Errorf("ConsoleText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTelegramText(t *testing.T) {
	for in, want := range map[string]string{
		"@admin mail a@b.example":  "@\u200badmin mail a@b.example",
		"http://e.example www.e.x": "http:\u200b//e.example www\u200b.e.x",
		"<b>x</b> node_exporter":   "<b>x</b> node_exporter", // html/template's job
	} {
		if got := TelegramText(in); got != want {
			t.Errorf("TelegramText(%q) = %q, want %q", in, got, want)
		}
	}
}

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
