package wecom

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxMarkdownBytes is the longest markdown content: "markdown内容，最长不超过
// 4096个字节，必须是utf8编码" (at most 4096 bytes of UTF-8;
// https://developer.work.weixin.qq.com/document/path/91770, markdown类型).
const MaxMarkdownBytes = 4096

// MaxTextBytes is the longest text content: "文本内容，最长不超过2048个字节"
// (same page, 文本类型).
const MaxTextBytes = 2048

// Split cuts markdown into parts of at most limit bytes. It cuts after the
// last line that fits; a line longer than limit is cut after its last
// space that fits, or else between two characters, never inside a UTF-8
// sequence, a link or an inline code span. A <font> tag or a **bold** run
// open at a cut is closed at the end of the part and opened again at the
// start of the next, and a quoted line (">") stays quoted, so that every
// part renders on its own. Parts with only blanks are dropped: WeCom
// refuses empty content.
func Split(text string, limit int) []string {
	limit = max(limit, 64) // room for the markup reopened on a cut line
	var parts []string
	var cur strings.Builder
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			parts = append(parts, s)
		}
		cur.Reset()
	}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		if cur.Len() > 0 && cur.Len()+1+len(line) <= limit {
			cur.WriteByte('\n')
			cur.WriteString(line)
			continue
		}
		flush()
		if len(line) <= limit {
			cur.WriteString(line)
			continue
		}
		chunks := cutLine(line, limit)
		for _, c := range chunks[:len(chunks)-1] {
			cur.WriteString(c)
			flush()
		}
		cur.WriteString(chunks[len(chunks)-1])
	}
	flush()
	return parts
}

// atomKind is what a piece of a markdown line is to a cut.
type atomKind uint8

const (
	atomText  atomKind = iota // one character
	atomOpen                  // <font ...>
	atomClose                 // </font>
	atomBold                  // ** (opens or closes)
	atomSolid                 // a link or inline code: never cut inside
)

// atom is a piece of a line that a cut never enters.
type atom struct {
	kind  atomKind
	raw   string
	space bool
}

// cutLine cuts one line longer than limit into chunks of at most limit
// bytes, with markup closed and reopened at each cut.
func cutLine(line string, limit int) []string {
	prefix := ""
	if strings.HasPrefix(line, ">") {
		prefix = "> " // a quote goes on in the next chunk
	}
	atoms := tokenizeLine(line)
	var chunks []string
	var open []atom // font tags and bold runs open, outermost first
	for start := 0; start < len(atoms); {
		var b strings.Builder
		if len(chunks) > 0 {
			b.WriteString(prefix)
		}
		for _, a := range open {
			b.WriteString(a.raw)
		}
		end, lastSpace := start, -1
		stack := append([]atom(nil), open...)
		for end < len(atoms) {
			a := atoms[end]
			next := push(stack, a)
			if b.Len()+len(a.raw)+closeLen(next) > limit {
				break
			}
			b.WriteString(a.raw)
			stack = next
			end++
			if a.space {
				lastSpace = end
			}
		}
		if end == start {
			// Not even one atom fits: the reopened markup is too long (drop
			// it for the rest of the line), or the atom is a link, code
			// span or tag longer than a whole message (read it as
			// characters, which always fit).
			if len(open) > 0 {
				open = nil
			} else {
				atoms = splice(atoms, start)
			}
			continue
		}
		if end < len(atoms) && lastSpace > start {
			end = lastSpace
		}
		// Rebuild the chunk up to the chosen cut, tracking what is open.
		b.Reset()
		if len(chunks) > 0 {
			b.WriteString(prefix)
		}
		for _, a := range open {
			b.WriteString(a.raw)
		}
		for _, a := range atoms[start:end] {
			b.WriteString(a.raw)
			open = push(open, a)
		}
		for i := len(open) - 1; i >= 0; i-- {
			b.WriteString(closer(open[i]))
		}
		chunks = append(chunks, b.String())
		start = end
	}
	return chunks
}

// push returns the open markup after a.
func push(open []atom, a atom) []atom {
	switch a.kind {
	case atomOpen:
		return append(open[:len(open):len(open)], a)
	case atomClose:
		for i := len(open) - 1; i >= 0; i-- {
			if open[i].kind == atomOpen {
				return append(open[:i:i], open[i+1:]...)
			}
		}
	case atomBold:
		for i := len(open) - 1; i >= 0; i-- {
			if open[i].kind == atomBold {
				return append(open[:i:i], open[i+1:]...)
			}
		}
		return append(open[:len(open):len(open)], a)
	}
	return open
}

// closer is the markup that closes a.
func closer(a atom) string {
	if a.kind == atomBold {
		return "**"
	}
	return "</font>"
}

// closeLen is the size of the markup that closes everything in open.
func closeLen(open []atom) int {
	n := 0
	for _, a := range open {
		n += len(closer(a))
	}
	return n
}

// splice turns the solid atom at i into characters.
func splice(atoms []atom, i int) []atom {
	var chars []atom
	for _, r := range atoms[i].raw {
		chars = append(chars, atom{raw: string(r), space: unicode.IsSpace(r)})
	}
	return append(atoms[:i:i], append(chars, atoms[i+1:]...)...)
}

// tokenizeLine splits a line into atoms the way WeCom's markdown subset
// reads it: font tags, bold markers, links, inline code and characters.
func tokenizeLine(s string) []atom {
	var atoms []atom
	for i := 0; i < len(s); {
		a := scanMarkup(s[i:])
		if a.raw == "" {
			r, n := utf8.DecodeRuneInString(s[i:])
			a = atom{raw: s[i : i+n], space: unicode.IsSpace(r)}
		}
		atoms = append(atoms, a)
		i += len(a.raw)
	}
	return atoms
}

// scanMarkup reads the markup that starts s, or returns the zero atom.
func scanMarkup(s string) atom {
	switch {
	case strings.HasPrefix(s, "**"):
		return atom{kind: atomBold, raw: "**"}
	case strings.HasPrefix(s, "</font>"):
		return atom{kind: atomClose, raw: "</font>"}
	case strings.HasPrefix(s, "<font"):
		// The tag ends at the first '>', unless a '<' comes first: then
		// it was never a tag.
		if end := strings.IndexAny(s[1:], "<>"); end > 0 && s[1+end] == '>' {
			return atom{kind: atomOpen, raw: s[:end+2]}
		}
	case strings.HasPrefix(s, "`"):
		if end := strings.IndexByte(s[1:], '`'); end >= 0 {
			return atom{kind: atomSolid, raw: s[:end+2]}
		}
	case strings.HasPrefix(s, "["):
		// [text](url): the text holds no ']' and the URL no ')' (the
		// templates escape both).
		if mid := strings.Index(s, "]("); mid > 0 && !strings.ContainsAny(s[1:mid], "[]") {
			if end := strings.IndexByte(s[mid:], ')'); end > 0 {
				return atom{kind: atomSolid, raw: s[:mid+end+1]}
			}
		}
	}
	return atom{}
}
