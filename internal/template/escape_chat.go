package template

import (
	"strings"
	"unicode"
	"unicode/utf8"

	amtemplate "github.com/prometheus/alertmanager/template"
)

// What the chat escapers (EscapeSlack, EscapeDiscord, and the Teams
// notifier's Markdown escaping) share: outside text is data, so a label or
// annotation value must not become a link or a mention even where the
// platform finds them in plain words (bare URLs, @everyone).

// zwsp is the zero-width space put inside what a platform would otherwise
// parse: it is invisible, so the value reads as it was written, and it is
// neither a letter nor a space to the platforms' parsers, so "@\u200Beveryone"
// is no mention and "http:\u200B//x" no URL. discord.py's escape_mentions
// uses the same character.
const zwsp = "\u200B"

// BreakAutolinks inserts a zero-width space where a chat client would turn
// plain text into a link: after the colon of "scheme://" and after a "www"
// that starts a word. The text still reads the same; it just stops being a
// URL to a linkifier.
func BreakAutolinks(s string) string {
	if !strings.Contains(s, "://") && !strings.Contains(strings.ToLower(s), "www.") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		switch {
		case s[i] == ':' && strings.HasPrefix(s[i+1:], "//") && i > 0 && isASCIIAlpha(s[i-1]):
			b.WriteString(zwsp)
		case (s[i] == 'w' || s[i] == 'W') && i >= 2 && strings.EqualFold(s[i-2:i+1], "www") &&
			strings.HasPrefix(s[i+1:], ".") && !wordBefore(s, i-2):
			b.WriteString(zwsp)
		}
	}
	return b.String()
}

// BreakMentions inserts a zero-width space after every "@" that starts a
// word ("@everyone", "@here", "@all", "<@U123>", "<@&123>"), so that no
// platform takes it for a mention. An "@" inside a word (an e-mail
// address) is left alone: no platform mentions there.
func BreakMentions(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] == '@' && !wordBefore(s, i) && i+1 < len(s) && !strings.HasPrefix(s[i+1:], zwsp) {
			b.WriteString(zwsp)
		}
	}
	return b.String()
}

// wordBefore reports whether the rune before s[i] is a letter or a digit.
func wordBefore(s string, i int) bool {
	if i == 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isASCIIAlpha(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

// LinkTarget returns u made safe to write as the target of a link in chat
// markup ([text](u) in Markdown, <u|text> in Slack mrkdwn), or "" when u is
// not an absolute http(s) URL: characters that would end the target or
// start markup ( ) [ ] < > | ` " space, controls and non-ASCII) are
// percent-encoded, which keeps the URL the same to a browser.
func LinkTarget(u string) string {
	u = strings.TrimSpace(u)
	if !isURL(u) {
		return ""
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(u))
	for i := 0; i < len(u); i++ {
		c := u[i]
		if c > 0x20 && c < 0x7f && !strings.ContainsRune("()[]<>|`\"{}\\^", rune(c)) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// escapeChatData returns a copy of d whose outside text (label names and
// values, annotations, the receiver) went through text, and whose URLs
// (ExternalURL, each GeneratorURL) through link, so that a template can
// write any of them as they are. Annotations named "…_url" holding an
// http(s) URL (runbook_url, dashboard_url) are link targets by convention
// and go through link too. d is shared with other goroutines and is not
// changed.
func escapeChatData(d *amtemplate.Data, text, link func(string) string) *amtemplate.Data {
	if d == nil {
		return nil
	}
	out := *d
	out.Receiver = text(d.Receiver)
	out.ExternalURL = link(d.ExternalURL)
	out.GroupLabels = escapeChatKV(d.GroupLabels, text, link)
	out.CommonLabels = escapeChatKV(d.CommonLabels, text, link)
	out.CommonAnnotations = escapeChatKV(d.CommonAnnotations, text, link)
	out.Alerts = make(amtemplate.Alerts, len(d.Alerts))
	for i, a := range d.Alerts {
		a.Labels = escapeChatKV(a.Labels, text, link)
		a.Annotations = escapeChatKV(a.Annotations, text, link)
		a.GeneratorURL = link(a.GeneratorURL)
		out.Alerts[i] = a
	}
	return &out
}

// escapeChatKV returns a copy of kv with its names and values escaped (see
// escapeData).
func escapeChatKV(kv amtemplate.KV, text, link func(string) string) amtemplate.KV {
	if kv == nil {
		return nil
	}
	out := make(amtemplate.KV, len(kv))
	for k, v := range kv {
		if strings.HasSuffix(k, "_url") && isURL(strings.TrimSpace(v)) {
			out[text(k)] = link(v)
			continue
		}
		out[text(k)] = text(v)
	}
	return out
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
