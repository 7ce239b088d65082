package feishu

import (
	"bytes"
	"encoding/json"
	"strings"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
)

// payload is an interactive message of the custom bot API: "在卡片场景下，消息类型为
// interactive", the card an object in "card"
// (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot, 发送飞书卡片).
// The card is in the JSON 1.0 structure (config, header, elements), which
// every Feishu and Lark client renders, with div fields and action buttons
// (https://open.feishu.cn/document/ukTMukTMukTM/uEjNwUjLxYDM14SM2ATN).
type payload struct {
	MsgType string `json:"msg_type"`
	Card    card   `json:"card"`
}

type card struct {
	Config   cardConfig `json:"config"`
	Header   header     `json:"header"`
	Elements []element  `json:"elements"`
}

type cardConfig struct {
	WideScreenMode bool `json:"wide_screen_mode"`
}

// header is the coloured title bar: Template is its colour.
type header struct {
	Title    text   `json:"title"`
	Template string `json:"template"`
}

// text is a text object: Tag "plain_text" is shown as it is, "lark_md"
// is read as card markdown.
type text struct {
	Tag     string `json:"tag"`
	Content string `json:"content"`
}

// element is one element of the card; Tag says which fields it uses:
// "markdown" Content, "div" Fields, "img" ImgKey and Alt, "action"
// Actions, "hr" none.
type element struct {
	Tag     string   `json:"tag"`
	Content string   `json:"content,omitempty"`
	Fields  []field  `json:"fields,omitempty"`
	ImgKey  string   `json:"img_key,omitempty"`
	Alt     *text    `json:"alt,omitempty"`
	Actions []button `json:"actions,omitempty"`
}

// field is a short lark_md text of a div, shown two to a row.
type field struct {
	IsShort bool `json:"is_short"`
	Text    text `json:"text"`
}

// button opens URL. A custom bot's card "只支持通过按钮、文字链方式跳转 URL" (can
// only open URLs, no callbacks).
type button struct {
	Tag  string `json:"tag"`
	Text text   `json:"text"`
	Type string `json:"type"`
	URL  string `json:"url"`
}

// Header colours (the card header's template).
const (
	colourRed    = "red"
	colourOrange = "orange"
	colourBlue   = "blue"
	colourGreen  = "green"
	colourGrey   = "grey"
)

// severityColour is the header colour of a severity value, as
// template.SeverityEmoji gives its emoji; anything else is orange, so that
// an unknown severity still stands out.
func severityColour(severity string) string {
	switch strings.ToLower(strings.TrimSpace(severity)) {
	case "critical", "page", "fatal", "emergency", "disaster", "high", "error", "major":
		return colourRed
	case "info", "informational", "notice", "low", "none":
		return colourBlue
	default: // "warning", "warn", "minor", "medium", "average" and the unknown
		return colourOrange
	}
}

// colourRank orders the colours of firing alerts, worst first.
func colourRank(colour string) int {
	switch colour {
	case colourRed:
		return 0
	case colourOrange:
		return 1
	default:
		return 2
	}
}

// headerColour is green when every alert of m resolved, otherwise the
// colour of the worst severity firing; grey for a message without alerts.
// It reads the real labels: a colour is one of a fixed set, never the
// value itself.
func headerColour(m *notify.Message) string {
	if m.Data == nil || len(m.Data.Alerts) == 0 {
		return colourGrey
	}
	best := ""
	for _, a := range m.Data.Alerts {
		if m.Kind == alert.KindResolved || a.Status == "resolved" {
			continue
		}
		if c := severityColour(a.Labels["severity"]); best == "" || colourRank(c) < colourRank(best) {
			best = c
		}
	}
	if best == "" {
		return colourGreen
	}
	return best
}

// fieldLabels are the labels shown as fields of a one-alert card, in
// order; the default template leaves them out of its label list.
var fieldLabels = []struct{ name, title string }{{"instance", "Instance"}, {"job", "Job"}}

// maxFieldRunes bounds a field's value.
const maxFieldRunes = 200

// buildFields returns the fields of a message about one alert, from its
// escaped labels (e is FeishuData), or nil.
func buildFields(m *notify.Message, e *template.Escaped) []field {
	if m.Folded || e == nil || len(e.Data.Alerts) != 1 {
		return nil
	}
	var out []field
	for _, l := range fieldLabels {
		v := strings.Join(strings.Fields(e.Data.Alerts[0].Labels[l.name]), " ")
		if v == "" {
			continue
		}
		out = append(out, field{IsShort: true, Text: text{Tag: "lark_md", Content: "**" + l.title + "**\n" + notify.Truncate(v, maxFieldRunes*4)}})
	}
	return out
}

// buildButtons returns the buttons of m, from the real alert's URLs (the
// escaped data has none to give): Source, Silence (not in a resolution),
// Runbook for one alert; Alertmanager's alert list for several; and Chart
// when the chart is hosted but was not uploaded. Every URL is an http(s)
// URL made a safe link by template.LinkURL.
func buildButtons(m *notify.Message, chartURL string) []button {
	var out []button
	add := func(label, kind, u string) {
		if u = template.LinkURL(u); u != "" {
			out = append(out, button{Tag: "button", Text: text{Tag: "plain_text", Content: label}, Type: kind, URL: u})
		}
	}
	if d := m.Data; d != nil {
		if len(d.Alerts) == 1 && !m.Folded {
			a := d.Alerts[0]
			add("Source", "default", a.GeneratorURL)
			if m.Kind != alert.KindResolved && a.Status != "resolved" {
				add("Silence", "danger", silenceURL(d, a))
			}
			add("Runbook", "primary", a.Annotations["runbook_url"])
		} else if template.LinkURL(d.ExternalURL) != "" {
			add("Alertmanager", "default", strings.TrimRight(d.ExternalURL, "/")+"/#/alerts")
		}
	}
	add("Chart", "default", chartURL)
	return out
}

// silenceURL is Alertmanager's new-silence form for a, or "".
func silenceURL(d *amtemplate.Data, a amtemplate.Alert) string {
	return template.SilenceURL(d.ExternalURL, a)
}

// mentionLine is the markdown that calls the configured people, "" for
// nobody: resolutions call nobody (good news; the firing message already
// called whoever must act). Ids were validated to hold no markup.
func mentionLine(mn *Mention, kind alert.Kind) string {
	if mn == nil || kind == alert.KindResolved {
		return ""
	}
	var ats []string
	if mn.All {
		ats = append(ats, "<at id=all></at>")
	}
	for _, id := range mn.UserIDs {
		if id = strings.TrimSpace(id); id != "" && userID.MatchString(id) {
			ats = append(ats, "<at id="+id+"></at>")
		}
	}
	return strings.Join(ats, " ")
}

// encode marshals v as Feishu receives it, without HTML escaping, which
// would make every "<" of a mention six bytes of the size limit for
// nothing.
func encode(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	// A payload of strings, bools and slices cannot fail to encode.
	_ = enc.Encode(v)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
