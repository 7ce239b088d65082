package teams

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/template"
)

// Adaptive Cards read TextBlock text and fact titles and values as a
// subset of Markdown (https://learn.microsoft.com/en-us/adaptive-cards/authoring-cards/text-features):
// "*x*", "_x_", "**x**", "[a](b)", "- " and "1. " lists. Teams renders it
// with a CommonMark parser, which takes a backslash before any ASCII
// punctuation as "this character as it is". Herald's Teams templates write
// plain text, and everything a card shows goes through escapeMarkdown, so
// that a label such as `*db_01*` or `- x` is shown as it is instead of in
// italics or as a list, "[x](u)" is no link and "<at>x</at>" no mention
// (Teams mentions need an msteams.entities entry too, and Herald writes
// none). Escaping the whole rendered text rather than the values keeps
// user templates safe as well: they are plain text by contract.

// escapeMarkdown returns s, one line of plain text, with the characters
// that Markdown would read as formatting escaped. It escapes only where it
// matters, because a renderer that shows backslashes (older mobile clients)
// should show as few as possible: "_" inside a word (node_exporter) is left
// alone, since CommonMark never takes it for emphasis there.
func escapeMarkdown(s string) string {
	// Teams makes bare URLs clickable; a zero-width space after the
	// scheme's colon keeps the text and loses the link. Links Herald means
	// are buttons (Action.OpenUrl), never text.
	s = template.BreakAutolinks(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	lineStart := true
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\n':
			lineStart = true
			b.WriteByte('\n')
			i += n
			continue
		case lineStart && (r == ' ' || r == '\t'):
			// Leading blanks do not end the start of a line: "  - x" is
			// still a list item.
			b.WriteRune(r)
			i += n
			continue
		case lineStart && strings.ContainsRune("-+=#>", r):
			// Lists, setext and ATX headings, block quotes, thematic breaks.
			b.WriteByte('\\')
		case lineStart && r >= '0' && r <= '9':
			// "1. x" and "1) x" are ordered lists: escape the delimiter.
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j < len(s) && (s[j] == '.' || s[j] == ')') {
				b.WriteString(s[i:j])
				b.WriteByte('\\')
				i = j
				lineStart = false
				continue
			}
		case strings.ContainsRune("\\*`~[]<>|", r):
			b.WriteByte('\\')
		case r == '_' && !(wordRune(before(s, i)) && wordRune(after(s, i+n))):
			b.WriteByte('\\')
		case r == '&' && i+1 < len(s) && (s[i+1] == '#' || isASCIILetter(s[i+1])):
			// "&amp;" would be decoded to "&".
			b.WriteByte('\\')
		}
		lineStart = false
		b.WriteString(s[i : i+n])
		i += n
	}
	return b.String()
}

// before and after return the runes around position i of s, or -1.
func before(s string, i int) rune {
	if i == 0 {
		return -1
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r
}

func after(s string, i int) rune {
	if i >= len(s) {
		return -1
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r
}

func wordRune(r rune) bool { return r >= 0 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }

func isASCIILetter(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

// cut shortens s to at most n runes, ending it with "…"; n <= 0 keeps s.
// It cuts plain text, before escaping, so that a cut never separates a
// backslash from the character it escapes.
func cut(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	count := 0
	for i := range s {
		if count == n-1 {
			return strings.TrimRightFunc(s[:i], unicode.IsSpace) + "…"
		}
		count++
	}
	return s
}

// oneLine folds the line breaks and runs of blanks of s into single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
