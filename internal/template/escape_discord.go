package template

import (
	"strings"
	"unicode/utf8"

	amtemplate "github.com/prometheus/alertmanager/template"
)

// discordAlways are the characters Discord's Markdown could read as markup
// anywhere in a line: emphasis and strike (* ~), spoilers (|), masked links
// and autolinks ([ ] < >), and the escape character itself. Discord takes
// a backslash before any other ASCII punctuation as that character as it
// is, and shows "\<@123>" and "\@everyone" as text, not as mentions.
const discordAlways = "\\*~|[]<>"

// discordLineStart are the characters that are markup only at the start
// of a line: headings and subtext (# -#), block quotes (>), list items (- +
// *).
const discordLineStart = "#->+"

// EscapeDiscord makes s, outside text, plain text inside Discord Markdown
// (embed titles and descriptions, field values, message content): no
// masked or bare link, no mention (@everyone, <@id>, <@&id>, <#id>), no
// formatting. Markdown characters get a backslash; a backtick becomes the
// look-alike "ˋ", because a backslash does not work inside a code span and
// templates put values in code spans; "@" and "://" get a zero-width space
// (see BreakMentions, BreakAutolinks).
//
// A `truncate` after it can cut between a backslash and its character; the
// "…" it appends then follows the backslash, which escapes only that, so
// the template's own markup after the value is untouched.
func EscapeDiscord(s string) string {
	s = BreakAutolinks(BreakMentions(s))
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '`':
			b.WriteString("ˋ")
			i += n
			continue
		case r < utf8.RuneSelf && strings.IndexByte(discordAlways, byte(r)) >= 0:
			b.WriteByte('\\')
		case r == '_' && !(chatWordRune(runeBefore(s, i)) && chatWordRune(runeAfter(s, i+n))):
			b.WriteByte('\\')
		case r < utf8.RuneSelf && strings.IndexByte(discordLineStart, byte(r)) >= 0 && atLineStart(s, i):
			b.WriteByte('\\')
		case r >= '0' && r <= '9' && atLineStart(s, i):
			// "1. x" is an ordered list: escape its delimiter.
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j < len(s) && (s[j] == '.' || s[j] == ')') {
				b.WriteString(s[i:j])
				b.WriteByte('\\')
				b.WriteByte(s[j])
				i = j + 1
				continue
			}
		}
		b.WriteString(s[i : i+n])
		i += n
	}
	return b.String()
}

// EscapeDiscordData returns a copy of d for Discord templates: every label
// and annotation value (and name) and the receiver through EscapeDiscord;
// ExternalURL, GeneratorURLs and "…_url" annotations through LinkTarget,
// so that [Source]({{ .GeneratorURL }}) stays one link to where it says.
func EscapeDiscordData(d *amtemplate.Data) *amtemplate.Data {
	return escapeChatData(d, EscapeDiscord, LinkTarget)
}
