package slack

import (
	"strings"

	"github.com/heraldhq/herald/internal/notify"
)

// mrkdwnText cuts Slack mrkdwn (see notify.Splitter) counting what
// Slack's limits count (textLen), never inside an entity (&amp;) or a
// control sequence (<https://x|link>, <!here>, <@U123>).
var mrkdwnText = notify.Splitter{Len: textLen, Atom: mrkdwnAtom}

// mrkdwnAtom is the length of the entity or control sequence at the start
// of s, or 0.
func mrkdwnAtom(s string) int {
	switch s[0] {
	case '&':
		return entityLen(s)
	case '<':
		// A control sequence ends at the next '>' on the same line; a
		// '<' without one is text (Slack shows it as is).
		if j := strings.IndexAny(s[1:], ">\n"); j >= 0 && s[1+j] == '>' {
			return j + 2
		}
	}
	return 0
}

// entityLen is the length of the entity Slack decodes at the start of s
// (&amp; &lt; &gt;), or 0.
func entityLen(s string) int {
	for _, e := range []string{"&amp;", "&lt;", "&gt;"} {
		if strings.HasPrefix(s, e) {
			return len(e)
		}
	}
	return 0
}

// splitSections cuts mrkdwn text into pieces of at most limit units, at
// line breaks where possible, without cutting an entity, a link or a
// mention, and closing a preformatted block at a cut (and opening it again
// after). Blank pieces are dropped: Slack refuses an empty section.
func splitSections(s string, limit int) []string { return mrkdwnText.Split(s, limit) }

// shorten cuts mrkdwn text to at most limit units, at a safe boundary,
// and ends it with "…" when anything was left out.
func shorten(s string, limit int) string { return mrkdwnText.Shorten(s, limit) }

// shortenPlain cuts plain text (no markup) to at most limit units between
// two characters, ending it with "…".
func shortenPlain(s string, limit int) string { return mrkdwnText.ShortenPlain(s, limit) }
