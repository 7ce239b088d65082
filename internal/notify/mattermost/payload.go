package mattermost

import (
	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/template"
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

// Colours of the attachment's left border, those of the Discord embeds so
// that both platforms read alike.
const (
	colorCritical = "#E74C3C"
	colorWarning  = "#E67E22"
	colorInfo     = "#3498DB"
	colorResolved = "#2ECC71"
	colorUnknown  = "#99AAB5"
)

// colorOf is green when every alert of the message is resolved, else the
// colour of the most severe alert still firing.
func colorOf(kind alert.Kind, alerts []amtemplate.Alert) string {
	rank := map[string]int{colorUnknown: 0, colorInfo: 1, colorWarning: 2, colorCritical: 3}
	c, resolved := colorUnknown, len(alerts) > 0
	for _, a := range alerts {
		if kind == alert.KindResolved || a.Status == string(alert.KindResolved) {
			continue
		}
		resolved = false
		if s := severityColor(a.Labels["severity"]); rank[s] > rank[c] {
			c = s
		}
	}
	if resolved {
		return colorResolved
	}
	return c
}

// severityColor follows Herald's severity emoji, so that the colour and
// the emoji of the title agree.
func severityColor(severity string) string {
	switch template.SeverityEmoji(severity) {
	case "🔥", "🔴":
		return colorCritical
	case "⚠️":
		return colorWarning
	case "ℹ️":
		return colorInfo
	}
	return colorUnknown
}
