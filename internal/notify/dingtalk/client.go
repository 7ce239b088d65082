package dingtalk

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/heraldhq/herald/internal/notify"
)

// The errcode values Herald tells apart. DingTalk answers HTTP 200 for
// every one of them, so the body decides.
const (
	// CodeOK is success.
	CodeOK = 0
	// CodeBusy is "系统繁忙" (system busy), which DingTalk's global error
	// codes say to retry later
	// (https://open.dingtalk.com/document/orgapp/server-api-error-codes).
	CodeBusy = -1
	// CodeTooFast is "send too fast, exceed 20 times per minute": the robot
	// went over RobotMessages per RobotWindow.
	CodeTooFast = 130101
	// CodeTooFastRobot is "发送速度太快而限流" (sending too fast, throttled) in
	// the error codes of the custom robot send API
	// (https://open.dingtalk.com/document/orgapp/custom-robots-send-group-messages).
	CodeTooFastRobot = 410100
	// CodeSecurity is a failed security check: "keywords not in content",
	// "invalid timestamp", "sign not match" or "ip … not in whitelist"
	// (https://open.dingtalk.com/document/robots/custom-robot-access, 常见问题).
	CodeSecurity = 310000
	// CodeTooLong is "message too long, exceed 20000 bytes"; newer answers
	// say "body 大小不合法 … 请保持大小在 20000bytes 以内" (see MaxBodyBytes).
	CodeTooLong = 460101
)

// APIError is an answer of DingTalk with a non-zero errcode.
type APIError struct {
	// Code is DingTalk's errcode.
	Code int
	// Message is DingTalk's errmsg.
	Message string
}

// Error reads like DingTalk's answer, with a hint for the answers that
// mean the robot's settings and Herald's config disagree. The request's
// error names the call ("dingtalk send: errcode …").
func (e *APIError) Error() string {
	s := fmt.Sprintf("errcode %d: %s", e.Code, e.Message)
	if e.Code == CodeSecurity {
		s += " (check the robot's security settings: the secret for 加签, the keywords, the IP allowlist)"
	}
	return s
}

// retryable reports whether another attempt may succeed: a busy DingTalk
// or a rate limit. Every other code (a wrong token, a failed security
// check, a message DingTalk refuses) fails the same way again.
func (e *APIError) retryable() bool {
	return e.Code == CodeBusy || e.rateLimited()
}

func (e *APIError) rateLimited() bool { return e.Code == CodeTooFast || e.Code == CodeTooFastRobot }

// answer is DingTalk's answer envelope.
type answer struct {
	ErrCode *int   `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// post sends one message body. It returns whether a failure is worth
// retrying; errors are free of the robot's secrets.
func (n *Notifier) post(ctx context.Context, body []byte) (bool, error) {
	r := notify.Request{
		Op: "dingtalk send", Client: n.client, URL: n.url, Body: body,
		// DingTalk asks for UTF-8 explicitly ("必须将字符集编码设置成UTF-8").
		ContentType: "application/json; charset=utf-8",
		Secrets:     n.secrets, Check: n.check,
	}
	_, _, retry, err := r.Do(ctx)
	return retry, err
}

// check reads DingTalk's errcode, which is the truth for a 2xx; the
// status was classified before.
func (n *Notifier) check(resp *http.Response, raw []byte, retry bool, err error) (bool, error) {
	if err != nil {
		return retry, err
	}
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil || a.ErrCode == nil {
		// A 2xx that is not DingTalk's answer: a proxy or captive portal.
		// The message most likely did not reach DingTalk.
		return true, fmt.Errorf("HTTP %d without a DingTalk answer: %q", resp.StatusCode, notify.Excerpt(string(raw), 200, n.secrets))
	}
	if *a.ErrCode == CodeOK {
		return false, nil
	}
	aerr := &APIError{Code: *a.ErrCode, Message: notify.Excerpt(a.ErrMsg, 300, n.secrets)}
	if !aerr.rateLimited() {
		return aerr.retryable(), aerr
	}
	// The limiter exists so that this never happens; when it does,
	// another program posts to the robot too. Pause every channel of the
	// robot for a whole window: DingTalk's count has emptied by then.
	wait := n.limit.rate.Per
	n.limit.pause(wait)
	n.logger.Warn("DingTalk answered \"send too fast\" although Herald keeps under its limit; is another program using this robot?",
		"robot", n.robot, "errcode", aerr.Code, "retry_after", wait)
	return true, &notify.RateLimitError{RetryAfter: wait, Err: aerr}
}
