package mattermost

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A message longer than a post goes as several posts, cut where a reader
// expects a break and never inside markup: not inside an entity (&lt;), a
// backslash escape (\*), a link or an image ([text](url)); a code block
// open at a cut is closed there and opened again in the next post.

// codeFence opens and closes a code block.
const codeFence = "```"

// mdLink is a Markdown link or image on one line; a cut never enters it.
var mdLink = regexp.MustCompile(`^!?\[[^\[\]\n]*\]\([^()\s]*\)`)

// entity is an HTML character reference; a cut never enters it.
var entity = regexp.MustCompile(`^&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});`)

// asciiPunct are the characters a backslash escapes in CommonMark.
const asciiPunct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

// atom is a piece of text that a cut never enters.
type atom struct {
	end   int // byte offset just after the atom
	runes int
	// para, line and space mark a blank line, a line break and a blank.
	para, line, space bool
}

// atoms splits s into atoms.
func atoms(s string) []atom {
	out := make([]atom, 0, len(s))
	for i := 0; i < len(s); {
		n := 0
		switch s[i] {
		case '\\':
			if i+1 < len(s) && strings.IndexByte(asciiPunct, s[i+1]) >= 0 {
				n = 2
			}
		case '&':
			n = len(entity.FindString(s[i:]))
		case '[', '!':
			n = len(mdLink.FindString(s[i:]))
		}
		if n > 0 {
			out = append(out, atom{end: i + n, runes: runes(s[i : i+n])})
			i += n
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '\u200B' && len(out) > 0 {
			// A zero-width space belongs to what it breaks (an escaped
			// "@" or "#"): cutting after it keeps the break with it.
			out[len(out)-1].end += size
			out[len(out)-1].runes++
			i += size
			continue
		}
		a := atom{end: i + size, runes: 1, line: r == '\n', space: unicode.IsSpace(r)}
		a.para = a.line && i > 0 && s[i-1] == '\n'
		out = append(out, a)
		i += size
	}
	return out
}

// cutAt is the byte offset of the best cut of s that keeps at most limit
// runes before it and more than skip bytes (a fence reopened by the
// previous cut must not make a part of its own): after the last blank
// line that fits, else the last line break, else the last blank, else
// between two atoms. An atom longer than limit by itself (a very long
// link) is cut between two characters: a broken link reads badly, a part
// over the limit would be cut by the server anywhere.
func cutAt(s string, limit, skip int) int {
	n, start := 0, 0
	var lastPara, lastLine, lastSpace, lastAtom int
	for _, a := range atoms(s) {
		if n+a.runes > limit {
			if lastAtom == 0 {
				return start + runeCut(s[start:a.end], limit-n)
			}
			break
		}
		n += a.runes
		start = a.end
		if a.end <= skip {
			continue
		}
		lastAtom = a.end
		switch {
		case a.para:
			lastPara = a.end
		case a.line:
			lastLine = a.end
		case a.space:
			lastSpace = a.end
		}
	}
	for _, c := range []int{lastPara, lastLine, lastSpace, lastAtom} {
		if c > 0 {
			return c
		}
	}
	return len(s)
}

// runeCut is the byte offset after the first limit runes of s, at least
// one rune so that splitting always moves on.
func runeCut(s string, limit int) int {
	end := 0
	for i := 0; end < len(s) && (i < limit || end == 0); i++ {
		_, size := utf8.DecodeRuneInString(s[end:])
		end += size
	}
	return end
}

// balanceFence closes a code block left open at the end of head, and
// says whether the rest must open it again.
func balanceFence(head string) (string, bool) {
	if strings.Count(head, codeFence)%2 == 0 {
		return head, false
	}
	return strings.TrimRight(head, " \n") + "\n" + codeFence, true
}

// split cuts Markdown text into parts of at most limit runes (see cutAt).
// Blank parts are dropped.
func split(s string, limit int) []string {
	room := limit - 2*(len(codeFence)+1)
	var out []string
	skip := 0
	for rest := strings.TrimSpace(s); rest != ""; {
		if runes(rest) <= limit {
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

// shorten cuts Markdown text to at most limit runes at a safe boundary
// (see cutAt), ending it with "…" when anything was left out.
func shorten(s string, limit int) string {
	if runes(s) <= limit {
		return s
	}
	room := limit - 1 - 2*(len(codeFence)+1)
	head, _ := balanceFence(strings.TrimRight(s[:cutAt(s, max(room, 1), 0)], " \n"))
	if strings.HasSuffix(head, codeFence) {
		return head + "\n…"
	}
	return head + "…"
}
