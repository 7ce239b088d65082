package template

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The text escapers of the chats whose markup has links and mentions in
// plain words (Slack mrkdwn, Discord markdown): besides their formatting
// characters, they break bare URLs and "@" mentions (see BreakAutolinks,
// BreakMentions).

// Slack mrkdwn has no escape character: "&, <, and > ... must be converted
// to HTML entities if they're not going to be used for their parsing
// purpose" (https://docs.slack.dev/messaging/formatting-message-text#escaping),
// and Slack decodes no other entity. So the formatting marks a value could
// carry (*bold*, _italic_, ~strike~, `code`) are replaced by look-alike
// characters that Slack does not parse, which keeps them visible and
// readable; the whole replacement is one character, so a later `truncate`
// can never cut it in half.
var slackLookalikes = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	"*", "∗", // U+2217 ASTERISK OPERATOR
	"~", "∼", // U+223C TILDE OPERATOR
	"`", "ˋ", // U+02CB MODIFIER LETTER GRAVE ACCENT
)

// slackUnderscore replaces an "_" that Slack could read as italics: one not
// between two letters or digits (node_exporter stays as it is).
const slackUnderscore = "ˍ" // U+02CD MODIFIER LETTER LOW MACRON

// EscapeSlack makes s, outside text, plain text inside Slack mrkdwn: no
// link (<url|x>, and no bare URL even where Slack would link it), no
// mention (<!channel>, <@U1>, @here), no formatting (*, _, ~, `, a quote
// ">" at the start of a line). What a reader sees is s, with look-alikes
// for the formatting marks (see slackLookalikes).
func EscapeSlack(s string) string {
	s = BreakAutolinks(BreakMentions(s))
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '_' && !(chatWordRune(runeBefore(s, i)) && chatWordRune(runeAfter(s, i+n))):
			b.WriteString(slackUnderscore)
		case r == '>' && atLineStart(s, i):
			// "&gt;" alone would still open a quote; the zero-width
			// space makes the line start with something else.
			b.WriteString(zwsp + "&gt;")
		default:
			b.WriteString(slackLookalikes.Replace(s[i : i+n]))
		}
		i += n
	}
	return b.String()
}

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

// atLineStart reports whether only blanks stand between the start of the
// line and s[i]. The start of s counts as a line start: a template may put
// a value at the start of a line.
func atLineStart(s string, i int) bool {
	for j := i - 1; j >= 0; j-- {
		switch s[j] {
		case ' ', '\t':
			continue
		case '\n':
			return true
		default:
			return false
		}
	}
	return true
}

// runeBefore and runeAfter return the runes around position i of s, or -1.
func runeBefore(s string, i int) rune {
	if i == 0 {
		return -1
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r
}

func runeAfter(s string, i int) rune {
	if i >= len(s) {
		return -1
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r
}

func chatWordRune(r rune) bool { return r >= 0 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }
