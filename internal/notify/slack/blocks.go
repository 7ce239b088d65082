package slack

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/heraldhq/herald/internal/notify"
)

// block is one Block Kit layout block, with the fields of the types Herald
// sends: header, section, image, context and actions.
type block struct {
	Type     string      `json:"type"`
	Text     *textObject `json:"text,omitempty"`
	Elements []any       `json:"elements,omitempty"`
	ImageURL string      `json:"image_url,omitempty"`
	AltText  string      `json:"alt_text,omitempty"`
}

// textObject is a Block Kit text object.
type textObject struct {
	Type  string `json:"type"` // "plain_text" or "mrkdwn"
	Text  string `json:"text"`
	Emoji bool   `json:"emoji,omitempty"`
	// Verbatim is set on every mrkdwn object: "When set to false (as is
	// default) URLs will be auto-converted into links, conversation names
	// will be link-ified, and certain mentions will be automatically
	// parsed" (https://docs.slack.dev/reference/block-kit/composition-objects/text-object).
	// Herald's templates write links and mentions explicitly, so nothing
	// is lost, and a value that slipped through cannot become one.
	Verbatim bool `json:"verbatim,omitempty"`
}

// mrkdwn is a mrkdwn text object.
func mrkdwn(text string) textObject { return textObject{Type: "mrkdwn", Text: text, Verbatim: true} }

// button is a link button of an actions block.
type button struct {
	Type     string     `json:"type"`
	Text     textObject `json:"text"`
	URL      string     `json:"url"`
	ActionID string     `json:"action_id"`
}

// link is a button to be: a label and where it leads.
type link struct {
	id, label, url string
}

// content is a message before it becomes blocks: what the templates
// rendered and what the notifier found in the alert data.
type content struct {
	// title is plain text for the header.
	title string
	// body is mrkdwn, already within maxBodyText.
	body string
	// omitted is how many alerts the body leaves out ("… N more alerts").
	omitted int
	// context is one line of mrkdwn.
	context string
	links   []link
	// fallback is the message's top-level text: what notifications and
	// screen readers show.
	fallback string
}

// image is a chart by URL (incoming webhooks cannot upload).
type image struct {
	url, alt string
}

// buildBlocks lays c out: a header, the body in sections, the "… N more
// alerts" note, the chart (img, may be nil), the context line and the
// link buttons. The result is within every Block Kit limit: each piece is
// cut to its own limit, and the number of blocks is bounded because the
// body is (maxBodyText).
func buildBlocks(c *content, img *image) []block {
	blocks := []block{buildHeader(c.title)}
	blocks = append(blocks, buildSections(c.body, c.omitted)...)
	if img != nil {
		blocks = append(blocks, buildImage(img))
	}
	if ctx := buildContext(c.context); ctx != nil {
		blocks = append(blocks, *ctx)
	}
	if act := buildActions(c.links); act != nil {
		blocks = append(blocks, *act)
	}
	if len(blocks) > MaxBlocks {
		// Not reachable with maxBodyText; kept so that a change of limits
		// cannot produce a message Slack refuses.
		blocks = append(blocks[:MaxBlocks-1:MaxBlocks-1], blocks[len(blocks)-1])
	}
	return blocks
}

// buildHeader is the header block: plain text, one line, cut to
// MaxHeaderText.
func buildHeader(title string) block {
	title = notify.FirstLine(title)
	if title == "" {
		title = "Alert"
	}
	return block{Type: "header", Text: &textObject{Type: "plain_text", Text: shortenPlain(title, MaxHeaderText), Emoji: true}}
}

// buildSections cuts the body into section blocks of at most
// MaxSectionText, and notes the alerts left out.
func buildSections(body string, omitted int) []block {
	if omitted > 0 {
		body = strings.TrimRight(body, " \n") + "\n" + moreAlerts(omitted)
	}
	var out []block
	for _, s := range splitSections(body, MaxSectionText) {
		out = append(out, block{Type: "section", Text: ptr(mrkdwn(s))})
	}
	return out
}

// moreAlerts is the note that says how many alerts a message leaves out.
func moreAlerts(n int) string {
	if n == 1 {
		return "_… 1 more alert_"
	}
	return fmt.Sprintf("_… %d more alerts_", n)
}

// moreAlertsRoom is what the note can take, for the body's budget.
const moreAlertsRoom = 40

// buildImage is the chart as an image block.
func buildImage(img *image) block {
	alt := notify.FirstLine(img.alt)
	if alt == "" {
		alt = "chart"
	}
	return block{Type: "image", ImageURL: img.url, AltText: shortenPlain(alt, MaxAltText)}
}

// buildContext is the context block of one mrkdwn line, or nil.
func buildContext(text string) *block {
	text = strings.Join(strings.Fields(text), " ")
	if text == "" {
		return nil
	}
	return &block{Type: "context", Elements: []any{mrkdwn(shorten(text, MaxTextObject))}}
}

// buildActions is the actions block of link buttons, or nil. Links that
// Slack would refuse (not an absolute http(s) URL, longer than
// MaxButtonURL) are left out rather than failing the message.
func buildActions(links []link) *block {
	var els []any
	for _, l := range links {
		if !validURL(l.url, MaxButtonURL) || len(els) == MaxActionElements {
			continue
		}
		els = append(els, button{Type: "button", Text: textObject{Type: "plain_text", Text: shortenPlain(l.label, MaxButtonText)},
			URL: l.url, ActionID: l.id})
	}
	if len(els) == 0 {
		return nil
	}
	return &block{Type: "actions", Elements: els}
}

// validURL reports whether s is an absolute http(s) URL of at most limit
// units: what Slack takes as a button's url or an image_url.
func validURL(s string, limit int) bool {
	if s == "" || textLen(s) > limit {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func ptr[T any](v T) *T { return &v }
