package template

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/telegram"
)

// HTMLError reports rendered text that Telegram's HTML parse mode would
// refuse.
type HTMLError struct {
	// Offset is the byte offset of the problem, as Telegram reports it.
	Offset int
	// Reason says what is wrong.
	Reason string
}

// Error says what is wrong and where, as Telegram would.
func (e *HTMLError) Error() string {
	return fmt.Sprintf("invalid Telegram HTML at byte offset %d: %s", e.Offset, e.Reason)
}

// CheckTelegramHTML reports whether Telegram's HTML parse mode would accept
// s: valid UTF-8, only supported tags, well-formed attributes, every tag
// closed in order, span only with class "tg-spoiler". It follows Telegram's
// parser rather than its documentation where the parser is more lenient (a
// stray "&" or ">" is taken literally), so that a working user template is
// not rejected; the default templates are held to the documented rules by
// their tests.
func CheckTelegramHTML(s string) error {
	if !utf8.ValidString(s) {
		return &HTMLError{Offset: invalidUTF8At(s), Reason: "invalid UTF-8"}
	}
	var open []string
	for i := 0; i < len(s); {
		if s[i] != '<' {
			i++
			continue
		}
		start := i
		closing := i+1 < len(s) && s[i+1] == '/'
		name, attrs, end, err := scanTag(s, i)
		if err != nil {
			return err
		}
		i = end
		if closing {
			if len(open) == 0 {
				return &HTMLError{start, "unexpected end tag </" + name + ">"}
			}
			if top := open[len(open)-1]; name != "" && name != top {
				return &HTMLError{start, fmt.Sprintf("expected </%s>, found </%s>", top, name)}
			}
			open = open[:len(open)-1]
			continue
		}
		if name == "span" && attrs["class"] != "tg-spoiler" {
			return &HTMLError{start, `tag "span" must have class "tg-spoiler"`}
		}
		open = append(open, name)
	}
	if len(open) > 0 {
		return &HTMLError{len(s), fmt.Sprintf("no end tag for <%s>", open[len(open)-1])}
	}
	return nil
}

// scanTag reads the tag starting at s[i] == '<' and returns its lower-case
// name, its attributes and the offset just after its '>'.
func scanTag(s string, i int) (name string, attrs map[string]string, end int, err error) {
	start := i
	i++
	if i < len(s) && s[i] == '/' {
		i++
	}
	n := i
	for i < len(s) && !isHTMLSpace(s[i]) && s[i] != '>' {
		i++
	}
	name = strings.ToLower(s[n:i])
	if s[start+1] == '/' {
		for i < len(s) && isHTMLSpace(s[i]) {
			i++
		}
		if i >= len(s) || s[i] != '>' {
			return "", nil, 0, &HTMLError{start, "unclosed end tag"}
		}
		return name, nil, i + 1, nil
	}
	// Like Telegram, refuse an unknown tag before looking at its attributes.
	if !telegram.IsHTMLTag(name) {
		return "", nil, 0, &HTMLError{start, fmt.Sprintf("unsupported start tag %q", name)}
	}
	attrs = map[string]string{}
	for {
		for i < len(s) && isHTMLSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return "", nil, 0, &HTMLError{start, fmt.Sprintf("unclosed start tag <%s>", name)}
		}
		if s[i] == '>' {
			return name, attrs, i + 1, nil
		}
		a := i
		for i < len(s) && !isHTMLSpace(s[i]) && s[i] != '=' && s[i] != '>' {
			i++
		}
		key := strings.ToLower(s[a:i])
		if key == "" {
			return "", nil, 0, &HTMLError{start, fmt.Sprintf("empty attribute name in <%s>", name)}
		}
		for i < len(s) && isHTMLSpace(s[i]) {
			i++
		}
		if i >= len(s) || s[i] != '=' {
			// Telegram accepts a bare attribute (blockquote expandable).
			attrs[key] = ""
			continue
		}
		i++
		for i < len(s) && isHTMLSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return "", nil, 0, &HTMLError{start, fmt.Sprintf("unclosed start tag <%s>", name)}
		}
		if q := s[i]; q == '"' || q == '\'' {
			v := strings.IndexByte(s[i+1:], q)
			if v < 0 {
				return "", nil, 0, &HTMLError{start, fmt.Sprintf("unclosed start tag <%s>", name)}
			}
			attrs[key] = s[i+1 : i+1+v]
			i += v + 2
			continue
		}
		// An unquoted value is an HTML name token.
		v := i
		for i < len(s) && (isAlnum(s[i]) || s[i] == '.' || s[i] == '-') {
			i++
		}
		if i >= len(s) || (!isHTMLSpace(s[i]) && s[i] != '>') {
			return "", nil, 0, &HTMLError{v, "unexpected end of name token"}
		}
		attrs[key] = strings.ToLower(s[v:i])
	}
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func invalidUTF8At(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return 0
}
