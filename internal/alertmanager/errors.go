package alertmanager

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
)

// ErrNotFound is the cause of an *Error about a silence that Alertmanager
// does not have (or an id that cannot be one): check it with errors.Is.
var ErrNotFound = errors.New("silence not found")

// ErrTooLarge is the cause of an *Error about an answer larger than the
// client reads (WithMaxResponseSize): a narrower filter may help.
var ErrTooLarge = errors.New("answer too large")

const (
	// maxErrorText bounds Alertmanager's reason quoted in an error: its
	// own messages are one line ("silence invalid: ..."); more is a
	// proxy's page.
	maxErrorText = 300
	// maxAnswerExcerpt bounds the start of an unreadable answer quoted in
	// an error: enough to tell a login page from JSON.
	maxAnswerExcerpt = 100
	// errorBodyLimit bounds how much of an error answer is read.
	errorBodyLimit = 64 << 10
)

// Error is a failed call to Alertmanager. Its text never holds a
// credential of the http_config. The client never retries: the caller has
// a deadline and decides, with IsRetryable.
type Error struct {
	// Op names the call ("list alerts", "expire silence").
	Op string
	// StatusCode is the answer's HTTP status, 0 when no answer came.
	StatusCode int
	// Msg is Alertmanager's reason for an error status (its error body),
	// credentials replaced, at most 300 bytes; empty when it gave none.
	// It is outside text: quote it, never render it as markup.
	Msg string
	// Retryable is set when another attempt may succeed without a change
	// of configuration or request: no answer, a timeout, a 5xx, 408, 429.
	Retryable bool

	text string
	err  error
}

// Error reads like `alertmanager create silence: HTTP 400: "silence
// invalid: ..."`.
func (e *Error) Error() string { return e.text }

// Unwrap gives the cause: ErrNotFound, ErrTooLarge, context.DeadlineExceeded,
// a transport error.
func (e *Error) Unwrap() error { return e.err }

// IsRetryable reports whether err is an *Error worth another attempt of
// the same call (see Error.Retryable).
func IsRetryable(err error) bool {
	e, ok := errors.AsType[*Error](err)
	return ok && e.Retryable
}

// fail completes e with its text, msg and the cause's, every secret of c
// replaced: a cause may quote a request or an answer.
func (c *Client) fail(e *Error, msg string, cause error) *Error {
	if cause != nil {
		msg += ": " + cause.Error()
		if e.err == nil {
			e.err = cause
		}
	}
	e.text = notify.RedactText(msg, c.secrets...)
	return e
}

// transportError is a call that got no (whole) answer. The request URL is
// left out of the text: the op says which call it was, and its query is a
// long filter.
func (c *Client) transportError(op string, err error) *Error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err
	}
	msg := "alertmanager " + op
	if errors.Is(err, context.DeadlineExceeded) {
		msg += fmt.Sprintf(" (timeout %s or the caller's deadline)", c.timeout)
	}
	// A caller that gave up does not want another attempt; a slow or
	// unreachable Alertmanager may answer the next one.
	return c.fail(&Error{Op: op, Retryable: !errors.Is(err, context.Canceled)}, msg, err)
}

// statusError classifies a non-2xx answer: 5xx, 408 and 429 may pass,
// other statuses are the request's fault or the configuration's.
func (c *Client) statusError(r request, code int, body []byte) *Error {
	e := &Error{Op: r.op, StatusCode: code, Msg: notify.Excerpt(reason(body), maxErrorText, c.secrets)}
	if r.silence && silenceNotFound(code, e.Msg) {
		e.err = ErrNotFound
		return c.fail(e, fmt.Sprintf("alertmanager %s: %v (HTTP %d)", r.op, ErrNotFound, code), nil)
	}
	e.Retryable = code/100 == 5 || code == http.StatusRequestTimeout || code == http.StatusTooManyRequests
	msg := fmt.Sprintf("alertmanager %s: HTTP %d", r.op, code)
	if code/100 == 3 {
		msg += " (a redirect, not followed: follow_redirects is false)"
	}
	if e.Msg != "" {
		msg += ": " + strconv.Quote(e.Msg)
	}
	return c.fail(e, msg, nil)
}

// silenceNotFound reports whether an answer about one silence says that
// it does not exist: 404, or a 500 with that text, which is how
// Alertmanager 0.25 (Debian's package) answers DELETE of an unknown id.
func silenceNotFound(code int, msg string) bool {
	return code == http.StatusNotFound || code == http.StatusInternalServerError && msg == "silence not found"
}

// reason is the text of an error body on one line: Alertmanager sends its
// reasons as a JSON string ("silence invalid: ..."), go-openapi its
// validation errors as {"code":602,"message":"..."}, a proxy anything.
func reason(body []byte) string {
	b := bytes.TrimSpace(body)
	var s string
	if json.Unmarshal(b, &s) != nil {
		var v struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(b, &v) == nil && v.Message != "" {
			s = v.Message
		} else {
			s = string(b)
		}
	}
	return strings.Join(strings.Fields(s), " ")
}

// tooLarge is a 2xx answer over the client's bound.
func (c *Client) tooLarge(op string) *Error {
	return c.fail(&Error{Op: op, StatusCode: http.StatusOK, err: ErrTooLarge},
		fmt.Sprintf("alertmanager %s: %v (over %s; narrow the filter)", op, ErrTooLarge, config.Bytes(c.maxBytes)), nil)
}

// badAnswer is a 2xx answer that is not the JSON expected: a proxy's login
// page, another server at the URL.
func (c *Client) badAnswer(op string, code int, body []byte, err error) *Error {
	start := notify.Excerpt(strings.Join(strings.Fields(string(body)), " "), maxAnswerExcerpt, c.secrets)
	return c.fail(&Error{Op: op, StatusCode: code},
		fmt.Sprintf("alertmanager %s: unreadable answer (HTTP %d, starting %q)", op, code, start), err)
}
