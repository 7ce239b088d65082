package template

// The text escaper of Feishu (飞书) and Lark cards. A card's lark_md and
// markdown elements read Markdown (bold, italics, strikethrough, links,
// images by key, lists, code) and a handful of tags — <at id=…></at>
// mentions, <font color=…>, <text_tag>, <link>, <local_datetime> — plus
// emoji shortcodes such as :OK: (https://open.feishu.cn/document/ukTMukTMukTM/uADOwUjLwgDM14CM4ATN,
// "Markdown 语法"). Entities such as &#60; are decoded in the newer card
// markdown only, and a backslash escapes nothing documented, so Feishu is
// treated like DingTalk and WeCom: every markup character becomes its
// full-width look-alike (see markdownText), one character for one.

// FeishuText makes s plain text in a Feishu or Lark card's markdown: what
// markdownText does ("<" becomes "＜", so no tag, mention or autolink can
// start; "[" "]" "*" "~" "`" "#" "@" "&" become full-width; "https://"
// becomes "https:／／"), and besides the first colon of an emoji shortcode
// (":OK:", ":THUMBSUP:") becomes "∶" (U+2236 RATIO), which Feishu does
// not read as one.
func FeishuText(s string) string { return breakShortcodes(markdownText(s)) }

// FeishuData is d for Feishu and Lark card markdown: see FeishuText. Mend
// also restores the URL values a template makes link targets.
func FeishuData(d *Data) *Escaped {
	return escapeData(d, escaping{text: FeishuText, targets: true})
}

// breakShortcodes replaces the opening colon of every ":word:" (a word of
// ASCII letters, digits and "_", with a letter: "12:30:00" is a time) with
// "∶". A closing colon may open the
// next shortcode (":A:B:"), so it is looked at again.
func breakShortcodes(s string) string {
	var out []byte
	done := 0
	for i := 0; i < len(s); i++ {
		if s[i] != ':' {
			continue
		}
		j, letter := i+1, false
		for j < len(s) && shortcodeByte(s[j]) {
			letter = letter || s[j] > '9'
			j++
		}
		if !letter || j >= len(s) || s[j] != ':' {
			continue
		}
		out = append(out, s[done:i]...)
		out = append(out, "∶"...)
		done = i + 1
	}
	if out == nil {
		return s
	}
	return string(append(out, s[done:]...))
}

func shortcodeByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
