package faketelegram

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The tags of parse_mode=HTML and the attributes each may carry, from
// https://core.telegram.org/bots/api#html-style. The fake rejects anything
// else, including attributes Telegram would silently ignore: a template
// that relies on them is a bug worth seeing in a test.
var allowedAttrs = map[string][]string{
	"b": nil, "strong": nil, "i": nil, "em": nil, "u": nil, "ins": nil,
	"s": nil, "strike": nil, "del": nil, "tg-spoiler": nil,
	"span":       {"class"},
	"a":          {"href"},
	"code":       {"class"},
	"pre":        nil,
	"blockquote": {"expandable"},
	"tg-emoji":   {"emoji-id"},
}

// openTag is a start tag waiting for its end tag.
type openTag struct {
	name string
	pos  int
}

// ParseHTML parses s the way the Bot API parses parse_mode=HTML and returns
// the text of the message with tags removed and entities decoded, which is
// what Telegram's length limits count. Errors are worded like the
// descriptions Telegram gives after "Bad Request: can't parse entities: ".
//
// It is stricter than Telegram in two places, both documented as required
// by the Bot API: a "&" must start one of &lt; &gt; &amp; &quot; or a
// numeric entity, and attribute values must be quoted.
func ParseHTML(s string) (string, error) {
	var out strings.Builder
	var stack []openTag
	for i := 0; i < len(s); {
		switch s[i] {
		case '&':
			r, n, err := decodeEntity(s, i)
			if err != nil {
				return "", err
			}
			out.WriteRune(r)
			i += n
		case '<':
			if strings.HasPrefix(s[i:], "</") {
				n, err := parseEndTag(s, i, stack)
				if err != nil {
					return "", err
				}
				stack = stack[:len(stack)-1]
				i += n
				continue
			}
			name, n, err := parseStartTag(s, i)
			if err != nil {
				return "", err
			}
			stack = append(stack, openTag{name: name, pos: i})
			i += n
		default:
			_, n := utf8.DecodeRuneInString(s[i:])
			out.WriteString(s[i : i+n])
			i += n
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("Can't find end tag corresponding to start tag %q", stack[len(stack)-1].name)
	}
	return out.String(), nil
}

// UTF16Len is the length of s in UTF-16 code units, the unit of every
// Telegram text limit.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// decodeEntity decodes the entity at s[i] (a '&') and returns its length.
func decodeEntity(s string, i int) (rune, int, error) {
	// Entities are short (&#x10FFFF; is the longest); a ';' further away
	// belongs to later text.
	end := strings.IndexByte(s[i:min(len(s), i+11)], ';')
	if end < 0 {
		return 0, 0, fmt.Errorf("Unescaped \"&\" at byte offset %d, it must be written as \"&amp;\"", i)
	}
	body := s[i+1 : i+end]
	switch body {
	case "lt":
		return '<', end + 1, nil
	case "gt":
		return '>', end + 1, nil
	case "amp":
		return '&', end + 1, nil
	case "quot":
		return '"', end + 1, nil
	}
	if r, ok := numericEntity(body); ok {
		return r, end + 1, nil
	}
	return 0, 0, fmt.Errorf("Unsupported entity \"&%s;\" at byte offset %d", body, i)
}

// numericEntity decodes "#NN" and "#xNN" to a rune that can be sent.
func numericEntity(body string) (rune, bool) {
	if len(body) < 2 || body[0] != '#' {
		return 0, false
	}
	digits, base := body[1:], 10
	if digits[0] == 'x' || digits[0] == 'X' {
		digits, base = digits[1:], 16
	}
	if digits == "" || strings.ContainsAny(digits, "+-") {
		return 0, false
	}
	v, err := strconv.ParseUint(digits, base, 32)
	r := rune(v)
	if err != nil || v == 0 || !utf8.ValidRune(r) {
		return 0, false
	}
	return r, true
}

// parseStartTag checks the start tag at s[i] and returns its name and length.
func parseStartTag(s string, i int) (string, int, error) {
	j := i + 1
	for j < len(s) && !isSpace(s[j]) && s[j] != '>' {
		j++
	}
	name := strings.ToLower(s[i+1 : j])
	allowed, ok := allowedAttrs[name]
	if !ok {
		return "", 0, fmt.Errorf("Unsupported start tag %q at byte offset %d", name, i)
	}
	attrs := map[string]string{}
	for {
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j >= len(s) {
			return "", 0, fmt.Errorf("Unclosed start tag at byte offset %d", i)
		}
		if s[j] == '>' {
			break
		}
		k := j
		for k < len(s) && !isSpace(s[k]) && s[k] != '=' && s[k] != '>' {
			k++
		}
		attr := strings.ToLower(s[j:k])
		if !slices.Contains(allowed, attr) {
			return "", 0, fmt.Errorf("Unsupported attribute %q in tag %q at byte offset %d", attr, name, i)
		}
		value, n, err := parseAttrValue(s, k, i)
		if err != nil {
			return "", 0, err
		}
		attrs[attr] = value
		j = k + n
	}
	if err := checkAttrs(name, attrs, i); err != nil {
		return "", 0, err
	}
	return name, j + 1 - i, nil
}

// parseAttrValue reads `="value"` at s[k]; an attribute without a value
// (blockquote expandable) is allowed. tag is the offset of the tag.
func parseAttrValue(s string, k, tag int) (string, int, error) {
	j := k
	for j < len(s) && isSpace(s[j]) {
		j++
	}
	if j >= len(s) || s[j] != '=' {
		return "", 0, nil
	}
	j++
	for j < len(s) && isSpace(s[j]) {
		j++
	}
	if j >= len(s) {
		return "", 0, fmt.Errorf("Unclosed start tag at byte offset %d", tag)
	}
	q := s[j]
	if q != '"' && q != '\'' {
		return "", 0, fmt.Errorf("Unquoted attribute value at byte offset %d", j)
	}
	end := strings.IndexByte(s[j+1:], q)
	if end < 0 {
		return "", 0, fmt.Errorf("Unclosed start tag at byte offset %d", tag)
	}
	raw := s[j+1 : j+1+end]
	value, err := decodeAttr(raw, j+1)
	if err != nil {
		return "", 0, err
	}
	return value, j + 2 + end - k, nil
}

// decodeAttr decodes the entities of an attribute value that starts at byte
// offset off of the message; a '<' is as wrong here as in text.
func decodeAttr(raw string, off int) (string, error) {
	var b strings.Builder
	for i := 0; i < len(raw); {
		switch raw[i] {
		case '&':
			r, n, err := decodeEntity(raw, i)
			if err != nil {
				return "", fmt.Errorf("Unescaped \"&\" in attribute value at byte offset %d", off+i)
			}
			b.WriteRune(r)
			i += n
		case '<':
			return "", fmt.Errorf("Unescaped \"<\" in attribute value at byte offset %d", off+i)
		default:
			b.WriteByte(raw[i])
			i++
		}
	}
	return b.String(), nil
}

// checkAttrs applies the rules the Bot API documents for single tags.
func checkAttrs(name string, attrs map[string]string, pos int) error {
	switch name {
	case "a":
		if attrs["href"] == "" {
			return fmt.Errorf("Tag \"a\" must have a non-empty attribute \"href\" at byte offset %d", pos)
		}
	case "span":
		if attrs["class"] != "tg-spoiler" {
			return fmt.Errorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", pos)
		}
	case "code":
		if c, ok := attrs["class"]; ok && (!strings.HasPrefix(c, "language-") || c == "language-") {
			return fmt.Errorf("Class of tag \"code\" must be \"language-<name>\" at byte offset %d", pos)
		}
	case "tg-emoji":
		if _, err := strconv.ParseInt(attrs["emoji-id"], 10, 64); err != nil {
			return fmt.Errorf("Tag \"tg-emoji\" must have a numeric attribute \"emoji-id\" at byte offset %d", pos)
		}
	}
	return nil
}

// parseEndTag checks the end tag at s[i] against the innermost open tag.
func parseEndTag(s string, i int, stack []openTag) (int, error) {
	if len(stack) == 0 {
		return 0, fmt.Errorf("Unexpected end tag at byte offset %d", i)
	}
	j := i + 2
	for j < len(s) && !isSpace(s[j]) && s[j] != '>' {
		j++
	}
	name := strings.ToLower(s[i+2 : j])
	for j < len(s) && isSpace(s[j]) {
		j++
	}
	if j >= len(s) || s[j] != '>' {
		return 0, fmt.Errorf("Unclosed end tag at byte offset %d", i)
	}
	if want := stack[len(stack)-1].name; name != want {
		return 0, fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, want, name)
	}
	return j + 1 - i, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
