package dingtalk

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
)

// payload is a markdown message of the custom robot API
// (https://open.dingtalk.com/document/orgapp/custom-robot-access, 消息类型及数据格式).
type payload struct {
	MsgType  string   `json:"msgtype"`
	Markdown markdown `json:"markdown"`
	At       *at      `json:"at,omitempty"`
}

// markdown is the message: Title shows in the chat list and the
// notification, Text in the chat.
type markdown struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

// at names who is notified. DingTalk highlights a mobile number or user
// id only when the text also holds "@" followed by it, so every entry
// here is also written into the text (see mentionLine).
type at struct {
	AtMobiles []string `json:"atMobiles,omitempty"`
	AtUserIDs []string `json:"atUserIds,omitempty"`
	IsAtAll   bool     `json:"isAtAll,omitempty"`
}

// encode marshals v as DingTalk receives it. HTML escaping is off: it
// would turn every "<" and "&" of a label into six bytes of the size limit
// for nothing, since DingTalk reads JSON, not HTML.
func encode(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	// A payload of strings and slices of strings cannot fail to encode.
	_ = enc.Encode(v)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// buildAt returns the mentions of a message of kind, or nil for none.
// Resolved events notify nobody: they are good news, and the firing
// message already called the people who must act.
func buildAt(m *Mention, kind alert.Kind) *at {
	if m == nil || kind == alert.KindResolved {
		return nil
	}
	a := &at{IsAtAll: m.All}
	for _, mob := range m.Mobiles {
		if mob = strings.TrimSpace(mob); mob != "" {
			a.AtMobiles = append(a.AtMobiles, mob)
		}
	}
	for _, id := range m.UserIDs {
		if id = strings.TrimSpace(id); id != "" {
			a.AtUserIDs = append(a.AtUserIDs, id)
		}
	}
	if !a.IsAtAll && len(a.AtMobiles) == 0 && len(a.AtUserIDs) == 0 {
		return nil
	}
	return a
}

// mentionLine is the "@13800000000 @user" line that makes DingTalk
// highlight the people of a; "" when there is nobody to name (isAtAll
// needs no text).
func mentionLine(a *at) string {
	if a == nil {
		return ""
	}
	var names []string
	for _, mob := range a.AtMobiles {
		names = append(names, "@"+mob)
	}
	for _, id := range a.AtUserIDs {
		names = append(names, "@"+id)
	}
	return strings.Join(names, " ")
}

// imageLine is the chart as a markdown image by URL, the only way a
// DingTalk robot shows an image; "" without a hosted chart. The URL is
// Herald's own signed link; characters that would end the markdown link
// early are escaped anyway, as a link must never break the message.
func imageLine(img *notify.Image) string {
	if img == nil || img.URL == "" {
		return ""
	}
	u := strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "\n", "", "\r", "").Replace(img.URL)
	return "![chart](" + u + ")"
}

// extrasOf joins what the first part carries after the text: the chart,
// then the mentions, each a paragraph of its own.
func extrasOf(image, mentions string) string {
	var out []string
	for _, s := range []string{image, mentions} {
		if s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, "\n\n")
}
