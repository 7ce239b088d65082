package template

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The text escapers of the platforms where a value cannot join the
// template's markup: the console (a terminal, where only control sequences
// act) and Telegram's HTML (html/template escapes every value; what is
// left is what Telegram finds in plain text by itself). The chat escapers
// (escape_chat.go) break autolinks and mentions with the same functions,
// and the Teams notifier, which escapes its whole rendered text, autolinks.

// ConsoleText makes s safe to print on a terminal. Control characters
// (ESC, BEL, CR, backspace...; DEL and the C1 range, which holds an 8-bit
// CSI), line and paragraph separators and the bidirectional controls that
// reorder what a terminal shows become visible Go escapes ("\x1b", "\r",
// "\u202e"), as do bytes that are not UTF-8; a tab stays. A line break
// stays but the line after it is indented, so that a value cannot forge
// a line of its own (a separator, another alert) in the output.
func ConsoleText(s string) string {
	if !needsConsoleEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString("\n  ")
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteByte('\t')
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case isConsoleControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+w])
		}
		i += w
	}
	return b.String()
}

func needsConsoleEscape(s string) bool {
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && w == 1) || (r < 0x20 && r != '\t') || r == 0x7f || isConsoleControl(r) {
			return true
		}
		i += w
	}
	return false
}

// isConsoleControl reports the characters above ASCII that change what a
// terminal or a log viewer shows: C1 controls, line and paragraph
// separators, and the bidirectional marks, embeddings, overrides and
// isolates.
func isConsoleControl(r rune) bool {
	return (r >= 0x80 && r <= 0x9f) || r == 0x2028 || r == 0x2029 || r == 0x200e || r == 0x200f ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x061c
}

// TelegramText keeps a value from becoming a url or mention entity in
// Telegram: a zero-width space after "scheme:" and a leading "www", and
// after an "@" that starts a word (see BreakAutolinks, BreakMentions).
func TelegramText(s string) string { return BreakAutolinks(BreakMentions(s)) }

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
