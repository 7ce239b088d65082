package faketeams

import (
	"regexp"
	"strings"
)

// Format is a piece of formatting Teams applies to TextBlock and fact
// Markdown: Kind is "bold", "italic" or "list"; Text is what it applies to.
type Format struct{ Kind, Text string }

// markup is what Teams makes of one Markdown text.
type markup struct {
	links, mentions []string
	formats         []Format
}

// hidden maps a backslash-escaped character to a private-use rune, so that
// the patterns below never see it as markup.
const hidden = 0xF0000

// hideEscapes hides the characters that a backslash escapes (CommonMark:
// any ASCII punctuation).
func hideEscapes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]) {
			b.WriteRune(hidden + rune(s[i+1]))
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// The Markdown Teams renders in a TextBlock and in facts
// (https://learn.microsoft.com/en-us/adaptive-cards/authoring-cards/text-features):
// **bold**, _italic_ (and *italic*), lists and [links](url); Teams also
// makes bare URLs clickable, and shows <at>name</at> as a mention when the
// card's msteams.entities names it. Images (![x](u)) are not supported;
// the "!" stays text and the rest is a link.
var (
	linkRE    = regexp.MustCompile(`\[([^\[\]]*)\]\(\s*([^\s)]+)[^)]*\)`)
	bareURLRE = regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}])((?:https?://|www\.)[^\s<]+)`)
	atRE      = regexp.MustCompile(`(?i)<at(?:\s[^>]*)?>[^<]*</at>`)
	listRE    = regexp.MustCompile(`^\s*(?:[-*+]|\d+[.)]) \S`)
	spanREs   = []struct {
		kind string
		re   *regexp.Regexp
	}{
		{"bold", regexp.MustCompile(`\*\*(\S(?:.*?\S)?)\*\*`)},
		{"bold", regexp.MustCompile(`(?:^|[^\p{L}\p{N}_])__(\S(?:.*?\S)?)__(?:[^\p{L}\p{N}_]|$)`)},
		{"italic", regexp.MustCompile(`\*(\S(?:[^*]*?\S)?)\*`)},
		{"italic", regexp.MustCompile(`(?:^|[^\p{L}\p{N}_])_(\S(?:[^_]*?\S)?)_(?:[^\p{L}\p{N}_]|$)`)},
	}
)

// parseMarkdown finds what Teams renders in s.
func parseMarkdown(s string) markup {
	var m markup
	s = hideEscapes(s)
	for _, l := range linkRE.FindAllStringSubmatch(s, -1) {
		m.links = append(m.links, unhide(l[2]))
	}
	rest := linkRE.ReplaceAllString(s, " $1 ")
	for _, l := range bareURLRE.FindAllStringSubmatch(rest, -1) {
		m.links = append(m.links, unhide(l[1]))
	}
	rest = bareURLRE.ReplaceAllString(rest, " ")
	for _, a := range atRE.FindAllString(s, -1) {
		m.mentions = append(m.mentions, unhide(a))
	}
	for line := range strings.SplitSeq(rest, "\n") {
		if listRE.MatchString(line) {
			m.formats = append(m.formats, Format{"list", unhide(line)})
		}
		for _, sp := range spanREs {
			line = sp.re.ReplaceAllStringFunc(line, func(match string) string {
				inner := sp.re.FindStringSubmatch(match)[1]
				m.formats = append(m.formats, Format{sp.kind, unhide(inner)})
				return " " + inner + " "
			})
		}
	}
	return m
}

func unhide(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= hidden && r < hidden+0x80 {
			return r - hidden
		}
		return r
	}, s)
}

// lookalikes are invisible characters: what people read is nothing.
var lookalikes = strings.NewReplacer("\u200b", "", "\u200d", "", "\u2060", "")

// Fold returns s as a person reads it: invisible characters (zero-width
// space and joiners) dropped. Tests compare what a card shows with a label
// value through it.
func Fold(s string) string { return lookalikes.Replace(s) }
