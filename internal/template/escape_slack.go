package template

import (
	"strings"
	"unicode"
	"unicode/utf8"

	amtemplate "github.com/prometheus/alertmanager/template"
)

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

// EscapeSlackData returns a copy of d for Slack mrkdwn templates: every
// label and annotation value (and name) and the receiver through
// EscapeSlack; ExternalURL, GeneratorURLs and "…_url" annotations as link
// targets (LinkTarget, then the three entities Slack wants in a URL).
func EscapeSlackData(d *amtemplate.Data) *amtemplate.Data {
	return escapeChatData(d, EscapeSlack, func(u string) string {
		return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(LinkTarget(u))
	})
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
