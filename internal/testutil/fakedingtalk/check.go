package fakedingtalk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/testutil/fakehttp"
)

// request is the body of a robot message, every type the fake knows.
type request struct {
	MsgType  string `json:"msgtype"`
	Markdown *struct {
		Title string `json:"title"`
		Text  string `json:"text"`
	} `json:"markdown"`
	Text *struct {
		Content string `json:"content"`
	} `json:"text"`
	At *struct {
		AtMobiles []string `json:"atMobiles"`
		AtUserIDs []string `json:"atUserIds"`
		IsAtAll   bool     `json:"isAtAll"`
	} `json:"at"`
}

// handle checks a request — token, signature, content, keywords, then the
// rate, so that a refused message is not counted — and returns the message
// to record or the refusal.
func (s *Server) handle(r *http.Request) (*Message, *apiError) {
	q := r.URL.Query()
	token := q.Get("access_token")
	s.mu.Lock()
	robot := s.robots[token]
	s.mu.Unlock()
	if robot == nil {
		return nil, errNoToken
	}
	msg := &Message{Token: token}
	if robot.Secret != "" {
		ts, aerr := s.checkSignature(robot.Secret, q.Get("timestamp"), q.Get("sign"))
		if aerr != nil {
			return nil, aerr
		}
		msg.Signed, msg.Timestamp = true, ts
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(s.cfg.MaxBodyBytes)+1))
	if err != nil {
		return nil, errInvalidJSON
	}
	msg.Body = body
	if aerr := s.parse(r, body, msg); aerr != nil {
		return nil, aerr
	}
	if len(robot.Keywords) > 0 && !slices.ContainsFunc(robot.Keywords, func(k string) bool {
		return strings.Contains(msg.Title, k) || strings.Contains(msg.Text, k)
	}) {
		return nil, errKeywords
	}
	if aerr := s.allow(token); aerr != nil {
		return nil, aerr
	}
	s.checkMentions(msg)
	return msg, nil
}

// checkSignature checks the 加签 parameters: a millisecond timestamp within
// MaxTimestampSkew of the fake's clock and sign =
// base64(HmacSHA256(secret, timestamp + "\n" + secret)). Query() has
// already URL-decoded sign, so a client that did not encode it (a '+'
// arrives as a space) fails here as it fails at DingTalk.
func (s *Server) checkSignature(secret, timestamp, sign string) (int64, *apiError) {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return 0, errTimestamp
	}
	skew := s.cfg.Now().Sub(time.UnixMilli(ts))
	if skew > MaxTimestampSkew || skew < -MaxTimestampSkew {
		return 0, errTimestamp
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "\n" + secret))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(sign), []byte(want)) {
		return 0, errSign
	}
	return ts, nil
}

// parse checks the content type, size, encoding and fields of body and
// fills msg.
func (s *Server) parse(r *http.Request, body []byte, msg *Message) *apiError {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return errContentType
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return errContentType
	}
	if len(body) > s.cfg.MaxBodyBytes {
		return errTooLong
	}
	if !utf8.Valid(body) {
		return errInvalidUTF8
	}
	if err := json.Unmarshal(body, new(request)); err != nil {
		return errInvalidJSON
	}
	var req request
	if err := json.Unmarshal(s.exactFields(body), &req); err != nil {
		return errInvalidJSON
	}
	msg.MsgType = req.MsgType
	switch req.MsgType {
	case "markdown":
		switch {
		case req.Markdown == nil || req.Markdown.Title == "":
			return errMissingField("markdown.title")
		case req.Markdown.Text == "":
			return errMissingField("markdown.text")
		}
		msg.Title, msg.Text = req.Markdown.Title, req.Markdown.Text
	case "text":
		if req.Text == nil || req.Text.Content == "" {
			return errMissingField("text.content")
		}
		msg.Text = req.Text.Content
	case "":
		return errMissingField("msgtype")
	default:
		// link, actionCard and feedCard exist but Herald never sends them.
		return errMsgType
	}
	if req.At != nil {
		msg.AtMobiles, msg.AtUserIDs, msg.IsAtAll = req.At.AtMobiles, req.At.AtUserIDs, req.At.IsAtAll
	}
	return nil
}

// knownFields are the fields of each object of a request, spelt exactly:
// encoding/json matches names without regard to case, DingTalk does not.
var knownFields = map[string][]string{
	"":         {"msgtype", "markdown", "text", "at"},
	"markdown": {"title", "text"},
	"text":     {"content"},
	"at":       {"atMobiles", "atUserIds", "isAtAll"},
}

// exactFields returns body without the fields DingTalk would ignore, and
// warns about each: a misspelt "atUserIDs" would notify nobody, and
// nothing would say so. (encoding/json alone would match it to atUserIds.)
func (s *Server) exactFields(body []byte) []byte {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return body
	}
	for name := range top {
		if !slices.Contains(knownFields[""], name) {
			s.warn(fmt.Sprintf("unknown field %q, which DingTalk ignores", name))
			delete(top, name)
			continue
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(top[name], &obj) != nil {
			continue
		}
		for field := range obj {
			if !slices.Contains(knownFields[name], field) {
				s.warn(fmt.Sprintf("unknown field %q, which DingTalk ignores", name+"."+field))
				delete(obj, field)
			}
		}
		top[name], _ = json.Marshal(obj)
	}
	out, _ := json.Marshal(top)
	return out
}

// checkMentions warns about mentions DingTalk would not highlight: a
// markdown message notifies a mobile or user id only when the text holds
// "@" followed by it.
func (s *Server) checkMentions(msg *Message) {
	for _, who := range slices.Concat(msg.AtMobiles, msg.AtUserIDs) {
		if !strings.Contains(msg.Text, "@"+who) {
			s.warn(fmt.Sprintf("at %q is not in the text as %q: DingTalk does not highlight it", who, "@"+who))
		}
	}
}

func (s *Server) warn(w string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.warnings = append(s.warnings, w)
}

// allow admits one message of the robot with token within Limit per
// Window, or refuses it with 130101; a refused message is not counted.
func (s *Server) allow(token string) *apiError {
	if s.cfg.Unlimited {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.RateNow()
	if now.Before(s.penalty[token]) {
		return errTooFast
	}
	sent := s.sent[token]
	if sent == nil {
		sent = &fakehttp.Window{N: s.cfg.Limit, Per: s.cfg.Window}
		s.sent[token] = sent
	}
	if sent.Wait(now) > 0 {
		if s.cfg.Penalty > 0 {
			s.penalty[token] = now.Add(s.cfg.Penalty)
		}
		return errTooFast
	}
	sent.Add(now)
	return nil
}
