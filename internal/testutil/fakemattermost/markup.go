package fakemattermost

import (
	"fmt"
	"html"
	"regexp"
	"strings"

	"github.com/heraldhq/herald/internal/testutil/fakemarkdown"
)

// Markup is what a Mattermost client shows of a post: its elements
// (links, images, mentions, channel links, hashtags, emoji and formatting,
// fakemarkdown's kinds plus "channel", "hashtag", "emoji" and "table")
// and its text as a reader sees it.
type Markup struct {
	Elements []fakemarkdown.Element
	Plain    string
}

// Shape is fakemarkdown.Shape of the elements.
func (m Markup) Shape() []string { return fakemarkdown.Shape(m.Elements) }

// Targets are where the links and images lead.
func (m Markup) Targets() []string { return fakemarkdown.Targets(m.Elements) }

// Mentions are the mention elements' targets.
func (m Markup) Mentions() []string {
	var out []string
	for _, e := range fakemarkdown.OfKind(m.Elements, "mention") {
		out = append(out, e.Target)
	}
	return out
}

// Markup reads every Markdown text of the post the way the server and the
// clients do: the message text, each attachment's pretext, title, text
// and field values (after the server turned <url|text> into Markdown
// links in text, pretext and field values), and props.card; title_link
// and image_url count as a link and an image.
func (p Post) Markup() Markup {
	var m Markup
	var plain []string
	read := func(s string, slackLinks bool) {
		if s == "" {
			return
		}
		if slackLinks {
			s = slackLink.ReplaceAllString(s, "[${2}](${1})")
		}
		es, text := Read(s)
		m.Elements = append(m.Elements, es...)
		plain = append(plain, text)
	}
	read(p.Text, true)
	for _, a := range p.Attachments {
		read(a.Pretext, true)
		read(a.Title, false)
		if a.TitleLink != "" {
			m.Elements = append(m.Elements, fakemarkdown.Element{Kind: "link", Text: a.Title, Target: a.TitleLink})
		}
		read(a.Text, true)
		for _, f := range a.Fields {
			plain = append(plain, f.Title)
			if v, ok := f.Value.(string); ok {
				read(v, true)
			} else if f.Value != nil {
				plain = append(plain, fmt.Sprint(f.Value))
			}
		}
		if a.ImageURL != "" {
			m.Elements = append(m.Elements, fakemarkdown.Element{Kind: "image", Target: a.ImageURL})
		}
	}
	read(p.Card, false)
	m.Plain = strings.Join(plain, "\n")
	return m
}

// slackLink is the server's linkWithTextRegex (server/public/model).
var slackLink = regexp.MustCompile(`<([^<\|]+)\|([^>]+)>`)

var (
	// escaped is a CommonMark backslash escape.
	escaped = regexp.MustCompile("\\\\[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]")
	// fencedCode and codeSpans are where the clients find no mention,
	// channel link, hashtag or emoji.
	fencedCode = regexp.MustCompile("(?s)```.*?(```|$)")
	codeSpans  = regexp.MustCompile("`[^`\n]+`")
	// linkTarget is a Markdown link's or image's target.
	linkTarget = regexp.MustCompile(`\]\([^()\s]*\)`)
	// bareURLs are what the clients link by themselves.
	bareURLs = regexp.MustCompile(`(?i)\b(?:[a-z][a-z0-9+.-]*://|www\.)[^\s<>]+`)
	// atMention is @name not inside a word (Mattermost's usernames:
	// letters, digits, ".", "-", "_"): a user, or @channel, @all, @here.
	atMention = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_.\-@])@([\p{L}\p{N}][\p{L}\p{N}._\-]*)`)
	// channelLink is ~name, a link to a channel.
	channelLink = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_])~([a-z0-9][a-z0-9_\-]*)`)
	// hashtag is #word of at least three characters, starting with a letter.
	hashtag = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_&])#([\p{L}][\p{L}\p{N}_.\-]{2,})`)
	// emoji is :name:.
	emoji = regexp.MustCompile(`:([a-z0-9_+\-]+):`)
	// email is an address the clients link with mailto:.
	email = regexp.MustCompile(`[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+\.[\p{L}\p{N}.\-]+`)
	// tableRule is the delimiter row that makes a table.
	tableRule = regexp.MustCompile(`(?m)^ {0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)+\|?\s*$`)
)

// Read returns the elements of Mattermost Markdown text and the text a
// reader sees: escapes resolved, entities decoded. Escaped characters are
// hidden from the readers of markup (fakemarkdown and the patterns
// above) as private-use characters, which are no markup.
func Read(s string) ([]fakemarkdown.Element, string) {
	hidden := escaped.ReplaceAllStringFunc(s, func(e string) string { return string(rune(0xE000 + int(e[1]))) })
	es := fakemarkdown.Markdown(hidden, nil)
	// fakemarkdown's mentions are other platforms' (<@id>, @all); the
	// ones below are Mattermost's.
	out := es[:0]
	for _, e := range es {
		if e.Kind != "mention" {
			out = append(out, e)
		}
	}
	words := fencedCode.ReplaceAllString(hidden, " ")
	words = codeSpans.ReplaceAllString(words, " ")
	words = linkTarget.ReplaceAllString(words, "] ")
	words = bareURLs.ReplaceAllString(words, " ")
	add := func(re *regexp.Regexp, kind, prefix string) {
		for _, m := range re.FindAllStringSubmatch(words, -1) {
			out = append(out, fakemarkdown.Element{Kind: kind, Text: prefix + m[1], Target: prefix + strings.ToLower(m[1])})
		}
	}
	add(atMention, "mention", "@")
	add(channelLink, "channel", "~")
	add(hashtag, "hashtag", "#")
	add(emoji, "emoji", ":")
	for _, m := range email.FindAllString(words, -1) {
		out = append(out, fakemarkdown.Element{Kind: "link", Text: m, Target: "mailto:" + m})
	}
	for range tableRule.FindAllString(hidden, -1) {
		out = append(out, fakemarkdown.Element{Kind: "table"})
	}
	plain := escaped.ReplaceAllStringFunc(s, func(e string) string { return e[1:] })
	return out, html.UnescapeString(plain)
}

// lookalikes are the characters Herald's escaping adds that a reader does
// not see, or reads as another.
var lookalikes = strings.NewReplacer("\u200b", "", "ˋ", "`")

// Fold returns s as a person reads it: zero-width spaces dropped and
// look-alikes read as the characters they look like.
func Fold(s string) string { return lookalikes.Replace(s) }
