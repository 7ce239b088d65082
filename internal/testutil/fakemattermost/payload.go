package fakemattermost

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// request is what an incoming webhook takes
// (https://developers.mattermost.com/integrate/webhooks/incoming/#parameters,
// model.IncomingWebhookRequest). The server ignores unknown keys; the fake
// refuses them, so that a typo in Herald's payload cannot go unnoticed.
type request struct {
	Text        string            `json:"text"`
	Channel     string            `json:"channel"`
	Username    string            `json:"username"`
	IconURL     string            `json:"icon_url"`
	IconEmoji   string            `json:"icon_emoji"`
	Type        string            `json:"type"`
	Attachments []json.RawMessage `json:"attachments"`
	Props       map[string]any    `json:"props"`
	Priority    json.RawMessage   `json:"priority"`
}

// Attachment is a message attachment as accepted
// (https://developers.mattermost.com/integrate/reference/message-attachments/).
type Attachment struct {
	Fallback   string  `json:"fallback"`
	Color      string  `json:"color"`
	Pretext    string  `json:"pretext"`
	AuthorName string  `json:"author_name"`
	AuthorLink string  `json:"author_link"`
	AuthorIcon string  `json:"author_icon"`
	Title      string  `json:"title"`
	TitleLink  string  `json:"title_link"`
	Text       string  `json:"text"`
	Fields     []Field `json:"fields"`
	ImageURL   string  `json:"image_url"`
	ThumbURL   string  `json:"thumb_url"`
	Footer     string  `json:"footer"`
	FooterIcon string  `json:"footer_icon"`
	Timestamp  any     `json:"ts"`
}

// Field is an attachment's field; Value is a string or an integer.
type Field struct {
	Title string `json:"title"`
	Value any    `json:"value"`
	Short bool   `json:"short"`
}

// hexColor is the colour format Mattermost accepts besides good, warning
// and danger (model.MessageAttachment.IsValid).
var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// read decodes and checks a post.
func (s *Server) read(r *http.Request) (*Post, *AppError) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		return nil, bad("web.incoming_webhook.parse.app_error", "Unable to parse incoming data.")
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
	case "application/x-www-form-urlencoded":
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, bad("web.incoming_webhook.parse.app_error", "Unable to parse incoming data.")
		}
		body = []byte(v.Get("payload"))
	default:
		return nil, bad("web.incoming_webhook.parse.app_error", "Unable to parse incoming data: Content-Type "+mt)
	}
	var req request
	if err := strictJSON(body, &req); err != nil {
		return nil, bad("web.incoming_webhook.parse.app_error", "Unable to parse incoming data: "+err.Error())
	}
	if strings.TrimSpace(req.Text) == "" && len(req.Attachments) == 0 {
		return nil, bad("web.incoming_webhook.text.app_error", "No text specified.")
	}
	p := &Post{Channel: req.Channel, Username: req.Username, IconURL: req.IconURL, IconEmoji: req.IconEmoji,
		Text: req.Text, Raw: bytes.Clone(body)}
	for i, raw := range req.Attachments {
		var a Attachment
		if err := strictJSON(raw, &a); err != nil {
			return nil, bad("web.incoming_webhook.parse.app_error", fmt.Sprintf("attachment %d: %v", i, err))
		}
		if err := s.checkAttachment(&a); err != nil {
			return nil, bad("model.post.is_valid.attachments.app_error", fmt.Sprintf("attachment %d: %v", i, err))
		}
		p.Attachments = append(p.Attachments, a)
	}
	if card, ok := req.Props["card"]; ok {
		c, isString := card.(string)
		if !isString {
			return nil, bad("web.incoming_webhook.parse.app_error", "props.card must be a string")
		}
		p.Card = c
	}
	if n := utf8.RuneCountInString(p.Text); n > s.cfg.MaxPostSize {
		return nil, bad("model.post.is_valid.msg.app_error", fmt.Sprintf("Invalid message: %d characters, at most %d.", n, s.cfg.MaxPostSize))
	}
	props := map[string]any{"attachments": req.Attachments}
	for k, v := range req.Props {
		props[k] = v
	}
	if b, _ := json.Marshal(props); utf8.RuneCount(b) > MaxPropsRunes {
		return nil, bad("web.incoming_webhook.split_props_length.app_error", fmt.Sprintf("Unable to split webhook props into %d character parts.", MaxPropsRunes))
	}
	return p, nil
}

func bad(id, msg string) *AppError { return appErr(http.StatusBadRequest, id, msg) }

// strictJSON decodes one JSON value, refusing unknown keys and trailing data.
func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("data after the JSON value")
	}
	return nil
}

// checkAttachment checks what model.MessageAttachment.IsValid checks, and
// that Herald keeps its promises: a fallback, text within the post size.
func (s *Server) checkAttachment(a *Attachment) error {
	switch {
	case strings.TrimSpace(a.Fallback) == "":
		return fmt.Errorf("fallback is required")
	case a.Color != "" && a.Color != "good" && a.Color != "warning" && a.Color != "danger" && !hexColor.MatchString(a.Color):
		return fmt.Errorf("invalid style %q - must be one of [good, warning, danger] or a hex color", a.Color)
	case a.TitleLink != "" && a.Title == "":
		return fmt.Errorf("title link cannot be set without title")
	case a.AuthorLink != "" && a.AuthorName == "":
		return fmt.Errorf("author link cannot be set without author name")
	case utf8.RuneCountInString(a.Text) > s.cfg.MaxPostSize:
		return fmt.Errorf("text of %d characters, over %d", utf8.RuneCountInString(a.Text), s.cfg.MaxPostSize)
	}
	for name, u := range map[string]string{"title link": a.TitleLink, "author link": a.AuthorLink, "author icon": a.AuthorIcon,
		"image": a.ImageURL, "thumb": a.ThumbURL, "footer icon": a.FooterIcon} {
		if u != "" && !httpURL(u) {
			return fmt.Errorf("invalid %s URL", name)
		}
	}
	for i, f := range a.Fields {
		switch v := f.Value.(type) {
		case nil, string:
		case json.Number:
			if _, err := v.Int64(); err != nil {
				return fmt.Errorf("field %d: value must be either a string or int", i)
			}
		default:
			return fmt.Errorf("field %d: value must be either a string or int", i)
		}
	}
	return nil
}

// httpURL is model.IsValidHTTPURL: an absolute http or https URL.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
