package notify

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxErrorBody bounds how much of an error response is kept in an error.
const maxErrorBody = 512

// HTTPError is a non-2xx answer from a platform.
type HTTPError struct {
	StatusCode int
	Body       string
}

func (e *HTTPError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("HTTP %d", e.StatusCode)
	}
	return fmt.Sprintf("HTTP %d: %s", e.StatusCode, e.Body)
}

// CheckResponse classifies an HTTP answer the same way for every platform:
// 2xx is success; 429 is a *RateLimitError (honouring Retry-After); 5xx and
// 408 are worth retrying; every other status is permanent. Platforms that
// answer 200 with an error inside the body check the body afterwards.
func CheckResponse(resp *http.Response, body []byte) (retry bool, err error) {
	code := resp.StatusCode
	if code/100 == 2 {
		return false, nil
	}
	herr := &HTTPError{StatusCode: code, Body: Truncate(strings.TrimSpace(string(body)), maxErrorBody)}
	switch {
	case code == http.StatusTooManyRequests:
		return true, &RateLimitError{RetryAfter: ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()), Err: herr}
	case code/100 == 5, code == http.StatusRequestTimeout:
		return true, herr
	default:
		return false, herr
	}
}

// ReadBody reads at most limit bytes of a response body and closes it.
func ReadBody(resp *http.Response, limit int64) ([]byte, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return b, fmt.Errorf("read response: %w", err)
	}
	// Drain a little more so the connection can be reused.
	_, _ = io.CopyN(io.Discard, resp.Body, 4096)
	return b, nil
}

// ParseRetryAfter reads an HTTP Retry-After header: seconds or an HTTP date.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// TransportError classifies an error from http.Client.Do: everything on the
// way to the platform (DNS, connect, reset, timeout) is worth retrying unless
// the caller's context is done. Secrets in the request URL are redacted.
func TransportError(op string, err error, secrets ...string) (bool, error) {
	return true, fmt.Errorf("%s: %w", op, Redact(RedactURL(err), secrets...))
}

// RedactURL removes credentials, query and path secrets from a *url.Error,
// which otherwise prints the whole request URL.
func RedactURL(err error) error {
	var e *url.Error
	if !errors.As(err, &e) {
		return err
	}
	u, perr := url.Parse(e.URL)
	if perr != nil {
		e.URL = "<redacted>"
		return err
	}
	u.User = nil
	u.RawQuery = ""
	u.Path = "<redacted>"
	u.RawPath = ""
	e.URL = u.String()
	return err
}

// redactedError replaces secrets in the text of an error while keeping it
// inspectable with errors.Is/As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Redact returns err with every occurrence of the given secrets replaced by
// <secret>. Empty secrets are ignored.
func Redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "<secret>")
			changed = true
		}
	}
	if !changed {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

// Truncate shortens s to at most n bytes without cutting a UTF-8 sequence.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && cut < len(s) && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
