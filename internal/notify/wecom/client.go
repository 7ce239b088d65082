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

// Error reads like WeCom's answer, with a hint for a wrong key. The
// request's error names the call ("wecom markdown: errcode …").
func (e *APIError) Error() string {
	s := fmt.Sprintf("errcode %d: %s", e.Code, e.Message)
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

// send waits for the robot's rate limit, posts m with hc (the channel's
// client) and classifies the answer. It returns whether a failure is worth
// retrying; errors are free of the key.
func (r *Robot) send(ctx context.Context, hc *http.Client, m *webhookMsg) (bool, error) {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	// Keep <font> and <@userid> as they are rather than \u003c escapes:
	// WeCom reads both, but the bytes counted against the limits are the
	// content's own.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return false, fmt.Errorf("wecom %s: %w", m.MsgType, err)
	}
	release, err := r.acquire(ctx)
	if err != nil {
		// The limiter refuses when the wait would outlast ctx: the delivery
		// is fine, it just needs a later attempt.
		return true, err
	}
	// The message counts against the robot's window until one window
	// after WeCom's answer.
	defer release()
	secrets := []string{r.url, r.key}
	req := notify.Request{Op: "wecom " + m.MsgType, Client: hc, URL: r.url, Body: body.Bytes(), Secrets: secrets,
		Check: answerCheck(m.MsgType, r.rate.Per, secrets)}
	_, _, retry, err := req.Do(ctx)
	return retry, err
}

// answer is WeCom's reply envelope.
type answer struct {
	ErrCode *int   `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// answerCheck is the notify.Request Check of a msgType message: for a
// 2xx, the errcode WeCom puts in the body. window is the robot's
// rate-limit window, how long to back off after a 45009: WeCom does not
// say, and after one whole window every earlier message has left it.
// secrets are kept out of the quoted body.
func answerCheck(msgType string, window time.Duration, secrets []string) func(*http.Response, []byte, bool, error) (bool, error) {
	return func(resp *http.Response, body []byte, retry bool, err error) (bool, error) {
		if err != nil {
			return retry, err
		}
		var ans answer
		if err := json.Unmarshal(body, &ans); err != nil || ans.ErrCode == nil {
			// 2xx that is not WeCom's answer: a captive portal or a proxy page.
			// Nothing says the message was sent; another attempt may get through.
			return true, fmt.Errorf("HTTP %d without a WeCom answer: %q", resp.StatusCode, notify.Excerpt(string(body), 200, secrets))
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
}

// isRateLimit reports whether err is WeCom's own "too fast" answer.
func isRateLimit(err error) bool {
	var aerr *APIError
	return errors.As(err, &aerr) && aerr.Code == codeRateLimit
}
