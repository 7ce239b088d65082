package feishu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

// The codes Herald tells apart. The bot answers HTTP 200 for most of
// them, with {"code":…,"msg":…}; the others are errors all the same.
const (
	// CodeOK is success.
	CodeOK = 0
	// CodeBadRequest is "Bad Request": a body Feishu cannot read or one
	// over MaxBodyBytes ("请求体大小不能超过 20 K").
	CodeBadRequest = 9499
	// CodeInternal is an internal error, worth another try (users report
	// it under load next to 11232, e.g.
	// https://github.com/openclaw/openclaw/issues/70879).
	CodeInternal = 2200
	// CodeTooFast is "frequency limited": over BotPerMinute or
	// BotPerSecond, or load at the full and half hours.
	CodeTooFast = 11232
	// CodeBadSign is "sign match fail or timestamp is not within one hour
	// from current time": a wrong secret, or a clock more than
	// MaxTimestampSkew off.
	CodeBadSign = 19021
	// CodeIPNotAllowed is "Ip Not Allowed": the IP allowlist setting.
	CodeIPNotAllowed = 19022
	// CodeKeywords is "Key Words Not Found": the custom keywords setting.
	CodeKeywords = 19024
	// CodeGatewayTooFast is the Open Platform gateway's "request trigger
	// frequency limit", with HTTP 429 (or 400 on older APIs) and
	// x-ogw-ratelimit-reset
	// (https://open.feishu.cn/document/server-docs/api-call-guide/frequency-control).
	CodeGatewayTooFast = 99991400
)

// APIError is an answer of Feishu with a non-zero code.
type APIError struct {
	// Op is what was asked: "send", "upload image", "get tenant token".
	Op string
	// Code and Message are Feishu's code and msg.
	Code    int
	Message string
}

// Error reads like Feishu's answer, with a hint for the answers that
// mean the bot's settings and Herald's config disagree. The request's
// error names the call ("feishu send: code …").
func (e *APIError) Error() string {
	s := fmt.Sprintf("code %d: %s", e.Code, e.Message)
	switch e.Code {
	case CodeBadSign:
		s += " (check secret against the bot's signature verification setting, and this host's clock)"
	case CodeIPNotAllowed:
		s += " (the bot's IP allowlist does not hold Herald's address)"
	case CodeKeywords:
		s += " (the bot's custom keywords setting: put a keyword in the title template)"
	}
	return s
}

// retryable reports whether another attempt may succeed: an internal
// error or a rate limit. Every other code (a deleted bot, a wrong secret,
// a card Feishu refuses) fails the same way again.
func (e *APIError) retryable() bool { return e.Code == CodeInternal || e.rateLimited() }

func (e *APIError) rateLimited() bool { return e.Code == CodeTooFast || e.Code == CodeGatewayTooFast }

// envelope is what every answer of Feishu holds: the code, 0 for
// success, and its message. The answers of the token and upload APIs
// embed it.
type envelope struct {
	Code *int   `json:"code"`
	Msg  string `json:"msg"`
}

// answerCheck is the notify.Request Check of a Feishu call named op
// ("send", "upload image") whose answer decodes into v, env being v's
// envelope. A Feishu answer with a code decides: the bot says 200 and the
// gateway 400 or 429 with a code inside; code 0 leaves the status's
// verdict. An answer without one keeps the shared classifier's verdict,
// and a 2xx without one is a proxy's or a captive portal's page.
func answerCheck(op string, v any, env *envelope, secrets []string) func(*http.Response, []byte, bool, error) (bool, error) {
	return func(resp *http.Response, raw []byte, retry bool, err error) (bool, error) {
		if jerr := json.Unmarshal(raw, v); jerr != nil || env.Code == nil {
			if err != nil {
				return retry, err
			}
			return true, fmt.Errorf("HTTP %d without a Feishu answer: %q", resp.StatusCode, notify.Excerpt(string(raw), 200, secrets))
		}
		if *env.Code == CodeOK {
			return retry, err
		}
		aerr := &APIError{Op: op, Code: *env.Code, Message: notify.Excerpt(env.Msg, 300, secrets)}
		return aerr.retryable(), aerr
	}
}

// post sends one card. It returns whether a failure is worth retrying;
// errors are free of the bot's secrets.
func (n *Notifier) post(ctx context.Context, body []byte) (bool, error) {
	var a envelope
	secrets := n.secretList()
	check := answerCheck("send", &a, &a, secrets)
	r := notify.Request{
		Op: "feishu send", Client: n.client, URL: n.url, Body: body,
		ContentType: "application/json; charset=utf-8", Secrets: secrets,
		Check: func(resp *http.Response, raw []byte, retry bool, err error) (bool, error) {
			retry, err = check(resp, raw, retry, err)
			if aerr, ok := errors.AsType[*APIError](err); ok && aerr.rateLimited() {
				return true, n.tooFast(resp, aerr)
			}
			return retry, err
		},
	}
	_, _, retry, err := r.Do(ctx)
	return retry, err
}

// tooFast pauses every channel of the bot after Feishu's "frequency
// limited" and returns the rate limit to wait for. The limiter exists so
// that this does not happen; when it does, Feishu is loaded or another
// program posts to the bot.
func (n *Notifier) tooFast(resp *http.Response, aerr *APIError) error {
	wait := TooFastPause
	if s, err := strconv.Atoi(resp.Header.Get("x-ogw-ratelimit-reset")); err == nil && s > 0 {
		wait = time.Duration(s) * time.Second
	} else if d := notify.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); d > 0 {
		wait = d
	}
	n.limit.pause(wait)
	n.logger.Warn("Feishu answered \"frequency limited\" although Herald keeps under the bot's limit; is another program using this bot, or is it the full or half hour?",
		"bot", n.bot, "code", aerr.Code, "retry_after", wait)
	return &notify.RateLimitError{RetryAfter: wait, Err: aerr}
}

// secretList is every secret an error could quote: the configured ones
// and the app's current tenant token.
func (n *Notifier) secretList() []string {
	if n.tokens == nil {
		return n.secrets
	}
	return append(append([]string(nil), n.secrets...), n.tokens.current())
}
