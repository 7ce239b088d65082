package fakefeishu

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/testutil/fakehttp"
)

// request is a webhook body, every message type the fake knows.
type request struct {
	MsgType   string `json:"msg_type"`
	Timestamp string `json:"timestamp"`
	Sign      string `json:"sign"`
	Content   *struct {
		Text string `json:"text"`
	} `json:"content"`
	Card *cardJSON `json:"card"`
}

type cardJSON struct {
	Header *struct {
		Title    *textJSON `json:"title"`
		Template string    `json:"template"`
	} `json:"header"`
	Elements []elementJSON `json:"elements"`
}

type textJSON struct {
	Tag     string `json:"tag"`
	Content string `json:"content"`
}

type elementJSON struct {
	Tag     string    `json:"tag"`
	Content string    `json:"content"`
	Text    *textJSON `json:"text"`
	Fields  []struct {
		IsShort bool      `json:"is_short"`
		Text    *textJSON `json:"text"`
	} `json:"fields"`
	ImgKey  string    `json:"img_key"`
	Alt     *textJSON `json:"alt"`
	Actions []struct {
		Tag  string    `json:"tag"`
		Text *textJSON `json:"text"`
		Type string    `json:"type"`
		URL  string    `json:"url"`
	} `json:"actions"`
}

// Colours are the header templates a card may have
// (https://open.feishu.cn/document/ukTMukTMukTM/ukTNwUjL5UDM14SO1ATN, 标题样式).
var Colours = []string{"blue", "wathet", "turquoise", "green", "yellow", "orange", "red", "carmine", "violet",
	"purple", "indigo", "grey", "default"}

// buttonTypes are the styles of a button.
var buttonTypes = []string{"default", "primary", "danger", "text", "primary_text", "danger_text",
	"primary_filled", "danger_filled", "laser"}

// handleHook checks a webhook request — bot, body, signature, content,
// keywords, then the rate, so that a refused message is not counted —
// and returns the message to record or the refusal.
func (s *Server) handleHook(r *http.Request, tok string) (*Message, *apiError) {
	s.mu.Lock()
	bot := s.bots[tok]
	s.mu.Unlock()
	if bot == nil {
		return nil, errNoBot
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil, errBadRequest("Content-Type is not application/json")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(s.cfg.MaxBodyBytes)+1))
	switch {
	case err != nil:
		return nil, errBadRequest("unreadable body")
	case len(body) > s.cfg.MaxBodyBytes:
		return nil, errBadRequest("request body larger than 20 K")
	case !utf8.Valid(body):
		return nil, errBadRequest("invalid UTF-8")
	}
	var req request
	if err := json.Unmarshal(s.exactFields(body), &req); err != nil {
		return nil, errBadRequest("invalid JSON: " + err.Error())
	}
	msg := &Message{Token: tok, MsgType: req.MsgType, Body: body}
	if bot.Secret != "" {
		ts, aerr := s.checkSignature(bot.Secret, req.Timestamp, req.Sign)
		if aerr != nil {
			return nil, aerr
		}
		msg.Signed, msg.Timestamp = true, ts
	}
	if aerr := s.parse(&req, msg); aerr != nil {
		return nil, aerr
	}
	if len(bot.Keywords) > 0 && !slices.ContainsFunc(bot.Keywords, func(k string) bool { return strings.Contains(msg.AllText(), k) }) {
		return nil, errKeywords
	}
	if aerr := s.allow(tok); aerr != nil {
		return nil, aerr
	}
	return msg, nil
}

// checkSignature checks timestamp (Unix seconds, within MaxTimestampSkew
// of the fake's clock) and sign = base64(HmacSHA256(key = timestamp +
// "\n" + secret, message = "")).
func (s *Server) checkSignature(secret, timestamp, sign string) (int64, *apiError) {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return 0, errSign
	}
	if skew := s.cfg.Now().Sub(time.Unix(ts, 0)); skew > MaxTimestampSkew || skew < -MaxTimestampSkew {
		return 0, errSign
	}
	mac := hmac.New(sha256.New, []byte(timestamp+"\n"+secret))
	if !hmac.Equal([]byte(sign), []byte(base64.StdEncoding.EncodeToString(mac.Sum(nil)))) {
		return 0, errSign
	}
	return ts, nil
}

// parse checks the message's type and content and fills msg.
func (s *Server) parse(req *request, msg *Message) *apiError {
	switch req.MsgType {
	case "text":
		if req.Content == nil || req.Content.Text == "" {
			return errBadRequest("content.text is required")
		}
		msg.Markdown = []string{req.Content.Text}
		return nil
	case "interactive":
		if req.Card == nil {
			return errBadRequest("card is required")
		}
		return s.parseCard(req.Card, msg)
	case "":
		return errBadRequest("msg_type is required")
	default:
		// post, image and share_chat exist but Herald never sends them.
		return errBadRequest(fmt.Sprintf("msg_type %q is not supported by the fake", req.MsgType))
	}
}

