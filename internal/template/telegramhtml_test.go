package template

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// The strict checker holds the default templates to Telegram's documented
// rules (https://core.telegram.org/bots/api#html-style), narrowed to the
// tags Herald means to use: b, strong, i, em, u, s, code, pre, blockquote
// and a with only a double-quoted href; entities only &lt; &gt; &amp;
// &quot; or numeric; no bare <, > or &. It is written independently of
// CheckTelegramHTML so that one checks the other.
var (
	strictToken  = regexp.MustCompile(`<[^<>]*>|&[^&<>;\s]*;?|[<>&]`)
	strictOpen   = regexp.MustCompile(`^<(b|strong|i|em|u|s|code|pre|blockquote)>$|^<(a) href="([^"<>]*)">$`)
	strictClose  = regexp.MustCompile(`^</(b|strong|i|em|u|s|code|pre|blockquote|a)>$`)
	strictEntity = regexp.MustCompile(`^&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});$`)
)

func checkStrictHTML(s string) error {
	var open []string
	for _, loc := range strictToken.FindAllStringIndex(s, -1) {
		tok := s[loc[0]:loc[1]]
		switch {
		case tok[0] == '&':
			if !strictEntity.MatchString(tok) {
				return fmt.Errorf("bad entity %q at %d", tok, loc[0])
			}
		case tok == "<" || tok == ">":
			return fmt.Errorf("bare %q at %d", tok, loc[0])
		case strictClose.MatchString(tok):
			name := strictClose.FindStringSubmatch(tok)[1]
			if len(open) == 0 || open[len(open)-1] != name {
				return fmt.Errorf("%s at %d closes %v", tok, loc[0], open)
			}
			open = open[:len(open)-1]
		default:
			m := strictOpen.FindStringSubmatch(tok)
			if m == nil {
				return fmt.Errorf("tag %q at %d not allowed", tok, loc[0])
			}
			name := m[1] + m[2]
			for _, e := range regexp.MustCompile(`&[^;]*;?`).FindAllString(m[3], -1) {
				if !strictEntity.MatchString(e) {
					return fmt.Errorf("bad entity %q in href at %d", e, loc[0])
				}
			}
			open = append(open, name)
		}
	}
	if len(open) > 0 {
		return fmt.Errorf("unclosed %v", open)
	}
	return nil
}

func TestStrictChecker(t *testing.T) {
	for s, ok := range map[string]bool{
		`<b>a &lt; b</b> <a href="http://x?a=1&amp;b=2">l</a> &#34;&#x1F525;`: true,
		`<b>x`: false, `a < b`: false, `a & b`: false, `&nbsp;`: false, `<br>`: false,
		`<b><i>x</b></i>`: false, `<a href='x'>y</a>`: false, `<a href="?a&b">y</a>`: false,
	} {
		if err := checkStrictHTML(s); (err == nil) != ok {
			t.Errorf("checkStrictHTML(%q) = %v, want ok=%v", s, err, ok)
		}
	}
}

func TestCheckTelegramHTML(t *testing.T) {
	tests := []struct {
		in, err string
	}{
		{in: `plain text, 東京 🔥`},
		{in: `<b>bold <i>both</i></b> <code>x</code> <pre><code class="language-go">x</code></pre>`},
		{in: `<a href="http://x/?a=1&amp;b=2">link</a> <a href='single'>q</a> <a href=name-token>t</a>`},
		{in: `<span class="tg-spoiler">s</span> <tg-spoiler>s</tg-spoiler> <blockquote expandable>q</blockquote>`},
		{in: `<B>upper case</B> <b>empty end tag</>`},
		{in: `a &amp; b, a & b, 1 > 0, &unknown;`}, // Telegram's parser takes these literally
		{in: `<br>`, err: `invalid Telegram HTML at byte offset 0: unsupported start tag "br"`},
		{in: `a < b`, err: `byte offset 2: unsupported start tag ""`},
		{in: `x <b`, err: `byte offset 2: unclosed start tag <b>`},
		{in: `<a href="x`, err: `byte offset 0: unclosed start tag <a>`},
		{in: `<a href=x/>y</a>`, err: `byte offset 8: unexpected end of name token`},
		{in: `<a ="x">y</a>`, err: `byte offset 0: empty attribute name in <a>`},
		{in: `<span>x</span>`, err: `byte offset 0: tag "span" must have class "tg-spoiler"`},
		{in: `x</b>`, err: `byte offset 1: unexpected end tag </b>`},
		{in: `<b>x</b`, err: `byte offset 4: unclosed end tag`},
		{in: `<b>x</i>`, err: `byte offset 4: expected </b>, found </i>`},
		{in: `<b>x`, err: `byte offset 4: no end tag for <b>`},
		{in: "ok\xffno", err: `byte offset 2: invalid UTF-8`},
	}
	for _, tc := range tests {
		err := CheckTelegramHTML(tc.in)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("CheckTelegramHTML(%q) = %v, want ok", tc.in, err)
		case tc.err != "" && (err == nil || !strings.HasSuffix(err.Error(), tc.err)):
			t.Errorf("CheckTelegramHTML(%q) = %v, want ...%s", tc.in, err, tc.err)
		}
	}
}
