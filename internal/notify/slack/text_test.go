package slack

import (
	"strings"
	"testing"
	"unicode/utf8"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/template"
)

func TestEscapeData(t *testing.T) {
	t.Parallel()
	d := &amtemplate.Data{Receiver: "a&b", GroupLabels: amtemplate.KV{"job": "<x>"},
		Alerts: amtemplate.Alerts{{Labels: amtemplate.KV{"team": "<!channel>"}, Annotations: amtemplate.KV{"summary": "1 < 2 & 3 > 2"},
			GeneratorURL: "http://p/graph?a=1&b=2"}}}
	got := template.SlackData(template.NewData(d, "", false, "")).Data
	if got.Receiver != "a&amp;b" || got.GroupLabels["job"] != "&lt;x&gt;" ||
		got.Alerts[0].Labels["team"] != "&lt;!channel&gt;" || got.Alerts[0].Annotations["summary"] != "1 &lt; 2 &amp; 3 &gt; 2" {
		t.Errorf("escaped: %+v", got)
	}
	if got.Alerts[0].GeneratorURL != "http://p/graph?a=1&amp;b=2" {
		t.Errorf("a URL is a link target, escaped as Slack wants one: %q", got.Alerts[0].GeneratorURL)
	}
	if d.Alerts[0].Labels["team"] != "<!channel>" || d.Receiver != "a&b" {
		t.Error("escapeData changed the shared data")
	}
}

func TestSplitSections(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("word &amp; <https://x.example/a|link> 🔥 ", 200)
	tests := []struct {
		name  string
		text  string
		limit int
	}{
		{name: "lines", text: strings.Repeat("line of text\n", 500), limit: 100},
		{name: "one long line", text: long, limit: 100},
		{name: "no blanks", text: strings.Repeat("日本語🔥&amp;", 300), limit: 50},
		{name: "code block", text: "intro\n```\n" + strings.Repeat("x = 1\n", 100) + "```\nafter", limit: 80},
		{name: "fits", text: "short", limit: 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			parts := splitSections(tt.text, tt.limit)
			if len(parts) == 0 {
				t.Fatal("no parts")
			}
			var joined strings.Builder
			for _, p := range parts {
				if textLen(p) > tt.limit || strings.TrimSpace(p) == "" || !utf8.ValidString(p) {
					t.Errorf("part of %d units (limit %d): %q", textLen(p), tt.limit, p)
				}
				if strings.Count(p, "```")%2 != 0 {
					t.Errorf("part leaves a code block open: %q", p)
				}
				checkAtomsWhole(t, p)
				joined.WriteString(strings.ReplaceAll(p, "```", ""))
			}
			if squash(joined.String()) != squash(strings.ReplaceAll(tt.text, "```", "")) {
				t.Error("splitting lost or changed text")
			}
		})
	}
}

// checkAtomsWhole fails when s ends or starts inside an entity or a link.
func checkAtomsWhole(t *testing.T, s string) {
	t.Helper()
	if i := strings.LastIndexByte(s, '&'); i >= 0 && !strings.Contains(s[i:], ";") {
		t.Errorf("part ends inside an entity: %q", s[max(0, len(s)-20):])
	}
	if strings.Count(s, "<") != strings.Count(s, ">") {
		t.Errorf("part cuts a link: %q", s[max(0, len(s)-40):])
	}
}

func squash(s string) string { return strings.Join(strings.Fields(s), "") }

func TestShorten(t *testing.T) {
	t.Parallel()
	s := strings.Repeat("ab &amp; <!here> ", 100)
	got := shorten(s, 50)
	if textLen(got) > 50 || !strings.HasSuffix(got, "…") {
		t.Errorf("shorten = %q (%d)", got, textLen(got))
	}
	checkAtomsWhole(t, strings.TrimSuffix(got, "…"))
	if shorten("short", 50) != "short" {
		t.Error("a short text changed")
	}
	if got := shorten("```\n"+strings.Repeat("code\n", 50), 40); strings.Count(got, "```")%2 != 0 || textLen(got) > 40 {
		t.Errorf("code block left open: %q", got)
	}
}

