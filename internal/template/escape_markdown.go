package template

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The text escaper of the chats whose markdown has no escape character
// (DingTalk, WeCom): markup characters become look-alikes.

// DingTalkText makes s plain text in DingTalk's markdown (see
// markdownText). DingTalk documents no escape character, and clients
// differ in whether "\" escapes, so markup characters become their
// full-width forms, which no markdown reader takes for markup and a
// reader of the chat reads as the same character.
func DingTalkText(s string) string { return markdownText(s) }

// WeComText makes s plain text in WeCom's markdown and in a text
// message's content. WeCom's markdown subset (headings, bold, links,
// inline code, quotes, <font color>) has no escape character, and both
// message types read "<@userid>" as a mention, so s is neutralised like
// DingTalk's (see markdownText): "<" becomes "＜", "@" "＠", "*" "＊", and so
// on.
func WeComText(s string) string { return markdownText(s) }

// mdFullWidth are the characters markdownText always replaces, with what
// replaces them:
//   - "[" "]": links and images ("![x](u)");
//   - "<" ">": HTML (<font color>, <a>, <img>), autolinks, WeCom's
//     <@userid> mentions, DingTalk's <@all>, and quotes at a line start;
//   - "*" "`" "~" "#": bold, italics, code spans and fences, strikethrough,
//     headings;
//   - "\": an escape that would act on the template's next character;
//   - "@": mentions ("@all");
//   - "&": character references ("&lt;" shown as "<").
var mdFullWidth = map[rune]rune{
	'[': '［', ']': '］', '<': '＜', '>': '＞', '*': '＊', '`': '｀', '~': '～', '#': '＃',
	'\\': '＼', '@': '＠', '&': '＆',
}

// mdLineStart are the characters that are markup only at the start of a
// line (see mdListMarker): list items ("- ", "+ ", "1. ", "1) ") and the
// underlines of a heading or a rule ("===", "---").
var mdLineStart = map[rune]rune{'-': '－', '+': '＋', '=': '＝', '.': '．', ')': '）'}

// markdownText neutralises s for a chat's markdown, one character for one:
//   - the characters of mdFullWidth, always;
//   - "_" unless it joins two letters or digits (node_exporter stays), as
//     only a "_" at a word's edge starts or ends emphasis;
//   - "//" after ":" ("https://" becomes "https:／／") and the "." of a
//     "www." starting a word, which chats make clickable;
//   - at the start of each of its lines: blanks (an indented line is a
//     code block) and the list, heading-underline and rule markers of
//     mdLineStart;
//   - control characters become their visible pictures (U+2400...),
//     bidirectional controls U+FFFD.
//
// Line breaks stay: a description keeps its lines, and oneLine folds them
// where a template wants one line.
func markdownText(s string) string {
	if !needsMarkdownEscape(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s) + 16)
	rs := []rune(s)
	lineHead := true
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if lineHead {
			if r == ' ' || r == '\t' {
				continue
			}
			lineHead = false
			if n := mdListMarker(rs[i:]); n > 0 {
				b.WriteString(string(rs[i : i+n-1]))
				b.WriteRune(mdLineStart[rs[i+n-1]])
				i += n - 1
				continue
			}
		}
		switch {
		case r == '\n':
			b.WriteByte('\n')
			lineHead = true
		case r == '\t':
			b.WriteByte('\t')
		case r < 0x20:
			b.WriteRune(0x2400 + r)
		case r == 0x7f:
			b.WriteRune('\u2421')
		case isConsoleControl(r):
			b.WriteRune(utf8.RuneError)
		case mdFullWidth[r] != 0:
			b.WriteRune(mdFullWidth[r])
		case r == '_':
			if i > 0 && i+1 < len(rs) && mdWordRune(rs[i-1]) && mdWordRune(rs[i+1]) {
				b.WriteByte('_')
			} else {
				b.WriteRune('＿')
			}
		case r == ':' && i+2 < len(rs) && rs[i+1] == '/' && rs[i+2] == '/':
			b.WriteString(":／／")
			i += 2
		case (r == 'w' || r == 'W') && i+3 < len(rs) && strings.EqualFold(string(rs[i:i+4]), "www.") &&
			(i == 0 || !mdWordRune(rs[i-1]) && rs[i-1] != '.'):
			b.WriteString(string(rs[i:i+3]) + "．")
			i += 3
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// needsMarkdownEscape reports whether markdownText would change s, so
// that the common value (a host name, a job) is not copied.
func needsMarkdownEscape(s string) bool {
	if s == "" {
		return false
	}
	if c := s[0]; c == ' ' || c == '\t' || mdLineStart[rune(c)] != 0 || (c >= '0' && c <= '9') {
		return true
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '_' || r == ':' || r == 'w' || r == 'W' || mdFullWidth[r] != 0 ||
			isConsoleControl(r) || r == utf8.RuneError {
			return true
		}
	}
	return false
}

// mdListMarker returns the length of the list item marker, heading
// underline or rule that starts rs ("- ", "+ ", "12. ", "3) ", "==",
// "--"), its last character being the one to replace; 0 for none.
func mdListMarker(rs []rune) int {
	blankAfter := func(j int) bool { return j >= len(rs) || rs[j] == ' ' || rs[j] == '\t' || rs[j] == '\n' }
	switch r := rs[0]; {
	case r == '-' || r == '=':
		if blankAfter(1) || rs[1] == r {
			return 1
		}
	case r == '+':
		if blankAfter(1) {
			return 1
		}
	case r >= '0' && r <= '9':
		j := 0
		for j < len(rs) && j < 9 && rs[j] >= '0' && rs[j] <= '9' {
			j++
		}
		if j < len(rs) && (rs[j] == '.' || rs[j] == ')') && blankAfter(j+1) {
			return j + 1
		}
	}
	return 0
}

func mdWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
