package mattermost

import (
	"fmt"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify/discord"
)

// payload is what an incoming webhook takes
// (https://developers.mattermost.com/integrate/webhooks/incoming/#parameters).
// Text stays empty: everything is in the attachment, whose text the
// server never cuts.
type payload struct {
	Text        string       `json:"text,omitempty"`
	Channel     string       `json:"channel,omitempty"`
	Username    string       `json:"username,omitempty"`
	IconURL     string       `json:"icon_url,omitempty"`
	IconEmoji   string       `json:"icon_emoji,omitempty"`
	Attachments []attachment `json:"attachments"`
	Props       *props       `json:"props,omitempty"`
}

// props are the post's properties; card is the Markdown shown in the
// right-hand panel when the post's info icon is clicked.
type props struct {
	Card string `json:"card,omitempty"`
}

// attachment is a message attachment
// (https://developers.mattermost.com/integrate/reference/message-attachments/).
// Fallback is required; Color is "good", "warning", "danger" or #rrggbb;
// TitleLink needs a Title; ImageURL must be an http(s) URL
// (server/public/model/message_attachment.go, IsValid).
type attachment struct {
	Fallback  string  `json:"fallback"`
	Color     string  `json:"color,omitempty"`
	Title     string  `json:"title,omitempty"`
	TitleLink string  `json:"title_link,omitempty"`
	Text      string  `json:"text,omitempty"`
	Fields    []field `json:"fields,omitempty"`
	ImageURL  string  `json:"image_url,omitempty"`
}

// field is one of an attachment's fields: Short ones sit two by two.
type field struct {
	Title string `json:"title"`
	Value string `json:"value"`
	Short bool   `json:"short"`
}

// colorOf is the attachment's colour (#RRGGBB): Discord's embed colours,
// so that both platforms read alike: green when every alert of the
// message is resolved, else the colour of the most severe alert still
// firing.
func colorOf(kind alert.Kind, alerts []amtemplate.Alert) string {
	return fmt.Sprintf("#%06X", discord.ColorOf(kind, alerts))
}
