package telegram

import (
	"maps"
	"slices"
)

// htmlTags are the tags of parse_mode=HTML
// (https://core.telegram.org/bots/api#html-style), lower case. Any other
// tag makes a send fail with 400 "can't parse entities", a permanent error.
// This is the one table of them: template.CheckTelegramHTML refuses the
// others and the notifier's splitter keeps these balanced in every part.
// Unexported so that nobody can change it; IsHTMLTag and HTMLTags read it.
var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true,
	"a": true, "tg-emoji": true, "code": true, "pre": true, "blockquote": true,
}

// IsHTMLTag reports whether name (lower case) is a tag of parse_mode=HTML.
func IsHTMLTag(name string) bool { return htmlTags[name] }

// HTMLTags lists the tags of parse_mode=HTML, sorted.
func HTMLTags() []string { return slices.Sorted(maps.Keys(htmlTags)) }
