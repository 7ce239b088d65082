package notify_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/notify"
)

// bracketed is a splitter whose atoms are [..] on one line, counting runes.
var bracketed = notify.Splitter{
	Len: utf8.RuneCountInString,
	Atom: func(s string) int {
		if s[0] != '[' {
			return 0
		}
		if j := strings.IndexAny(s, "]\n"); j > 0 && s[j] == ']' {
			return j + 1
		}
		return 0
	},
}

func TestSplitterSplit(t *testing.T) {
	t.Parallel()
	paras := bracketed
	paras.Paragraphs = true
	tests := []struct {
		name  string
		sp    notify.Splitter
		text  string
		limit int
		want  []string
	}{
		{"fits", bracketed, "  short  ", 20, []string{"short"}},
		// Each piece keeps room for a code fence on each side: 8 runes.
		{"at the last line break", bracketed, "aaaa bbbb\ncccc dddd\neeee ffff", 18, []string{"aaaa bbbb", "cccc dddd", "eeee ffff"}},
		{"blank line preferred", paras, "aa\n\nbb\ncc\ndd\nee\nff", 17, []string{"aa", "bb\ncc\ndd\nee\nff"}},
		{"without paragraphs", bracketed, "aa\n\nbb\ncc\ndd\nee\nff", 17, []string{"aa\n\nbb", "cc\ndd\nee\nff"}},
		{"at the last blank", bracketed, "aaa bbb ccc ddd eee fff", 16, []string{"aaa bbb", "ccc ddd eee fff"}},
		{"never inside an atom", bracketed, "xx [a b c d] yy", 13, []string{"xx", "[a b c d] yy"}},
		{"an atom too long is cut", bracketed, "[abcdefghijklmnop]", 12, []string{"[abc", "defg", "hijklmnop]"}},
		{"zero-width space stays", bracketed, "abcde@\u200Bfghijklmn", 14, []string{"abcde", "@\u200Bfghijklmn"}},
		{"code block closed and reopened", bracketed, "```\n" + strings.Repeat("x\n", 12) + "```", 20,
			[]string{"```\nx\nx\nx\nx\n```", "```\nx\nx\nx\nx\n```", "```\nx\nx\nx\nx\n```"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.sp.Split(tt.text, tt.limit)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Split = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSplitterShorten(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text  string
		limit int
		want  string
	}{
		{"short", 20, "short"},
		{"see the [link to somewhere far] tail", 20, "see the…"},
		{"```\n" + strings.Repeat("code\n", 10), 20, "```\ncode\n```\n…"},
	}
	for _, tt := range tests {
		if got := bracketed.Shorten(tt.text, tt.limit); got != tt.want || utf8.RuneCountInString(got) > tt.limit {
			t.Errorf("Shorten(%q, %d) = %q, want %q", tt.text, tt.limit, got, tt.want)
		}
	}
	if got := bracketed.ShortenPlain("日本語のタイトル", 5); got != "日本語の…" {
		t.Errorf("ShortenPlain = %q", got)
	}
	if got := notify.FirstLine("\n  \n  title \nrest"); got != "title" {
		t.Errorf("FirstLine = %q", got)
	}
}

// FuzzSplitter checks, for any text, that every piece is within the
// limit, valid UTF-8 and not blank, that code blocks stay balanced, and
// that splitting loses no text.
func FuzzSplitter(f *testing.F) {
	f.Add("a [b c] d\n```\ncode\n```\nz\u200Bq", 20)
	f.Add(strings.Repeat("[x"+strings.Repeat("a", 40)+"] ", 3), 30)
	f.Add(strings.Repeat("🔥日本\n\n", 50), 25)
	f.Add("```", 20)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		limit = 20 + (limit%500+500)%500
		s = strings.ToValidUTF8(s, "?")
		balanced := strings.Count(s, notify.CodeFence)%2 == 0
		for _, sp := range []notify.Splitter{bracketed, {Len: utf8.RuneCountInString, Paragraphs: true}} {
			var joined strings.Builder
			for _, p := range sp.Split(s, limit) {
				if sp.Len(p) > limit || strings.TrimSpace(p) == "" || !utf8.ValidString(p) {
					t.Fatalf("piece of %d (limit %d): %q", sp.Len(p), limit, p)
				}
				if balanced && strings.Count(p, notify.CodeFence)%2 != 0 {
					t.Fatalf("code block left open: %q", p)
				}
				joined.WriteString(p)
			}
			squash := func(s string) string {
				return strings.Join(strings.Fields(strings.ReplaceAll(s, notify.CodeFence, "")), "")
			}
			if squash(joined.String()) != squash(s) {
				t.Fatalf("text lost or changed: %q", s)
			}
			if got := sp.Shorten(s, limit); sp.Len(got) > limit || !utf8.ValidString(got) {
				t.Fatalf("Shorten: %d (limit %d)", sp.Len(got), limit)
			}
		}
	})
}
