package faketelegram

import (
	"strings"
	"testing"
)

func TestParseHTMLAccepts(t *testing.T) {
	tests := []struct {
		name, in, plain string
	}{
		{"plain", "hello", "hello"},
		{"entities", "a &lt;b&gt; &amp; &quot;c&quot;", `a <b> & "c"`},
		{"numeric", "&#39;&#x41;&#X1F600;&#128512;", "'A😀😀"},
		{"bare greater-than", "a > b", "a > b"},
		{"simple tags", "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike><del>d</del>", "bsieunskd"},
		{"case-insensitive tags", "<B>x</B>", "x"},
		{"nested", "<b>bold <i>both</i></b>", "bold both"},
		{"spoilers", `<span class="tg-spoiler">a</span><tg-spoiler>b</tg-spoiler>`, "ab"},
		{"link", `<a href="https://example.com/?a=1&amp;b=2">x</a>`, "x"},
		{"single quotes", `<a href='https://example.com/'>x</a>`, "x"},
		{"pre with language", `<pre><code class="language-go">x := 1 &lt; 2</code></pre>`, "x := 1 < 2"},
		{"code", "<code>a_b</code>", "a_b"},
		{"blockquote", "<blockquote>q</blockquote><blockquote expandable>e</blockquote>", "qe"},
		{"custom emoji", `<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>`, "👍"},
		{"space before end of tag", "<b >x</b >", "x"},
		{"empty element", "<b></b>x", "x"},
		{"newlines and CJK", "告警\n<b>严重</b>", "告警\n严重"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHTML(tt.in)
			if err != nil {
				t.Fatalf("ParseHTML(%q): %v", tt.in, err)
			}
			if got != tt.plain {
				t.Errorf("ParseHTML(%q) = %q, want %q", tt.in, got, tt.plain)
			}
		})
	}
}

func TestParseHTMLRejects(t *testing.T) {
	tests := []struct {
		name, in, err string
	}{
		{"bare less-than", "a < b", `Unsupported start tag "" at byte offset 2`},
		{"unsupported tag", "line<br>", `Unsupported start tag "br" at byte offset 4`},
		{"div", "<div>x</div>", `Unsupported start tag "div" at byte offset 0`},
		{"bare ampersand", "a & b", `Unescaped "&" at byte offset 2, it must be written as "&amp;"`},
		{"named entity", "a&nbsp;b", `Unsupported entity "&nbsp;" at byte offset 1`},
		{"entity without semicolon", "&lt b", `Unescaped "&" at byte offset 0, it must be written as "&amp;"`},
		{"zero entity", "&#0;", `Unsupported entity "&#0;" at byte offset 0`},
		{"surrogate entity", "&#xD800;", `Unsupported entity "&#xD800;" at byte offset 0`},
		{"out of range entity", "&#x110000;", `Unsupported entity "&#x110000;" at byte offset 0`},
		{"unclosed", "<b>x", `Can't find end tag corresponding to start tag "b"`},
		{"crossed", "<b><i>x</b></i>", `Unmatched end tag at byte offset 7, expected "</i>", found "</b>"`},
		{"unexpected end", "x</b>", `Unexpected end tag at byte offset 1`},
		{"unclosed start tag", "<b", `Unclosed start tag at byte offset 0`},
		{"unclosed end tag", "<b>x</b", `Unclosed end tag at byte offset 4`},
		{"unquoted attribute", `<a href=https://x>x</a>`, `Unquoted attribute value at byte offset 8`},
		{"unclosed quote", `<a href="https://x>x</a>`, `Unclosed start tag at byte offset 0`},
		{"link without href", `<a>x</a>`, `Tag "a" must have a non-empty attribute "href" at byte offset 0`},
		{"span without spoiler", `<span>x</span>`, `Tag "span" must have class "tg-spoiler" at byte offset 0`},
		{"unknown attribute", `<b class="x">y</b>`, `Unsupported attribute "class" in tag "b" at byte offset 0`},
		{"bad code class", `<code class="go">x</code>`, `Class of tag "code" must be "language-<name>" at byte offset 0`},
		{"emoji without id", `<tg-emoji>👍</tg-emoji>`, `Tag "tg-emoji" must have a numeric attribute "emoji-id" at byte offset 0`},
		{"less-than in attribute", `<a href="<x">y</a>`, `Unescaped "<" in attribute value at byte offset 9`},
		{"ampersand in attribute", `<a href="a&b">y</a>`, `Unescaped "&" in attribute value at byte offset 10`},
		{"self-closing", `<b/>`, `Unsupported start tag "b/" at byte offset 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseHTML(tt.in)
			if err == nil {
				t.Fatalf("ParseHTML(%q) accepted", tt.in)
			}
			if err.Error() != tt.err {
				t.Errorf("ParseHTML(%q) error %q, want %q", tt.in, err, tt.err)
			}
		})
	}
}

func TestUTF16Len(t *testing.T) {
	for in, want := range map[string]int{"": 0, "abc": 3, "é": 1, "告警": 2, "😀": 2, "👍🏽": 4} {
		if got := UTF16Len(in); got != want {
			t.Errorf("UTF16Len(%q) = %d, want %d", in, got, want)
		}
	}
}

func FuzzParseHTML(f *testing.F) {
	for _, s := range []string{"<b>x</b>", "&lt;", `<a href="x">y</a>`, "<pre><code class=\"language-go\">x</code></pre>", "a<b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		plain, err := ParseHTML(s)
		if err != nil {
			return
		}
		// What parses never has more text than it was written with, and a
		// message without markup is its own plain text.
		if len(plain) > len(s) {
			t.Fatalf("plain text %q longer than input %q", plain, s)
		}
		if !strings.ContainsAny(s, "<&") && plain != s {
			t.Fatalf("ParseHTML(%q) = %q", s, plain)
		}
	})
}
