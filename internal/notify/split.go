package notify

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Splitter cuts text in a chat platform's markup into pieces within a
// length limit without breaking the markup: a cut never enters an atom
// (an entity, a link, an escape: what the platform's Atom says) and falls
// after the last blank line that fits (with Paragraphs), else the last line
// break, else the last blank, else between two atoms; a code block open at
// a cut is closed there and opened again in the next piece. Only an atom
// longer than the limit by itself (a very long link written by a template)
// is cut between two characters: a broken link reads badly, a piece over
// the limit would be refused or cut anywhere by the platform.
//
// A zero-width space stays with the character before it: Herald's
// escapers put one after "scheme:" and a word-initial "@" so that a label
// value cannot become a link or a mention, and a cut between the two
// would undo that in the next piece.
type Splitter struct {
	// Len is the length of text as the platform counts it against its
	// limits: UTF-16 code units, runes.
	Len func(string) int
	// Atom is the length in bytes of the markup at the start of s that a
	// cut must not enter, 0 when s starts with plain text. Nil: none.
	Atom func(s string) int
	// Paragraphs prefers a cut after a blank line to one after the last
	// line break.
	Paragraphs bool
}

// CodeFence opens and closes a preformatted block, in Slack's mrkdwn as in
// Markdown.
const CodeFence = "```"

// ellipsis ends a shortened text, so that the cut shows.
const ellipsis = "…"

// zwsp is the zero-width space of Herald's escapers.
const zwsp = "\u200B"

// fenceRoom is what a cut may add to a piece: a line break and a fence on
// each side.
const fenceRoom = 2 * (len(CodeFence) + 1)

// Split cuts s into pieces of at most limit (as Len counts), at the best
// boundary (see Splitter). Blank pieces are dropped: platforms refuse or
// show nothing for them.
func (sp Splitter) Split(s string, limit int) []string {
	room := limit - fenceRoom
	var out []string
	skip := 0
	for rest := strings.TrimSpace(s); rest != ""; {
		if sp.Len(rest) <= limit {
			out = append(out, rest)
			break
		}
		cut := sp.cutAt(rest, room, skip)
		head, reopen := balanceFence(strings.TrimRight(rest[:cut], " \n"))
		rest, skip = strings.TrimSpace(rest[cut:]), 0
		if reopen && rest != "" {
			// The reopened fence must not make a piece of its own.
			rest = CodeFence + "\n" + rest
			skip = len(CodeFence) + 1
		}
		if strings.TrimSpace(head) != "" && head != CodeFence {
			out = append(out, head)
		}
	}
	return out
}

// Shorten cuts s to at most limit at the best boundary (see Splitter),
// closing a code block left open, and ends it with "…" when anything was
// left out.
func (sp Splitter) Shorten(s string, limit int) string {
	if sp.Len(s) <= limit {
		return s
	}
	room := limit - sp.Len(ellipsis) - fenceRoom
	head, _ := balanceFence(strings.TrimRight(s[:sp.cutAt(s, max(room, 1), 0)], " \n"))
	if strings.HasSuffix(head, CodeFence) {
		return head + "\n" + ellipsis
	}
	return head + ellipsis
}

// ShortenPlain cuts plain text (no markup) to at most limit between two
// characters, ending it with "…" when anything was left out.
func (sp Splitter) ShortenPlain(s string, limit int) string {
	if sp.Len(s) <= limit {
		return s
	}
	return strings.TrimRight(s[:sp.charCut(s, limit-sp.Len(ellipsis))], " ") + ellipsis
}

// atom is a piece of text that a cut never enters.
type atom struct {
	end int // byte offset just after the atom
	len int // its length as Len counts
	// para, line and space mark a blank line, a line break and a blank.
	para, line, space bool
}

// atomAt is the atom of s that starts at byte i.
func (sp Splitter) atomAt(s string, i int) atom {
	var a atom
	if n := sp.atomLen(s[i:]); n > 0 {
		a.end = i + n
	} else {
		r, size := utf8.DecodeRuneInString(s[i:])
		a = atom{end: i + size, line: r == '\n', space: unicode.IsSpace(r)}
		a.para = a.line && i > 0 && s[i-1] == '\n'
	}
	for strings.HasPrefix(s[a.end:], zwsp) {
		a.end += len(zwsp)
	}
	a.len = sp.Len(s[i:a.end])
	return a
}

func (sp Splitter) atomLen(s string) int {
	if sp.Atom == nil {
		return 0
	}
	return sp.Atom(s)
}

// cutAt is the byte offset of the best cut of s that keeps at most limit
// before it and more than skip bytes (a fence reopened by the previous cut
// must not make a piece of its own); len(s) when all of s fits.
func (sp Splitter) cutAt(s string, limit, skip int) int {
	n, start := 0, 0
	var lastPara, lastLine, lastSpace, lastAtom int
	for start < len(s) {
		a := sp.atomAt(s, start)
		if n+a.len > limit {
			if lastAtom == 0 {
				return start + sp.charCut(s[start:a.end], limit-n)
			}
			break
		}
		n += a.len
		start = a.end
		if a.end <= skip {
			continue
		}
		lastAtom = a.end
		switch {
		case a.para && sp.Paragraphs:
			lastPara = a.end
		case a.line:
			lastLine = a.end
		case a.space:
			lastSpace = a.end
		}
	}
	if start == len(s) {
		return len(s)
	}
	for _, c := range []int{lastPara, lastLine, lastSpace, lastAtom} {
		if c > 0 {
			return c
		}
	}
	return len(s)
}

// charCut is the byte offset after the characters of s that fit in limit;
// at least one character, so that splitting always moves on.
func (sp Splitter) charCut(s string, limit int) int {
	n, end := 0, 0
	for end < len(s) {
		_, size := utf8.DecodeRuneInString(s[end:])
		u := sp.Len(s[end : end+size])
		if n+u > limit && end > 0 {
			break
		}
		n += u
		end += size
	}
	return end
}

// balanceFence closes a code block left open at the end of head, and says
// whether the rest must open it again.
func balanceFence(head string) (string, bool) {
	if strings.Count(head, CodeFence)%2 == 0 {
		return head, false
	}
	return strings.TrimRight(head, " \n") + "\n" + CodeFence, true
}

// FirstLine is the first non-blank line of s, trimmed: a title or an alt
// text, which platforms show on one line.
func FirstLine(s string) string {
	for line := range strings.Lines(s) {
		if l := strings.TrimSpace(line); l != "" {
			return l
		}
	}
	return ""
}
