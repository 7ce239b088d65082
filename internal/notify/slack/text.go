package slack

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// atom is a piece of mrkdwn that a cut never enters: an entity (&amp;), a
// control sequence (<https://x|link>, <!here>, <@U123>) or one character.
type atom struct {
	end   int // byte offset just after the atom
	units int // length as textLen counts it
	line  bool
	space bool
}

// atoms splits s into atoms.
func atoms(s string) []atom {
	out := make([]atom, 0, len(s))
	for i := 0; i < len(s); {
		n := 0
		switch s[i] {
		case '&':
			n = entityLen(s[i:])
		case '<':
			// A control sequence ends at the next '>' on the same line; a
			// '<' without one is text (Slack shows it as is).
			if j := strings.IndexAny(s[i+1:], ">\n"); j >= 0 && s[i+1+j] == '>' {
				n = j + 2
			}
		}
		if n > 0 {
			out = append(out, atom{end: i + n, units: textLen(s[i : i+n])})
			i += n
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		out = append(out, atom{end: i + size, units: textLen(s[i : i+size]), line: r == '\n', space: unicode.IsSpace(r)})
		i += size
	}
	return out
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

// codeFence opens and closes a preformatted block in mrkdwn.
const codeFence = "```"

// cutAt returns the byte offset of the best cut of s that keeps at most
// limit units before it and more than skip bytes (a code fence reopened by
// the previous cut must not make a part of its own): after the last line
// break that fits, else after the last blank, else between two atoms. An
// atom longer than limit by itself (a very long link written by a
// template) is cut between two characters: a broken link reads badly, a
// section over the limit would make Slack refuse the whole message.
func cutAt(s string, limit, skip int) int {
	units, start, lastLine, lastSpace, lastAtom := 0, 0, 0, 0, 0
	for _, a := range atoms(s) {
		if units+a.units > limit {
			if lastAtom == 0 {
				return start + runeCut(s[start:a.end], limit-units)
			}
			break
		}
		units += a.units
		start = a.end
		if a.end <= skip {
			continue
		}
		lastAtom = a.end
		switch {
		case a.line:
			lastLine = a.end
		case a.space:
			lastSpace = a.end
		}
	}
	switch {
	case lastLine > 0:
		return lastLine
	case lastSpace > 0:
		return lastSpace
	case lastAtom > 0:
		return lastAtom
	}
	return len(s) // everything fits
}

// runeCut is the byte offset after the characters of s that fit in limit
// units; at least one character, so that splitting always moves on.
func runeCut(s string, limit int) int {
	units, end := 0, 0
	for end < len(s) {
		_, size := utf8.DecodeRuneInString(s[end:])
		u := textLen(s[end : end+size])
		if units+u > limit && end > 0 {
			break
		}
		units += u
		end += size
	}
	return end
}

// balanceFence closes a preformatted block left open at the end of head,
// and says whether the rest must open it again.
func balanceFence(head string) (string, bool) {
	if strings.Count(head, codeFence)%2 == 0 {
		return head, false
	}
	return strings.TrimRight(head, " \n") + "\n" + codeFence, true
}

// splitSections cuts mrkdwn text into pieces of at most limit units, at
// line breaks where possible, without cutting an entity, a link or a
// mention, and closing a preformatted block at a cut (and opening it again
// after). Blank pieces are dropped: Slack refuses an empty section.
func splitSections(s string, limit int) []string {
	// Room for the fence a cut may add on each side.
	room := limit - 2*(len(codeFence)+1)
	var out []string
	skip := 0
	for rest := strings.TrimSpace(s); rest != ""; {
		if textLen(rest) <= limit {
			out = append(out, rest)
			break
		}
		cut := cutAt(rest, room, skip)
		head, reopen := balanceFence(strings.TrimRight(rest[:cut], " \n"))
		rest, skip = strings.TrimSpace(rest[cut:]), 0
		if reopen && rest != "" {
			rest = codeFence + "\n" + rest
			skip = len(codeFence) + 1
		}
		if strings.TrimSpace(head) != "" && head != codeFence {
			out = append(out, head)
		}
	}
	return out
}

// shorten cuts mrkdwn text to at most limit units, at a safe boundary
// (see cutAt), and ends it with "…" when anything was left out.
func shorten(s string, limit int) string {
	if textLen(s) <= limit {
		return s
	}
	room := limit - len("…") - 2*(len(codeFence)+1)
	head, _ := balanceFence(strings.TrimRight(s[:cutAt(s, max(room, 1), 0)], " \n"))
	if strings.HasSuffix(head, codeFence) {
		return head + "\n…"
	}
	return head + "…"
}

// shortenPlain cuts plain text (no markup) to at most limit units between
// two characters, ending it with "…".
func shortenPlain(s string, limit int) string {
	if textLen(s) <= limit {
		return s
	}
	return strings.TrimRight(s[:runeCut(s, limit-1)], " ") + "…"
}

// firstLine is the first non-blank line of s, trimmed.
func firstLine(s string) string {
	for line := range strings.Lines(s) {
		if l := strings.TrimSpace(line); l != "" {
			return l
		}
	}
	return ""
}
