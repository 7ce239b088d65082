package fakedingtalk

import (
	"regexp"
	"slices"
	"strings"
)

// Markup is one element of a message as DingTalk shows it: what its
// markdown turns into a link, an image, a mention or formatting.
type Markup struct {
	// Kind is "link", "image", "mention", or a kind of formatting:
	// "heading", "quote", "list", "rule", "code", "bold", "italic",
	// "strike", "font" or "html" (any other tag).
	Kind string
	// Text is what the element shows (a link's text, a bold run's text).
	Text string
	// Target is a link's or image's URL, or who a mention calls.
	Target string
}

// Markup reads the message's text the way DingTalk's markdown does
// (https://open.dingtalk.com/document/orgapp/message-types-and-data-format,
// markdown类型: headings, quotes, bold, italic, links, images, lists, and in
// practice <font> and a few HTML tags, bare URLs made clickable) and
// returns every element in it, in the order of the text. The reading is
// stricter than DingTalk's where DingTalk is lenient: anything that some
// client could render as markup counts.
func (m *Message) Markup() []Markup {
	return readMarkdown(m.Text, slices.Concat(m.AtMobiles, m.AtUserIDs))
}

// Links returns the links of the message (markdown, HTML, autolinks and
// bare URLs).
func (m *Message) Links() []Markup { return ofKind(m.Markup(), "link") }

// Images returns the images of the message.
func (m *Message) Images() []Markup { return ofKind(m.Markup(), "image") }

// Mentions returns what the text mentions: "@all" and the like, "<@…>",
// and "@" followed by a mobile or user id of the at object, which
// DingTalk highlights.
func (m *Message) Mentions() []Markup { return ofKind(m.Markup(), "mention") }

// Formatting returns every element that is neither a link, an image nor a
// mention.
func (m *Message) Formatting() []Markup {
	var out []Markup
	for _, e := range m.Markup() {
		if e.Kind != "link" && e.Kind != "image" && e.Kind != "mention" {
			out = append(out, e)
		}
	}
	return out
}

func ofKind(ms []Markup, kind string) []Markup {
	var out []Markup
	for _, e := range ms {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

var (
	fence    = regexp.MustCompile("^ {0,3}(```|~~~)")
	heading  = regexp.MustCompile(`^ {0,3}(#{1,6})(\s+|$)`)
	quote    = regexp.MustCompile(`^ {0,3}>\s?`)
	listItem = regexp.MustCompile(`^ {0,3}([-+*]|\d{1,9}[.)])\s+`)
	rule     = regexp.MustCompile(`^ {0,3}([-*_])( *[-*_]){2,} *$`)
	setext   = regexp.MustCompile(`^ {0,3}(=+|-+) *$`)
	indented = regexp.MustCompile(`^( {4}|\t)`)
	codeSpan = regexp.MustCompile("`+[^`]+`+")
	mdLink   = regexp.MustCompile(`(!?)\[([^\[\]\n]*)\]\(\s*<?([^()\s<>]*(?:\([^()\s]*\)[^()\s<>]*)*)>?(?:\s+"[^"]*")?\s*\)`)
	mention  = regexp.MustCompile(`<@([^<>\s]*)>`)
	autolink = regexp.MustCompile(`<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*)>`)
	tag      = regexp.MustCompile(`</?([A-Za-z][A-Za-z0-9-]*)([^<>]*)>`)
	attr     = regexp.MustCompile(`(?i)\b(?:href|src)\s*=\s*["']?([^"'\s>]*)`)
	bareURL  = regexp.MustCompile(`(?i)\b(?:[a-z][a-z0-9+.-]*://|www\.)[^\s<>]+`)
	atWord   = regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}_])@(all|everyone|here)\b`)
	bold     = regexp.MustCompile(`\*\*[^*\n]+\*\*|__[^_\n]+__`)
	strike   = regexp.MustCompile(`~~[^~\n]+~~`)
	italicA  = regexp.MustCompile(`\*[^*\s][^*\n]*\*`)
	italicU  = regexp.MustCompile(`(?:^|[^\p{L}\p{N}])_[^_\s][^_\n]*_(?:$|[^\p{L}\p{N}])`)
)

// readMarkdown returns the elements of text; at are the mobiles and user
// ids of the at object.
func readMarkdown(text string, at []string) []Markup {
	var out []Markup
	add := func(kind, text, target string) { out = append(out, Markup{Kind: kind, Text: text, Target: target}) }
	inFence, prevBlank := false, true
	for _, line := range strings.Split(text, "\n") {
		if fence.MatchString(line) {
			add("code", line, "")
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		switch {
		case strings.TrimSpace(line) == "":
			prevBlank = true
			continue
		case indented.MatchString(line) && prevBlank:
			add("code", line, "")
			continue
		case rule.MatchString(line):
			add("rule", line, "")
			prevBlank = false
			continue
		case setext.MatchString(line) && !prevBlank:
			add("heading", line, "")
			continue
		}
		prevBlank = false
		for {
			if m := heading.FindString(line); m != "" {
				add("heading", strings.TrimSpace(line[len(m):]), "")
				line = line[len(m):]
			} else if m := quote.FindString(line); m != "" {
				add("quote", line[len(m):], "")
				line = line[len(m):]
			} else if m := listItem.FindString(line); m != "" {
				add("list", line[len(m):], "")
				line = line[len(m):]
			} else {
				break
			}
		}
		out = append(out, readInline(line, at)...)
	}
	return out
}

// readInline returns the inline elements of one line. Each element found
// is cut out before looking for the next kind, as a parser consumes it:
// a URL inside a link's target is not a bare URL as well.
func readInline(line string, at []string) []Markup {
	var out []Markup
	add := func(kind, text, target string) { out = append(out, Markup{Kind: kind, Text: text, Target: target}) }
	cut := func(re *regexp.Regexp, f func(m []string)) {
		line = re.ReplaceAllStringFunc(line, func(s string) string {
			f(re.FindStringSubmatch(s))
			return " "
		})
	}
	cut(codeSpan, func(m []string) { add("code", m[0], "") })
	cut(mdLink, func(m []string) {
		kind := "link"
		if m[1] == "!" {
			kind = "image"
		}
		add(kind, m[2], m[3])
	})
	cut(mention, func(m []string) { add("mention", m[0], m[1]) })
	cut(autolink, func(m []string) { add("link", m[1], m[1]) })
	cut(tag, func(m []string) {
		target := ""
		if a := attr.FindStringSubmatch(m[2]); a != nil {
			target = a[1]
		}
		switch strings.ToLower(m[1]) {
		case "a":
			if !strings.HasPrefix(m[0], "</") {
				add("link", m[0], target)
			}
		case "img":
			add("image", m[0], target)
		case "font":
			add("font", m[0], "")
		default:
			add("html", m[0], "")
		}
	})
	cut(bareURL, func(m []string) { add("link", m[0], m[0]) })
	for _, m := range atWord.FindAllStringSubmatch(line, -1) {
		add("mention", m[0], strings.ToLower(m[1]))
	}
	for _, who := range at {
		if who != "" && strings.Contains(line, "@"+who) {
			add("mention", "@"+who, who)
		}
	}
	cut(bold, func(m []string) { add("bold", m[0], "") })
	cut(strike, func(m []string) { add("strike", m[0], "") })
	cut(italicA, func(m []string) { add("italic", m[0], "") })
	cut(italicU, func(m []string) { add("italic", m[0], "") })
	return out
}
