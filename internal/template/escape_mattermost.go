package template

import (
	"strings"
	"unicode/utf8"
)

// Mattermost reads outside text in two passes, and a value must stay data
// in both:
//
//   - the server, before storing an incoming webhook's post, turns Slack
//     links <url|text> into Markdown links in the message text and in the
//     attachments' text, pretext and field values (model.ParseSlackAttachment,
//     linkWithTextRegex), and finds @mentions in words split at anything
//     but letters, digits and ":.-_@" (a backslash does not stop it);
//   - the clients render Markdown (CommonMark with GFM tables and
//     strikethrough, no raw HTML), then look in the text it leaves for bare
//     URLs, e-mail addresses, @user, @channel/@all/@here, ~channel links,
//     #hashtags and :emoji:
//     (https://docs.mattermost.com/collaborate/format-messages.html).
//
// So EscapeMattermost uses three tools: a backslash before the Markdown
// punctuation (CommonMark shows "\*" as "*"), HTML entities for "<", ">"
// and "&" (the server's regular expression needs a real "<", and
// CommonMark decodes the entity for the reader), and a zero-width space
// where the clients' second pass looks for words (after "@", "~", "#",
// "scheme:" and "www"), which no reader sees.

// mattermostBackslash are the characters that get a backslash anywhere:
// emphasis (*), links and images ([ ]), tables (|) and the escape
// character itself. "_" is handled apart (inside a word it is no markup).
const mattermostBackslash = `\*[]|`

// mattermostLineStart are the characters that are markup only at the
// start of a line: list items (- +) and setext heading underlines (= -).
const mattermostLineStart = "-+="

// EscapeMattermost makes s, outside text, plain text inside Mattermost
// Markdown (message and attachment text, pretext, titles and field values,
// props.card): no link (Markdown, <url|text>, bare URL or e-mail), no
// image, no mention (@user, @channel, @all, @here), no ~channel link, no
// hashtag, no emoji, no formatting (emphasis, strikethrough, code, headings,
// quotes, lists, tables, indented code). What a reader sees is s: the
// escapes are invisible, a backtick becomes the look-alike "ˋ" (a
// backslash does not work inside the code spans templates put values in),
// control characters become their visible pictures (␍) and the blanks
// that start a line are dropped (four of them make a code block).
//
// Each character is replaced by characters that are never markup, so a
// later truncate can cut between a backslash and its character: the "…"
// it adds then follows the backslash, which escapes nothing that matters.
func EscapeMattermost(s string) string {
	if s == "" {
		return s
	}
	s = BreakAutolinks(strings.ToValidUTF8(s, "\uFFFD"))
	var b strings.Builder
	b.Grow(len(s) + 16)
	lineHead := true
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if lineHead && (r == ' ' || r == '\t') {
			i += n
			continue
		}
		head := lineHead
		lineHead = false
		switch {
		case r == '\n':
			b.WriteByte('\n')
			lineHead = true
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20:
			b.WriteRune(0x2400 + r)
		case r == 0x7f:
			b.WriteRune('\u2421')
		case isConsoleControl(r):
			b.WriteRune(utf8.RuneError)
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '`':
			b.WriteString("ˋ")
		case r == '@' || r == '~' || r == '#':
			// "~" also gets a backslash: a single one may open
			// strikethrough, and a zero-width space is not a blank to a
			// Markdown parser.
			if r == '~' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
			b.WriteString(zwsp)
		case r == ':' && emojiAfter(s[i+1:]):
			b.WriteString(":" + zwsp)
		case r < utf8.RuneSelf && strings.IndexByte(mattermostBackslash, byte(r)) >= 0:
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '_' && !(chatWordRune(runeBefore(s, i)) && chatWordRune(runeAfter(s, i+n))):
			b.WriteString(`\_`)
		case head && r < utf8.RuneSelf && strings.IndexByte(mattermostLineStart, byte(r)) >= 0:
			b.WriteByte('\\')
			b.WriteRune(r)
		case head && r >= '0' && r <= '9':
			// "1. x" and "1) x" are ordered list items: escape the delimiter.
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			b.WriteString(s[i:j])
			if j+1 < len(s) && (s[j] == '.' || s[j] == ')') && strings.IndexByte(" \t\n", s[j+1]) >= 0 ||
				j+1 == len(s) && (s[j] == '.' || s[j] == ')') {
				b.WriteByte('\\')
				b.WriteByte(s[j])
				j++
			}
			i = j
			continue
		default:
			b.WriteRune(r)
		}
		i += n
	}
	return b.String()
}

// emojiAfter reports whether s (what follows a ":") starts with an emoji
// name and its closing colon (":fire:"), which Mattermost shows as the
// emoji: letters, digits, "_", "+" and "-".
func emojiAfter(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			return i > 0
		case c == '_' || c == '+' || c == '-' || (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'z'):
			continue
		default:
			return false
		}
	}
	return false
}

// MattermostData is d for Mattermost Markdown templates: see
// EscapeMattermost. Link targets are LinkURL's, which percent-encodes the
// "<", ">" and "|" the server would read as a Slack link; Mend restores
// the URL values a template makes link targets.
func MattermostData(d *Data) *Escaped {
	return escapeData(d, escaping{text: EscapeMattermost, targets: true})
}

// MattermostPlainText makes s safe in the plain text of an attachment's
// fallback, which notifications show: no mention (a zero-width space after
// "@"), no bare link, and no control character.
func MattermostPlainText(s string) string {
	s = BreakAutolinks(strings.ToValidUTF8(s, "\uFFFD"))
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			b.WriteByte(' ')
		case r < 0x20:
			b.WriteRune(0x2400 + r)
		case r == 0x7f:
			b.WriteRune('\u2421')
		case isConsoleControl(r):
			b.WriteRune(utf8.RuneError)
		case r == '@':
			b.WriteString("@" + zwsp)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// MattermostPlainData is d for the plain-text templates of Mattermost (an
// attachment's fallback): see MattermostPlainText.
func MattermostPlainData(d *Data) *Escaped {
	return escapeData(d, escaping{text: MattermostPlainText})
}
