package telegram

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	tg "github.com/heraldhq/herald/internal/telegram"
)

// MaxMessageLength is the longest text of one message: 4096 UTF-16 code
// units after entity parsing (https://core.telegram.org/bots/api#sendmessage).
const MaxMessageLength = 4096

type tokenKind uint8

const (
	textToken tokenKind = iota
	startTag
	endTag
)

// token is an atom of a message that a cut never enters: a tag, an entity
// or one character (a whole UTF-8 sequence, so a whole surrogate pair).
type token struct {
	kind  tokenKind
	raw   string
	name  string // tags only
	units int    // UTF-16 code units the token adds to the text
	space bool   // a blank character
	line  bool   // a line break, where a cut is best
}

// Split cuts an HTML message into parts whose text is at most limit
// UTF-16 code units long (MaxMessageLength for Telegram; at least 2, the
// size of one surrogate pair). It cuts after the last line that fits; a
// line longer than limit is cut after its last space that fits, or else
// between two characters. Tags open at a cut are closed at the end of the
// part and opened again at the start of the next, so that every part is
// valid on its own; a custom emoji is never cut. Nothing is dropped except
// parts with only whitespace (possible only in a run of more than limit
// blanks), which Telegram would refuse as empty.
func Split(text string, limit int) []string {
	limit = max(limit, 2)
	toks := tokenize(text)
	var parts []string
	var open []token
	for start := 0; start < len(toks); {
		end := cutAt(toks, start, limit)
		var b strings.Builder
		for _, t := range open {
			b.WriteString(t.raw)
		}
		visible := false
		for _, t := range toks[start:end] {
			b.WriteString(t.raw)
			visible = visible || (t.kind == textToken && !t.space)
			switch {
			case t.kind == startTag:
				open = append(open, t)
			case t.kind == endTag && len(open) > 0 && open[len(open)-1].name == t.name:
				open = open[:len(open)-1]
			}
		}
		for i := len(open) - 1; i >= 0; i-- {
			b.WriteString("</" + open[i].name + ">")
		}
		if visible {
			parts = append(parts, b.String())
		}
		start = end
	}
	return parts
}

// cutAt returns where the part that begins at toks[start] ends.
func cutAt(toks []token, start, limit int) int {
	units, emoji := 0, 0
	visible := false
	lastLine, lastSpace, lastSafe := -1, -1, -1
	for j := start; j < len(toks); j++ {
		t := toks[j]
		if units+t.units > limit {
			k := j
			switch {
			case lastLine > start:
				k = lastLine
			case lastSpace > start:
				k = lastSpace
			case emoji > 0 && lastSafe > start:
				k = lastSafe
			}
			return adjust(toks, start, k)
		}
		units += t.units
		switch t.kind {
		case startTag:
			if t.name == "tg-emoji" {
				emoji++
			}
		case endTag:
			if t.name == "tg-emoji" && emoji > 0 {
				emoji--
			}
		default:
			visible = visible || !t.space
		}
		if emoji > 0 || !visible {
			continue
		}
		// Cutting before the first visible character would leave an
		// empty part behind.
		lastSafe = j + 1
		if t.line {
			lastLine = j + 1
		} else if t.space {
			lastSpace = j + 1
		}
	}
	return len(toks)
}

// adjust moves a cut at k past end tags (they add no text, and closing
// then reopening them would leave an empty element behind) and before start
// tags (an element opened just before a cut would be empty).
func adjust(toks []token, start, k int) int {
	for k < len(toks) && toks[k].kind == endTag {
		k++
	}
	for k > start+1 && toks[k-1].kind == startTag {
		k--
	}
	return max(k, start+1)
}

// tokenize splits s into tokens the way Telegram reads parse_mode=HTML.
// Text Telegram would refuse (an unknown tag, a stray "<") becomes plain
// characters: such a message fails as a whole, Split must only not fail.
func tokenize(s string) []token {
	toks := make([]token, 0, len(s))
	for i := 0; i < len(s); {
		var t token
		switch s[i] {
		case '<':
			t = scanTag(s, i)
		case '&':
			t = scanEntity(s, i)
		}
		if t.raw == "" {
			r, n := utf8.DecodeRuneInString(s[i:])
			t = token{raw: s[i : i+n], units: max(utf16.RuneLen(r), 1), space: unicode.IsSpace(r), line: r == '\n'}
		}
		toks = append(toks, t)
		i += len(t.raw)
	}
	return toks
}

// scanTag reads a supported tag at s[i], or returns the zero token.
func scanTag(s string, i int) token {
	j, kind := i+1, startTag
	if strings.HasPrefix(s[j:], "/") {
		j, kind = j+1, endTag
	}
	n := j
	for n < len(s) && !isSpace(s[n]) && s[n] != '>' {
		n++
	}
	name := strings.ToLower(s[j:n])
	if !tg.IsHTMLTag(name) {
		return token{}
	}
	// Find the '>' that ends the tag; one inside a quoted attribute value
	// does not.
	var quote byte
	for ; n < len(s); n++ {
		switch c := s[n]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return token{kind: kind, raw: s[i : n+1], name: name}
		}
	}
	return token{}
}

// scanEntity reads an entity Telegram decodes (&lt; &gt; &amp; &quot; and
// numeric ones) at s[i], or returns the zero token: Telegram takes any
// other '&' literally.
func scanEntity(s string, i int) token {
	end := strings.IndexByte(s[i:min(len(s), i+12)], ';')
	if end < 0 {
		return token{}
	}
	body := s[i+1 : i+end]
	r := rune(-1)
	switch body {
	case "lt", "gt", "amp", "quot":
		r = '<' // any one-unit, non-blank character
	default:
		if d, ok := strings.CutPrefix(body, "#"); ok && d != "" {
			base := 10
			if d[0] == 'x' || d[0] == 'X' {
				d, base = d[1:], 16
			}
			if v, err := strconv.ParseUint(d, base, 32); err == nil && v > 0 && !strings.ContainsAny(d, "+-") {
				r = rune(v)
			}
		}
	}
	units := utf16.RuneLen(r) // -1 for surrogates, out of range and -1
	if units < 0 {
		return token{}
	}
	return token{raw: s[i : i+end+1], units: units, space: unicode.IsSpace(r), line: r == '\n'}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
