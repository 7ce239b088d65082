package mattermost

import (
	"regexp"
	"strings"

	"github.com/heraldhq/herald/internal/notify"
)

// A message longer than a post goes as several posts, cut where a reader
// expects a break (a blank line first) and never inside markup: not
// inside an entity (&lt;), a backslash escape (\*), a link or an image
// ([text](url)); a code block open at a cut is closed there and opened
// again in the next post (see notify.Splitter).
var markdownText = notify.Splitter{Len: runes, Atom: markdownAtom, Paragraphs: true}

// mdLink is a Markdown link or image on one line; a cut never enters it.
var mdLink = regexp.MustCompile(`^!?\[[^\[\]\n]*\]\([^()\s]*\)`)

// entity is an HTML character reference; a cut never enters it.
var entity = regexp.MustCompile(`^&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});`)

// asciiPunct are the characters a backslash escapes in CommonMark.
const asciiPunct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

// markdownAtom is the length of the escape, entity, link or image at the
// start of s, or 0.
func markdownAtom(s string) int {
	switch s[0] {
	case '\\':
		if len(s) > 1 && strings.IndexByte(asciiPunct, s[1]) >= 0 {
			return 2
		}
	case '&':
		return len(entity.FindString(s))
	case '[', '!':
		return len(mdLink.FindString(s))
	}
	return 0
}

// split cuts Markdown text into parts of at most limit runes. Blank parts
// are dropped.
func split(s string, limit int) []string { return markdownText.Split(s, limit) }

// shorten cuts Markdown text to at most limit runes at a safe boundary,
// ending it with "…" when anything was left out.
func shorten(s string, limit int) string { return markdownText.Shorten(s, limit) }
