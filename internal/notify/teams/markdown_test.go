package teams

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/testutil/faketeams"
)

func TestEscapeMarkdown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"node_exporter", "node_exporter"},
		{"HostDown", "HostDown"},
		{"_private_", `\_private\_`},
		{"a _b_ c", `a \_b\_ c`},
		{"*db_01*", `\*db_01\*`},
		{"**bold**", `\*\*bold\*\*`},
		{"[x](http://evil)", "\\[x\\](http:\u200b//evil)"},
		{"- item", `\- item`},
		{"+ item", `\+ item`},
		{"  - item", `  \- item`},
		{"1. first", `1\. first`},
		{"2024) year", `2024\) year`},
		{"10.0.0.1:9100", `10\.0.0.1:9100`},
		{"v1.2 ok", "v1.2 ok"},
		{"# heading", `\# heading`},
		{"issue #1", "issue #1"},
		{"> quote", `\> quote`},
		{"a > b", `a \> b`},
		{"<b>bold</b>", `\<b\>bold\</b\>`},
		{"`code`", "\\`code\\`"},
		{"~~gone~~", `\~\~gone\~\~`},
		{`C:\temp`, `C:\\temp`},
		{"a | b", `a \| b`},
		{"&amp; &#42; & x", `\&amp; \&#42; & x`},
		{"===", `\===`},
		{"日本_語", "日本_語"},
		{"🔥_x", `🔥\_x`},
		{"line\n- two", "line\n\\- two"},
		{"", ""},
	} {
		if got := escapeMarkdown(tc.in); got != tc.want {
			t.Errorf("escapeMarkdown(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCut(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"a longer text", 8, "a longe…"},
		{"word then space", 6, "word…"},
		{"日本語のテキスト", 4, "日本語…"},
		{"🔥🔥🔥🔥", 2, "🔥…"},
		{"anything", 0, "anything"},
	} {
		got := cut(tc.in, tc.n)
		if got != tc.want || !utf8.ValidString(got) {
			t.Errorf("cut(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
		if tc.n > 0 && utf8.RuneCountInString(got) > tc.n {
			t.Errorf("cut(%q, %d) is %d runes", tc.in, tc.n, utf8.RuneCountInString(got))
		}
	}
}

// What Teams shows of an escaped text is the text itself.
func FuzzEscapeMarkdown(f *testing.F) {
	for _, s := range []string{"*db_01*", "- [x](y)", "1. a\n# b", `\*`, "&amp;", "a_b_c", "🔥_*_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		esc := escapeMarkdown(s)
		if got := faketeams.Unescape(esc); got != s {
			t.Fatalf("escapeMarkdown(%q) = %q reads as %q", s, esc, got)
		}
		for _, c := range []string{"*", "`", "[", "]", "~", "<", ">", "|"} {
			if strings.Count(esc, c) != strings.Count(esc, `\`+c) {
				t.Fatalf("escapeMarkdown(%q) = %q leaves %q unescaped", s, esc, c)
			}
		}
	})
}
