package template

// WeComData is d for WeCom's markdown: see WeComText. Mend restores the
// silence links and the URL values a template makes link targets.
func WeComData(d *Data) *Escaped { return neutralise(d, WeComText, true) }

// WeComText makes s plain text in WeCom's markdown and in a text
// message's content. WeCom's markdown subset (headings, bold, links,
// inline code, quotes, <font color>) has no escape character, and both
// message types read "<@userid>" as a mention, so s is neutralised like
// DingTalk's (see markdownText): "<" becomes "＜", "@" "＠", "*" "＊", and so
// on.
func WeComText(s string) string { return markdownText(s) }
