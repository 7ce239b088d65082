package faketelegram

import (
	"html"
	"regexp"
	"strings"
)

// Entity is one piece of a message that a Telegram client shows as more
// than text: formatting and links from the HTML tags, and the links and
// mentions Telegram finds by itself in the text (it turns a bare URL or
// "@username" into a clickable url or mention entity, whatever the parse
// mode).
type Entity struct {
	// Type is the Bot API's entity type: bold, italic, underline,
	// strikethrough, spoiler, code, pre, blockquote, text_link, url or
	// mention.
	Type string
	// URL is the target of a text_link.
	URL string
	// Text is the text a url or mention entity covers.
	Text string
}

// tagEntities maps the HTML tags of parse_mode=HTML to entity types.
var tagEntities = map[string]string{
	"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
	"s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "tg-spoiler": "spoiler",
	"span": "spoiler", "code": "code", "pre": "pre", "blockquote": "blockquote", "a": "text_link",
}

var (
	startTag = regexp.MustCompile(`<([a-z-]+)(\s[^>]*)?>`)
	hrefAttr = regexp.MustCompile(`href\s*=\s*"([^"]*)"`)
	// What Telegram links by itself: URLs with a scheme or starting with
	// www., and @username (5 to 32 letters, digits and underscores) not
	// inside a word.
	autoURL     = regexp.MustCompile(`(?i)\b(?:https?|ftp|tg)://[^\s<>"]+|(?:^|[^\w.])(www\.[^\s<>"]+)`)
	autoMention = regexp.MustCompile(`(?:^|[^\w@])(@[A-Za-z0-9_]{5,32})\b`)
)

// Entities returns the message's entities, as a client would show them:
// from its tags when it was sent as HTML, and the url and mention entities
// Telegram detects in its text.
func (m Message) Entities() []Entity {
	var out []Entity
	if m.ParseMode == "HTML" {
		for _, t := range startTag.FindAllStringSubmatch(m.Text, -1) {
			typ, ok := tagEntities[t[1]]
			if !ok {
				continue
			}
			e := Entity{Type: typ}
			if typ == "text_link" {
				if h := hrefAttr.FindStringSubmatch(t[2]); h != nil {
					e.URL = html.UnescapeString(h[1])
				}
			}
			out = append(out, e)
		}
	}
	for _, u := range autoURL.FindAllStringSubmatch(m.Plain, -1) {
		out = append(out, Entity{Type: "url", Text: strings.TrimSpace(u[0])})
	}
	for _, u := range autoMention.FindAllStringSubmatch(m.Plain, -1) {
		out = append(out, Entity{Type: "mention", Text: u[1]})
	}
	return out
}
