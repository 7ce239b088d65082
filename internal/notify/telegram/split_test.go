package telegram

import (
	"strings"
	"testing"
	"unicode"

	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int
		want  []string
	}{
		{"fits", "<b>a</b>\nb", 10, []string{"<b>a</b>\nb"}},
		{"exactly the limit", "abcd", 4, []string{"abcd"}},
		{"on the last line that fits", "aa\nbb\ncc", 6, []string{"aa\nbb\n", "cc"}},
		{"tag open at the cut", "<b>aa\nbb</b>", 4, []string{"<b>aa\n</b>", "<b>bb</b>"}},
		{"nested tags reopened in order", `<blockquote expandable><a href="x">aa bb</a></blockquote>`, 3,
			[]string{`<blockquote expandable><a href="x">aa </a></blockquote>`, `<blockquote expandable><a href="x">bb</a></blockquote>`}},
		{"pre with language", "<pre><code class=\"language-go\">aaa\nbbb</code></pre>", 5,
			[]string{"<pre><code class=\"language-go\">aaa\n</code></pre>", "<pre><code class=\"language-go\">bbb</code></pre>"}},
		{"long line at a space", "aaa bbb ccc", 8, []string{"aaa bbb ", "ccc"}},
		{"long word between characters", "abcdefgh", 3, []string{"abc", "def", "gh"}},
		{"entity is one unit and never cut", "&lt;&lt;&lt;&amp;", 2, []string{"&lt;&lt;", "&lt;&amp;"}},
		{"numeric entities", "&#128512;&#x1F600;", 2, []string{"&#128512;", "&#x1F600;"}},
		{"surrogate pair never cut", "a😀b", 2, []string{"a", "😀", "b"}},
		{"UTF-8 sequence never cut", "告警告警", 3, []string{"告警告", "警"}},
		{"tag not left empty before a cut", "aaa<b>bbb</b>", 3, []string{"aaa", "<b>bbb</b>"}},
		{"end tags stay with their text", "<i>aa</i>\n<i>bb</i>", 3, []string{"<i>aa</i>\n", "<i>bb</i>"}},
		{"custom emoji never cut", `a<tg-emoji emoji-id="1">👍🏽</tg-emoji>`, 4,
			[]string{"a", `<tg-emoji emoji-id="1">👍🏽</tg-emoji>`}},
		{"quoted > in attribute", `<a href="x>y">abcd</a>`, 2, []string{`<a href="x>y">ab</a>`, `<a href="x>y">cd</a>`}},
		{"blank part dropped", "a\n" + strings.Repeat(" ", 8) + "\nb", 4, []string{"a\n", "\nb"}},
		{"blank end dropped", "abc\n  ", 4, []string{"abc\n"}},
		{"empty", "", 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Split(tt.in, tt.limit)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Errorf("Split(%q, %d)\n got %q\nwant %q", tt.in, tt.limit, got, tt.want)
			}
			checkParts(t, tt.in, got, tt.limit)
		})
	}
}

func TestSplitLongAlert(t *testing.T) {
	line := "<b>🔥 DiskFull</b> <code>db-01:9100</code> 磁盘空间不足 &lt;10% &amp; falling\n"
	in := strings.Repeat(line, 200)
	parts := Split(in, MaxMessageLength)
	if len(parts) < 2 {
		t.Fatalf("%d parts", len(parts))
	}
	for i, p := range parts {
		if !strings.HasSuffix(p, "falling\n") {
			t.Errorf("part %d is not cut at a line end: ...%q", i, p[max(0, len(p)-30):])
		}
	}
	checkParts(t, in, parts, MaxMessageLength)
}

// checkParts asserts what every split must give, for an input Telegram
// accepts: each part valid, non-empty and within limit, and together the
// same text as the whole, except blank parts.
func checkParts(t *testing.T, in string, parts []string, limit int) {
	t.Helper()
	want, err := faketelegram.ParseHTML(in)
	if err != nil {
		return // Telegram would refuse the whole message anyway
	}
	rest := want
	for i, p := range parts {
		plain, err := faketelegram.ParseHTML(p)
		if err != nil {
			t.Fatalf("part %d %q is invalid: %v", i, p, err)
		}
		if n := faketelegram.UTF16Len(plain); n > max(limit, 2) {
			t.Fatalf("part %d has %d UTF-16 units, limit %d", i, n, limit)
		}
		if strings.TrimSpace(plain) == "" {
			t.Fatalf("part %d %q has no text", i, p)
		}
		// Only blank text may be missing between parts.
		blank := len(rest) - len(strings.TrimLeftFunc(rest, unicode.IsSpace))
		k := 0
		for k <= blank && !strings.HasPrefix(rest[k:], plain) {
			k++
		}
		if k > blank {
			t.Fatalf("part %d text %q does not continue the original at %q", i, plain, rest[:min(len(rest), 40)])
		}
		rest = rest[k+len(plain):]
	}
	if strings.TrimSpace(rest) != "" {
		t.Fatalf("text lost at the end: %q", rest)
	}
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{
		"<b>bold\nline</b>\n<i>x</i>",
		"<pre><code class=\"language-go\">a\nb</code></pre>",
		`<a href="https://x/?a=1&amp;b=2">link text</a> &lt;&gt;&quot;&#39;`,
		"😀😀😀 告警 <tg-spoiler>spoiler</tg-spoiler>",
		`<blockquote expandable>q</blockquote><span class="tg-spoiler">s</span>`,
		`<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>`,
	} {
		f.Add(s, uint16(3))
	}
	f.Add(" 👍", uint16(1)) // a blank that fits, then a pair that does not
	f.Add("abc\n  ", uint16(3))
	f.Fuzz(func(t *testing.T, s string, limit uint16) {
		lim := int(limit%64) + 1
		if limit > 60000 {
			lim = MaxMessageLength
			s = strings.Repeat(s, MaxMessageLength/max(1, len(s))+2)
		}
		parts := Split(s, lim)
		checkParts(t, s, parts, lim)
		// Exactly the original text, but for blanks at the end or in a run
		// that fills a part before the next character (of up to 2 units)
		// fits: Telegram would refuse a blank part as empty.
		if want, err := faketelegram.ParseHTML(s); err == nil {
			var got strings.Builder
			for _, p := range parts {
				plain, _ := faketelegram.ParseHTML(p)
				got.WriteString(plain)
			}
			trim := func(s string) string { return strings.TrimRightFunc(s, unicode.IsSpace) }
			if trim(got.String()) != trim(want) && !hasBlankRun(want, lim-1) {
				t.Fatalf("plain text changed:\n got %q\nwant %q", got.String(), want)
			}
		}
	})
}

// hasBlankRun reports a run of blanks of at least n UTF-16 units, the only
// text Split may leave out.
func hasBlankRun(s string, n int) bool {
	run := 0
	for _, r := range s {
		if !unicode.IsSpace(r) {
			run = 0
			continue
		}
		if run++; run >= n {
			return true
		}
	}
	return false
}