// parseCard checks a JSON 1.0 card: a plain-text title, a known header
// colour, and known elements that are complete.
func (s *Server) parseCard(c *cardJSON, msg *Message) *apiError {
	h := c.Header
	switch {
	case h == nil || h.Title == nil || strings.TrimSpace(h.Title.Content) == "":
		return errBadRequest("card.header.title is required")
	case h.Title.Tag != "plain_text" && h.Title.Tag != "lark_md":
		return errBadRequest(fmt.Sprintf("card.header.title.tag %q", h.Title.Tag))
	case !slices.Contains(Colours, h.Template):
		return errBadRequest(fmt.Sprintf("card.header.template %q is not a colour", h.Template))
	case len(c.Elements) == 0:
		return errBadRequest("card.elements is empty")
	}
	msg.Title, msg.Colour = h.Title.Content, h.Template
	for i, e := range c.Elements {
		where := fmt.Sprintf("card.elements[%d]", i)
		switch e.Tag {
		case "markdown":
			if e.Content == "" {
				return errBadRequest(where + ".content is required")
			}
			msg.Markdown = append(msg.Markdown, e.Content)
		case "div":
			if e.Text == nil && len(e.Fields) == 0 {
				return errBadRequest(where + " needs text or fields")
			}
			if e.Text != nil {
				msg.Markdown = append(msg.Markdown, e.Text.Content)
			}
			for j, f := range e.Fields {
				if f.Text == nil || (f.Text.Tag != "lark_md" && f.Text.Tag != "plain_text") || f.Text.Content == "" {
					return errBadRequest(fmt.Sprintf("%s.fields[%d].text is incomplete", where, j))
				}
				msg.Fields = append(msg.Fields, f.Text.Content)
			}
		case "hr":
		case "img":
			s.mu.Lock()
			_, known := s.images[e.ImgKey]
			s.mu.Unlock()
			if !known {
				return errBadRequest(where + ".img_key was not uploaded")
			}
			if e.Alt == nil || e.Alt.Tag != "plain_text" {
				return errBadRequest(where + ".alt is required")
			}
			msg.ImageKeys = append(msg.ImageKeys, e.ImgKey)
		case "action":
			if len(e.Actions) == 0 {
				return errBadRequest(where + ".actions is empty")
			}
			for j, a := range e.Actions {
				u, err := url.Parse(a.URL)
				switch {
				case a.Tag != "button" || a.Text == nil || a.Text.Tag != "plain_text" || a.Text.Content == "":
					return errBadRequest(fmt.Sprintf("%s.actions[%d] is not a complete button", where, j))
				case !slices.Contains(buttonTypes, a.Type):
					return errBadRequest(fmt.Sprintf("%s.actions[%d].type %q", where, j, a.Type))
				case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
					return errBadRequest(fmt.Sprintf("%s.actions[%d].url is not an http(s) URL", where, j))
				}
				msg.Buttons = append(msg.Buttons, Button{Text: a.Text.Content, Type: a.Type, URL: a.URL})
			}
		default:
			return errBadRequest(fmt.Sprintf("%s.tag %q is not a card element", where, e.Tag))
		}
	}
	return nil
}

// knownFields are the fields of each object of a webhook body, by path
// ("card.elements" for every element, whatever its tag).
var knownFields = map[string][]string{
	"":                           {"msg_type", "timestamp", "sign", "content", "card"},
	"content":                    {"text"},
	"card":                       {"config", "header", "elements"},
	"card.config":                {"wide_screen_mode", "enable_forward", "update_multi"},
	"card.header":                {"title", "template", "subtitle"},
	"card.header.title":          {"tag", "content"},
	"card.elements":              {"tag", "content", "text", "fields", "img_key", "alt", "actions", "text_align"},
	"card.elements.text":         {"tag", "content"},
	"card.elements.alt":          {"tag", "content"},
	"card.elements.fields":       {"is_short", "text"},
	"card.elements.fields.text":  {"tag", "content"},
	"card.elements.actions":      {"tag", "text", "type", "url"},
	"card.elements.actions.text": {"tag", "content"},
}

// exactFields returns body without the fields Feishu would ignore, and
// warns about each: encoding/json matches names without regard to case,
// Feishu does not, and a misspelt field changes nothing anyone sees.
func (s *Server) exactFields(body []byte) []byte {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return body
	}
	v = s.prune("", v)
	out, _ := json.Marshal(v)
	return out
}

// prune drops the unknown fields of v, an object or array at path.
func (s *Server) prune(path string, v any) any {
	switch x := v.(type) {
	case []any:
		for i := range x {
			x[i] = s.prune(path, x[i])
		}
	case map[string]any:
		known, checked := knownFields[path]
		for k, child := range x {
			p := strings.TrimPrefix(path+"."+k, ".")
			if checked && !slices.Contains(known, k) {
				s.warn(fmt.Sprintf("unknown field %q, which Feishu ignores", p))
				delete(x, k)
				continue
			}
			x[k] = s.prune(p, child)
		}
	}
	return v
}

// allow admits one message of the bot within PerMinute a Minute and
// PerSecond a Second, or refuses it with 11232; a refused message is not
// counted.
func (s *Server) allow(tok string) *apiError {
	if s.cfg.Unlimited {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.sent[tok]
	if !ok {
		w = [2]*fakehttp.Window{{N: s.cfg.PerMinute, Per: s.cfg.Minute}, {N: s.cfg.PerSecond, Per: s.cfg.Second}}
		s.sent[tok] = w
	}
	now := s.cfg.RateNow()
	if w[0].Wait(now) > 0 || w[1].Wait(now) > 0 {
		return errTooFast
	}
	w[0].Add(now)
	w[1].Add(now)
	return nil
}
