// Package fakemarkdown is the markdown reader of the fakes of the chat
// platforms whose messages are markdown with a few HTML tags (DingTalk,
// WeCom): it says what a client could render of a text as a link, an
// image, a mention or formatting, so that a test can tell a label value
// that stayed data from one that became markup.
//
// The reading is stricter than any one platform's where platforms are
// lenient: anything that some client could render as markup counts, since
// a fake that reads less than a client would let an escaping bug through.
package fakemarkdown

import (
	"regexp"
	"strings"
)

// Element is one element of a text as a client shows it: what its
// markdown turns into a link, an image, a mention or formatting.
type Element struct {
	// Kind is "link", "image", "mention", or a kind of formatting:
	// "heading", "quote", "list", "rule", "code", "bold", "italic",
	// "strike", "font" or "html" (any other tag).
	Kind string
	// Text is what the element shows (a link's text, a bold run's text).
	Text string
	// Target is a link's or image's URL, or who a mention calls.
	Target string
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

// Markdown returns the elements of a markdown text, in the order of the
// text. Mentions are "<@…>", "@all" and the like, and "@" followed by one
// of at: the platform's own way to call someone (DingTalk highlights "@"
// and a mobile or user id of the message's at object; WeCom has none).
func Markdown(text string, at []string) []Element {
	var out []Element
	add := func(kind, text, target string) { out = append(out, Element{Kind: kind, Text: text, Target: target}) }
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
		// Block marks nest ("> - # x"), so they are taken off the line's
		// start one after the other.
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
		out = append(out, inline(line, at)...)
	}
	return out
}

// inline returns the inline elements of one line. Each element found is
// cut out before looking for the next kind, as a parser consumes it: a
// URL inside a link's target is not a bare URL as well.
func inline(line string, at []string) []Element {
	var out []Element
	add := func(kind, text, target string) { out = append(out, Element{Kind: kind, Text: text, Target: target}) }
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
		if kind, text, target := tagElement(m); kind != "" {
			add(kind, text, target)
		}
	})
	cut(bareURL, func(m []string) { add("link", m[0], m[0]) })
	out = append(out, atMentions(line)...)
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

// tagElement is the kind, text and target of an HTML tag matched by tag:
// both platforms render <a>, <img> and <font> in practice, and any other
// tag counts as formatting because some client may render it.
func tagElement(m []string) (kind, text, target string) {
	if a := attr.FindStringSubmatch(m[2]); a != nil {
		target = a[1]
	}
	switch strings.ToLower(m[1]) {
	case "a":
		if strings.HasPrefix(m[0], "</") {
			// A closing </a> is the same link; an unmatched one shows
			// nothing, so neither is counted.
			return "", "", ""
		}
		return "link", m[0], target
	case "img":
		return "image", m[0], target
	case "font":
		return "font", m[0], ""
	}
	return "html", m[0], ""
}

// atMentions are "@all", "@everyone" and "@here" not inside a word: no
// platform here documents them, but a client that highlights one would
// turn a label value into a call to everyone.
func atMentions(s string) []Element {
	var out []Element
	for _, m := range atWord.FindAllStringSubmatch(s, -1) {
		out = append(out, Element{Kind: "mention", Text: m[0], Target: strings.ToLower(m[1])})
	}
	return out
}
