package dingtalk

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEscLen(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "plain", `"quoted" \ back`, "a\nb\r\tc", "<b>&amp;</b>", "\x00\x1f",
		"\u2028\u2029", "日本語 Узел 🚀", "bad \xff utf8", "\ufffd"} {
		if got, want := escLen(s), len(encode(s))-2; got < want || (got != want && !strings.ContainsRune(s, utf8.RuneError)) {
			t.Errorf("escLen(%q) = %d, encoded %d", s, got, want)
		}
	}
}

func TestSplit(t *testing.T) {
	t.Parallel()
	var lines []string
	for i := range 400 {
		lines = append(lines, fmt.Sprintf("- %03d %s", i, strings.Repeat("日本", i%20)))
	}
	text := strings.Join(lines, "\n")
	parts := split(text, 1500, 2000)
	if len(parts) < 3 {
		t.Fatalf("%d parts", len(parts))
	}
	for i, p := range parts {
		limit := 2000
		if i == 0 {
			limit = 1500
		}
		if escLen(p) > limit || !utf8.ValidString(p) || strings.HasPrefix(p, "\n") || strings.HasSuffix(p, "\n") {
			t.Errorf("part %d: %d bytes, valid %v", i, escLen(p), utf8.ValidString(p))
		}
	}
	if got := strings.Join(parts, "\n"); got != text {
		t.Error("lines were lost or cut")
	}
}

// A line longer than a part is cut between characters, at a space near
// the end when there is one, and nothing is lost.
func TestSplitLongLine(t *testing.T) {
	t.Parallel()
	line := strings.Repeat("告警", 1000) + " " + strings.Repeat("x", 50)
	parts := split(line, 1000, 1000)
	for i, p := range parts {
		if escLen(p) > 1000 || !utf8.ValidString(p) {
			t.Errorf("part %d: %d bytes, valid %v", i, escLen(p), utf8.ValidString(p))
		}
	}
	if strings.Join(parts, "") != strings.Replace(line, " ", "", 1) && strings.Join(parts, "") != line {
		t.Error("characters were lost")
	}
	words := split(strings.Repeat("word ", 300), 100, 100)
	for _, p := range words[:len(words)-1] {
		if !strings.HasSuffix(p, "word ") {
			t.Errorf("cut inside a word: %q", p)
		}
	}
}

// A storm too long for MaxParts messages names as many alerts as fit and
// says how many more there are; the header and footer stay.
func TestShortenSaysWhatItLeavesOut(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("### 🔥 3000 alerts firing\n\n")
	for i := range 3000 {
		fmt.Fprintf(&b, "- 🔥 **DiskFull** node-%04d:9100 — %s\n", i, strings.Repeat("long summary ", 5))
	}
	b.WriteString("\n[Alertmanager](http://am:9093/#/alerts)")
	ps := layout("🔥 3000 alerts firing", b.String(), "", nil)
	if len(ps) != MaxParts {
		t.Fatalf("%d parts, want %d", len(ps), MaxParts)
	}
	var all string
	for _, p := range ps {
		if n := len(encode(p)); n > MaxBodyBytes {
			t.Errorf("body of %d bytes", n)
		}
		all += p.Markdown.Text + "\n"
	}
	m := regexp.MustCompile(`- … (\d+) more alerts`).FindStringSubmatch(all)
	if m == nil {
		t.Fatalf("no note of the alerts left out:\n%s", all[len(all)-300:])
	}
	var more int
	fmt.Sscan(m[1], &more)
	if shown := strings.Count(all, "**DiskFull**"); shown+more != 3000 || shown < 400 {
		t.Errorf("%d shown + %d more, want 3000", shown, more)
	}
	if !strings.Contains(ps[0].Markdown.Text, "### 🔥 3000 alerts firing") || !strings.Contains(all, "[Alertmanager](") {
		t.Error("header or footer lost")
	}
}

// A text without list items that is too long loses its last lines, with a
// note of how many.
func TestTruncateWithoutList(t *testing.T) {
	t.Parallel()
	text := strings.Repeat(strings.Repeat("z", 99)+"\n", 2000)
	ps := layout("t", text, "", nil)
	if len(ps) != MaxParts || !strings.Contains(ps[MaxParts-1].Markdown.Text, "more lines not shown") {
		t.Fatalf("%d parts; last ends %q", len(ps), ps[len(ps)-1].Markdown.Text[len(ps[len(ps)-1].Markdown.Text)-60:])
	}
	for _, p := range ps {
		if n := len(encode(p)); n > MaxBodyBytes {
			t.Errorf("body of %d bytes", n)
		}
	}
}

// Text that JSON escaping doubles (quotes, backslashes, line breaks) still
// gives bodies within the limit.
func TestLayoutCountsEscaping(t *testing.T) {
	t.Parallel()
	text := strings.Repeat(`"\"`+"\n", 9000)
	extras := "![chart](https://h/i.png)\n\n@13800000000"
	ps := layout(strings.Repeat("标题", 100), text, extras, &at{AtMobiles: []string{"13800000000"}})
	for i, p := range ps {
		if n := len(encode(p)); n > MaxBodyBytes {
			t.Errorf("part %d: body of %d bytes", i, n)
		}
	}
	if !strings.Contains(ps[0].Markdown.Text, extras) || ps[0].At == nil || (len(ps) > 1 && ps[1].At != nil) {
		t.Error("extras and mentions belong to the first part only")
	}
}

func FuzzLayout(f *testing.F) {
	f.Add("### title\n\n- a\n- b\n\nfooter", 3)
	f.Add(strings.Repeat("- 🔥 **x** 日本語\n", 50), 200)
	f.Add("\"\\\n\x00\u2028", 1000)
	f.Fuzz(func(t *testing.T, text string, repeat int) {
		// Up to a megabyte: far more than any alert message.
		repeat = max(1, min(repeat, (1<<20)/max(len(text), 1)))
		text = strings.Repeat(text, repeat)
		if strings.TrimSpace(text) == "" {
			return
		}
		ps := layout("title", text, "@1", &at{AtMobiles: []string{"1"}})
		if len(ps) == 0 || len(ps) > MaxParts {
			t.Fatalf("%d parts", len(ps))
		}
		for i, p := range ps {
			if n := len(encode(p)); n > MaxBodyBytes {
				t.Fatalf("part %d: body of %d bytes", i, n)
			}
			if strings.TrimSpace(p.Markdown.Text) == "" {
				t.Fatalf("part %d is empty", i)
			}
			if utf8.ValidString(text) && !utf8.ValidString(p.Markdown.Text) {
				t.Fatalf("part %d cuts a UTF-8 sequence", i)
			}
		}
	})
}
