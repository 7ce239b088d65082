package fakefeishu

import (
	"regexp"
	"strings"

	"github.com/heraldhq/herald/internal/testutil/fakemarkdown"
)

// Markup is one element of a message as Feishu shows it: a link, an
// image, a mention or formatting.
type Markup = fakemarkdown.Element

var (
	// atTag is a card markdown mention: <at id=all></at>,
	// <at id=ou_x></at>, and the text message's <at user_id="ou_x">Tom</at>.
	atTag = regexp.MustCompile(`(?i)<at\s+(?:user_)?id\s*=\s*["']?([^"'\s>]*)["']?\s*>[^<]*</at>`)
	// shortcode is an emoji such as :OK: or :THUMBSUP:.
	shortcode = regexp.MustCompile(`:[A-Za-z0-9_]*[A-Za-z][A-Za-z0-9_]*:`)
)

// Markdown reads one card markdown text the way a Feishu client could
// (https://open.feishu.cn/document/ukTMukTMukTM/uADOwUjLwgDM14CM4ATN):
// its mentions (<at id=…></at>) and emoji shortcodes, then what any chat
// markdown has (links, images, tags such as <font>, bare URLs, bold,
// lists...), read by fakemarkdown. It is stricter than Feishu where
// Feishu is lenient, which is what a fake is for.
func Markdown(text string) []Markup {
	var out []Markup
	text = atTag.ReplaceAllStringFunc(text, func(s string) string {
		out = append(out, Markup{Kind: "mention", Text: s, Target: strings.ToLower(atTag.FindStringSubmatch(s)[1])})
		return " "
	})
	text = shortcode.ReplaceAllStringFunc(text, func(s string) string {
		out = append(out, Markup{Kind: "emoji", Text: s})
		return " "
	})
	return append(out, fakemarkdown.Markdown(text, nil)...)
}

// Markup returns every element of the message: those of its markdown
// texts and fields, a link per button and an image per image key. The
// title is plain text, which Feishu shows as it is.
func (m *Message) Markup() []Markup {
	var out []Markup
	for _, t := range append(append([]string(nil), m.Markdown...), m.Fields...) {
		out = append(out, Markdown(t)...)
	}
	for _, b := range m.Buttons {
		out = append(out, Markup{Kind: "link", Text: b.Text, Target: b.URL})
	}
	for _, k := range m.ImageKeys {
		out = append(out, Markup{Kind: "image", Text: "img", Target: "img_key:" + k})
	}
	return out
}

// Links returns the links of the message (buttons included).
func (m *Message) Links() []Markup { return fakemarkdown.OfKind(m.Markup(), "link") }

// Mentions returns whom the message calls.
func (m *Message) Mentions() []Markup { return fakemarkdown.OfKind(m.Markup(), "mention") }

// Images returns the images of the message.
func (m *Message) Images() []Markup { return fakemarkdown.OfKind(m.Markup(), "image") }

// Formatting returns every element that is neither a link, an image nor
// a mention.
func (m *Message) Formatting() []Markup { return fakemarkdown.Formatting(m.Markup()) }
