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
	"unicode/utf8"
)

// maxErrorBody bounds how much of an error response is kept in an error.
const maxErrorBody = 512

// HTTPError is a non-2xx answer from a platform.
type HTTPError struct {
	StatusCode int
	// Body is the start of the answer, secrets already replaced (see
	// CheckResponse and Excerpt).
	Body string
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
//
// secrets are the strings the body must not show (a platform may quote the
// request URL, token included). They are a required argument, not a later
// Redact, because the body is cut to maxErrorBody here: a secret cut in two
// no longer matches, so redaction has to come first (see Excerpt).
func CheckResponse(resp *http.Response, body []byte, secrets []string) (retry bool, err error) {
	code := resp.StatusCode
	if code/100 == 2 {
		return false, nil
	}
	herr := &HTTPError{StatusCode: code, Body: Excerpt(strings.TrimSpace(string(body)), maxErrorBody, secrets)}
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

// Redact returns err with every secret, and every long fragment of one (see
// RedactText), replaced by <secret>. Empty secrets are ignored.
func Redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := RedactText(msg, secrets...)
	if clean == msg {
		return err
	}
	return &redactedError{msg: clean, err: err}
}

// Excerpt is the start of s, at most n bytes (plus "…"), for an error
// message: secrets are replaced first, then s is cut. The other order lets
// a secret that straddles the cut leave its head behind, which no later
// redaction recognises. Every cut of text from the outside (an answer
// body, a platform's error message) goes through Excerpt; Truncate is for
// Herald's own text.
func Excerpt(s string, n int, secrets []string) string {
	return Truncate(RedactText(s, secrets...), n)
}

// Truncate shortens s to at most n bytes without cutting a UTF-8 sequence.
// It knows nothing of secrets: text that may quote one is cut with Excerpt.
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

// secretMark replaces a secret in text.
const secretMark = "<secret>"

// minFragment is the length of the shortest piece of a secret that is
// replaced on its own. Text from the outside may hold a secret cut by
// someone else (a proxy quoting the first 100 bytes of a URL, a platform
// echoing a truncated request); eight bytes of a token are too many to
// leave and too many to occur in ordinary text by chance.
const minFragment = 8

// RedactText replaces every secret in s with <secret>, then every run of s
// made of pieces of at least minFragment bytes of a secret: a head or tail
// of a token at the edge of someone else's cut, or a token quoted inside
// other text. A secret that is a URL (a webhook URL) is looked at part by
// part: its path segments, query values and password count when they look
// like tokens (see fragmentSources), so that "https://" or "/services/"
// stay readable.
func RedactText(s string, secrets ...string) string {
	for _, sec := range secrets {
		if sec != "" && strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, secretMark)
		}
	}
	if len(s) < minFragment {
		return s
	}
	windows := fragmentWindows(secrets)
	if len(windows) == 0 {
		return s
	}
	var b strings.Builder
	done := 0 // s[:done] is written to b
	for i := 0; i+minFragment <= len(s); {
		if _, ok := windows[s[i:i+minFragment]]; !ok {
			i++
			continue
		}
		start, end := i, i+minFragment
		// Overlapping and touching pieces make one run: a long fragment
		// is many windows.
		for j := i + 1; j <= end && j+minFragment <= len(s); j++ {
			if _, ok := windows[s[j:j+minFragment]]; ok {
				end = j + minFragment
			}
		}
		for start > done && !utf8.RuneStart(s[start]) {
			start--
		}
		for end < len(s) && !utf8.RuneStart(s[end]) {
			end++
		}
		b.WriteString(s[done:start])
		b.WriteString(secretMark)
		done, i = end, end
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// fragmentWindows is the set of every minFragment-byte piece of the
// secrets' fragment sources.
func fragmentWindows(secrets []string) map[string]struct{} {
	var set map[string]struct{}
	for _, sec := range secrets {
		for _, src := range fragmentSources(sec) {
			for i := 0; i+minFragment <= len(src); i++ {
				if set == nil {
					set = make(map[string]struct{})
				}
				set[src[i:i+minFragment]] = struct{}{}
			}
		}
	}
	return set
}

// fragmentSources are the parts of a secret whose pieces are secret too:
// the parts that look like tokens (see tokenLike) of a token, a password, a
// URL or a piece of one, split where URLs split. A URL's scheme and host,
// and words such as "webhooks", "workflow" or "access_token", appear in
// ordinary error text and are not secret on their own.
func fragmentSources(secret string) []string {
	if len(secret) < minFragment {
		return nil
	}
	var parts []string
	if u, err := url.Parse(secret); err == nil && u.Scheme != "" && u.Host != "" {
		if u.User != nil {
			parts = append(parts, u.User.Username())
			if pw, ok := u.User.Password(); ok {
				parts = append(parts, pw)
			}
		}
		secret = u.EscapedPath() + "?" + u.RawQuery + "#" + u.EscapedFragment()
	}
	parts = append(parts, strings.FieldsFunc(secret, func(r rune) bool { return strings.ContainsRune("/?&=#", r) })...)
	var out []string
	for _, p := range parts {
		plain, err := url.QueryUnescape(p)
		if err != nil {
			plain = p
		}
		if tokenLike(plain) {
			out = append(out, plain)
			if p != plain {
				out = append(out, p)
			}
		}
	}
	return out
}

// tokenLike reports whether a part of a URL looks like a token or an id
// rather than a word, a date or a path: long enough, no '/', and either
// long or made of both letters and digits.
func tokenLike(p string) bool {
	if len(p) < minFragment || strings.Contains(p, "/") {
		return false
	}
	if len(p) >= 16 {
		return true
	}
	return strings.ContainsAny(p, "0123456789") &&
		strings.ContainsFunc(p, func(r rune) bool { return r < utf8.RuneSelf && (r|0x20 >= 'a' && r|0x20 <= 'z') })
}
