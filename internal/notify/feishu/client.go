package feishu

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

// maxResponse bounds what is read of an answer; Feishu's are a few bytes.
const maxResponse = 64 << 10

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
// mean the bot's settings and Herald's config disagree.
func (e *APIError) Error() string {
	s := fmt.Sprintf("feishu %s: code %d: %s", e.Op, e.Code, e.Message)
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

// answer is Feishu's answer envelope.
type answer struct {
	Code *int   `json:"code"`
	Msg  string `json:"msg"`
}

// post sends one card. It returns whether a failure is worth retrying;
// errors are free of the bot's secrets.
func (n *Notifier) post(ctx context.Context, body []byte) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url, bytes.NewReader(body))
	if err != nil {
		return false, n.redact(fmt.Errorf("feishu send: %w", notify.RedactURL(err)))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := n.client.Do(req)
	if err != nil {
		return notify.TransportError("feishu send", err, n.secrets...)
	}
	raw, err := notify.ReadBody(resp, maxResponse)
	if err != nil {
		return true, n.redact(fmt.Errorf("feishu send: %w", err))
	}
	retry, err := n.check(resp, raw)
	return retry, n.redact(err)
}

// check classifies an answer. A Feishu answer with a code decides (the
// bot says 200 and the gateway 400 or 429 with a code inside); anything
// else goes to the shared classifier.
func (n *Notifier) check(resp *http.Response, raw []byte) (bool, error) {
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil || a.Code == nil {
		if retry, err := notify.CheckResponse(resp, raw, n.secrets); err != nil {
			return retry, fmt.Errorf("feishu send: %w", err)
		}
		// A 2xx that is not Feishu's answer: a proxy or captive portal.
		return true, fmt.Errorf("feishu send: HTTP %d without a Feishu answer: %q", resp.StatusCode, notify.Excerpt(string(raw), 200, n.secrets))
	}
	if *a.Code == CodeOK && resp.StatusCode/100 == 2 {
		return false, nil
	}
	if *a.Code == CodeOK {
		return notify.CheckResponse(resp, raw, n.secrets)
	}
	aerr := &APIError{Op: "send", Code: *a.Code, Message: notify.Excerpt(a.Msg, 300, n.secrets)}
	if !aerr.rateLimited() {
		return aerr.retryable(), aerr
	}
	// The limiter exists so that this does not happen; when it does,
	// Feishu is loaded or another program posts to the bot. Every channel
	// of the bot pauses.
	wait := TooFastPause
	if s, err := strconv.Atoi(resp.Header.Get("x-ogw-ratelimit-reset")); err == nil && s > 0 {
		wait = time.Duration(s) * time.Second
	} else if d := notify.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); d > 0 {
		wait = d
	}
	n.limit.pause(wait)
	n.logger.Warn("Feishu answered \"frequency limited\" although Herald keeps under the bot's limit; is another program using this bot, or is it the full or half hour?",
		"bot", n.bot, "code", aerr.Code, "retry_after", wait)
	return true, &notify.RateLimitError{RetryAfter: wait, Err: aerr}
}

// redact removes the bot's and the app's secrets from err.
func (n *Notifier) redact(err error) error { return notify.Redact(err, n.secretList()...) }

// secretList is every secret an error could quote: the configured ones
// and the app's current tenant token.
func (n *Notifier) secretList() []string {
	if n.tokens == nil {
		return n.secrets
	}
	return append(append([]string(nil), n.secrets...), n.tokens.current())
}
