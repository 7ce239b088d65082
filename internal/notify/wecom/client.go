package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

// maxResponse bounds what is read of an answer: {"errcode":0,"errmsg":"ok"}
// or an error with a hint, never more than a few hundred bytes.
const maxResponse = 64 << 10

// WeCom's return codes that matter to a robot (global codes:
// https://developer.work.weixin.qq.com/document/path/90313). Every other
// non-zero code is a request WeCom will refuse again: permanent.
const (
	// codeBusy: "-1 系统繁忙 … 建议稍候重试" (system busy, try again later).
	codeBusy = -1
	// codeRateLimit: "45009 接口调用超过限制" (api freq out of limit), the
	// answer to a robot's 21st message in a minute.
	codeRateLimit = 45009
	// codeConcurrency: "45033 接口并发调用超过限制" (too many concurrent calls).
	codeConcurrency = 45033
	// codeBadWebhook: "93000 invalid webhook url": a wrong key or a robot
	// removed from its group.
	codeBadWebhook = 93000
)

// APIError is a WeCom answer with a non-zero errcode, which WeCom sends
// with HTTP 200.
type APIError struct {
	// MsgType is the message type that was refused (markdown, image, text).
	MsgType string
	// Code is WeCom's errcode.
	Code int
	// Message is WeCom's errmsg ("api freq out of limit, hint: [...]").
	Message string
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("wecom %s: errcode %d: %s", e.MsgType, e.Code, e.Message)
	if e.Code == codeBadWebhook {
		s += " (check the key in the channel's wecom.url; was the robot removed from the group?)"
	}
	return s
}

// webhookMsg is the body of one webhook call
// (https://developer.work.weixin.qq.com/document/path/91770): msgtype and
// the one field it names.
type webhookMsg struct {
	MsgType  string        `json:"msgtype"`
	Text     *textBody     `json:"text,omitempty"`
	Markdown *markdownBody `json:"markdown,omitempty"`
	Image    *imageBody    `json:"image,omitempty"`
}

// textBody is a text message; the only type whose mentions take lists.
type textBody struct {
	Content             string   `json:"content"`
	MentionedList       []string `json:"mentioned_list,omitempty"`
	MentionedMobileList []string `json:"mentioned_mobile_list,omitempty"`
}

// markdownBody is a markdown message; it mentions with <@userid> in the
// content only.
type markdownBody struct {
	Content string `json:"content"`
}

// imageBody is an image message: the base64 of the raw JPG or PNG bytes
// and the hex md5 of those raw bytes (not of the base64).
type imageBody struct {
	Base64 string `json:"base64"`
	MD5    string `json:"md5"`
}

// send waits for the robot's rate limit, posts m and classifies the
// answer. It returns whether a failure is worth retrying; errors are free of
// the key.
func (r *Robot) send(ctx context.Context, hc *http.Client, m *webhookMsg) (bool, error) {
	release, err := r.acquire(ctx)
	if err != nil {
		// The limiter refuses when the wait would outlast ctx: the delivery
		// is fine, it just needs a later attempt.
		return true, err
	}
	// The message counts against the robot's window until one window
	// after WeCom's answer.
	defer release()
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	// Keep <font> and <@userid> as they are rather than \u003c escapes:
	// WeCom reads both, but the bytes counted against the limits are the
	// content's own.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return false, fmt.Errorf("wecom %s: %w", m.MsgType, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, &body)
	if err != nil {
		return false, r.redact(fmt.Errorf("wecom %s: %w", m.MsgType, notify.RedactURL(err)))
	}
	req.Header.Set("Content-Type", "application/json")
	if hc == nil {
		hc = r.client
	}
	resp, err := hc.Do(req)
	if err != nil {
		return notify.TransportError("wecom "+m.MsgType, err, r.url, r.key)
	}
	raw, err := notify.ReadBody(resp, maxResponse)
	if err != nil {
		return true, r.redact(fmt.Errorf("wecom %s: %w", m.MsgType, err))
	}
	retry, err := check(m.MsgType, resp, raw, r.rate.Per, r.url, r.key)
	return retry, r.redact(err)
}

// answer is WeCom's reply envelope.
type answer struct {
	ErrCode *int   `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// check classifies an answer: the HTTP status with the shared classifier,
// then, for a 2xx, the errcode WeCom puts in the body. window is the
// robot's rate-limit window, how long to back off after a 45009: WeCom does
// not say, and after one whole window every earlier message has left it.
// secrets are kept out of the quoted body.
func check(msgType string, resp *http.Response, body []byte, window time.Duration, secrets ...string) (bool, error) {
	if retry, err := notify.CheckResponse(resp, body, secrets); err != nil {
		return retry, fmt.Errorf("wecom %s: %w", msgType, err)
	}
	var ans answer
	if err := json.Unmarshal(body, &ans); err != nil || ans.ErrCode == nil {
		// 2xx that is not WeCom's answer: a captive portal or a proxy page.
		// Nothing says the message was sent; another attempt may get through.
		return true, fmt.Errorf("wecom %s: HTTP %d without a WeCom answer: %q", msgType, resp.StatusCode, notify.Excerpt(string(body), 200, secrets))
	}
	code := *ans.ErrCode
	if code == 0 {
		return false, nil
	}
	aerr := &APIError{MsgType: msgType, Code: code, Message: notify.Excerpt(strings.TrimSpace(ans.ErrMsg), 300, secrets)}
	switch code {
	case codeRateLimit:
		return true, &notify.RateLimitError{RetryAfter: window, Err: aerr}
	case codeBusy, codeConcurrency:
		return true, aerr
	default:
		return false, aerr
	}
}

// isRateLimit reports whether err is WeCom's own "too fast" answer.
func isRateLimit(err error) bool {
	var aerr *APIError
	return errors.As(err, &aerr) && aerr.Code == codeRateLimit
}