func TestShortenPlainAndTextLen(t *testing.T) {
	t.Parallel()
	title := strings.Repeat("🔥", 100) // 200 UTF-16 units
	got := shortenPlain(title, MaxHeaderText)
	if textLen(got) > MaxHeaderText || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
		t.Errorf("shortenPlain = %q (%d units)", got, textLen(got))
	}
	if textLen("a日🔥") != 4 {
		t.Errorf("textLen = %d, want 4 (🔥 is two UTF-16 units)", textLen("a日🔥"))
	}
}

func TestBuildBlocksKeepsToLimits(t *testing.T) {
	t.Parallel()
	c := &content{
		title:   strings.Repeat("Very long alert name ", 20),
		body:    strings.Repeat("x", maxBodyText),
		context: strings.Repeat("ctx ", 1000),
		links: []link{
			{id: "ok", label: strings.Repeat("L", 100), url: "https://ok.example/"},
			{id: "relative", label: "Relative", url: "/graph"},
			{id: "long", label: "Long", url: "https://x.example/" + strings.Repeat("a", MaxButtonURL)},
			{id: "empty", label: "Empty"},
		},
	}
	blocks := buildBlocks(c, &image{url: "https://img.example/c.png", alt: strings.Repeat("alt ", 1000)})
	if len(blocks) > MaxBlocks || blocks[0].Type != "header" || textLen(blocks[0].Text.Text) > MaxHeaderText {
		t.Fatalf("blocks %+v", blocks[0])
	}
	for _, b := range blocks {
		switch b.Type {
		case "section":
			if textLen(b.Text.Text) > MaxSectionText {
				t.Errorf("section of %d", textLen(b.Text.Text))
			}
		case "image":
			if textLen(b.AltText) > MaxAltText {
				t.Errorf("alt text of %d", textLen(b.AltText))
			}
		case "actions":
			if len(b.Elements) != 1 {
				t.Errorf("buttons %+v: only the valid link should remain", b.Elements)
			}
			if btn := b.Elements[0].(button); textLen(btn.Text.Text) > MaxButtonText {
				t.Errorf("button text of %d", textLen(btn.Text.Text))
			}
		}
	}
}

// FuzzSplitSections checks, for any text a template may render, that
// every section is within the limit, valid UTF-8, not blank, with code
// blocks balanced, and that splitting loses no text.
func FuzzSplitSections(f *testing.F) {
	f.Add("a &amp; b <https://x.example/a|y>\n```\ncode\n```\nz", 20)
	f.Add(strings.Repeat("<https://x.example/"+strings.Repeat("a", 100)+"> ", 3), 30)
	f.Add("```\n"+strings.Repeat("averyveryverylongline", 5)+"\n```", 20)
	f.Add(strings.Repeat("🔥日本", 50), 25)
	f.Add("```", 20)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		limit = 20 + (limit%500+500)%500
		s = strings.ToValidUTF8(s, "?")
		balanced := strings.Count(s, "```")%2 == 0
		parts := splitSections(s, limit)
		var joined strings.Builder
		for _, p := range parts {
			if textLen(p) > limit || strings.TrimSpace(p) == "" || !utf8.ValidString(p) {
				t.Fatalf("part of %d units (limit %d): %q", textLen(p), limit, p)
			}
			if balanced && strings.Count(p, "```")%2 != 0 {
				t.Fatalf("code block left open: %q", p)
			}
			joined.WriteString(p)
		}
		if squash(strings.ReplaceAll(joined.String(), "```", "")) != squash(strings.ReplaceAll(s, "```", "")) {
			t.Fatalf("text lost or changed:\n%q\n%q", s, parts)
		}
		if got := shorten(s, limit); textLen(got) > limit || !utf8.ValidString(got) {
			t.Fatalf("shorten: %d units (limit %d)", textLen(got), limit)
		}
	})
}
