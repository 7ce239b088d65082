package prom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

// APIError is an answer that is not a success: an error in Prometheus' own
// format ({"status":"error","errorType":"bad_data",...}) or an HTTP error
// from anything in front of it.
type APIError struct {
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Type is Prometheus' errorType (bad_data, timeout, canceled,
	// execution, internal, unavailable, not_found), or server_error,
	// client_error or bad_response when the answer did not carry one.
	Type string
	// Msg is Prometheus' error text, or the start of the body.
	Msg string
}

// Error formats as "bad_data (HTTP 400): parse error ...".
func (e *APIError) Error() string {
	s := e.Type + " (HTTP " + strconv.Itoa(e.StatusCode) + ")"
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	return s
}

// maxDetail is how much of an unexpected body goes into an error: enough
// to tell a proxy's "502 Bad Gateway" page from Prometheus, not a whole
// HTML page in a log line.
const maxDetail = 200

// call sends one API request to /api/v1/<op> and hands the data of a
// success to data, which reads it from the stream. The body is read through
// a limit of limit bytes; raise names the setting that allows more.
// Queries go as POST forms, because a long expression in a URL exceeds the
// limits of proxies; a server or proxy that refuses POST (403, 405, 501)
// gets the same request as GET, as client_golang does. Both attempts share
// the per-call timeout.
func (c *Client) call(ctx context.Context, op string, post bool, args url.Values, limit int64, raise string, data func(*json.Decoder) error) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	u := c.api.URL("/api/v1/"+op, nil)
	if post {
		args.Set("timeout", evalTimeout(ctx, c.timeout))
	}
	resp, err := c.send(ctx, u, args, post)
	if err == nil && post && postRefused(resp.StatusCode) {
		discard(resp.Body)
		resp, err = c.send(ctx, u, args, false)
	}
	if err != nil {
		return c.fail(op, err)
	}
	warnings, err := c.read(resp, limit, raise, data)
	if err != nil {
		var tl *TooLargeError
		if !errors.As(err, &tl) && ctx.Err() != nil {
			// The budget ran out while the body was read; say so rather
			// than "unexpected EOF" from the decoder.
			err = fmt.Errorf("reading the answer: %w", ctx.Err())
		}
		return c.fail(op, err)
	}
	if len(warnings) > 0 {
		// The chart is still drawn, but someone debugging an odd chart (a
		// partial answer from Thanos) needs these.
		c.logger.Debug("prometheus answered with warnings", "op", op, "query", args.Get("query"), "warnings", warnings)
	}
	return nil
}

// read decodes an answer and closes its body. A success is decoded as it
// streams in; an error's body is read only as far as errorBodyLimit. When
// the body is over the limit it is closed unread, which closes the
// connection instead of downloading the rest of a huge answer.
func (c *Client) read(resp *http.Response, limit int64, raise string, data func(*json.Decoder) error) ([]string, error) {
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		body, err := io.ReadAll(io.LimitReader(resp.Body, errorBodyLimit))
		if err != nil {
			return nil, err
		}
		return decodeError(resp.StatusCode, body, c.redact.secrets)
	}
	lr := newLimitReader(resp.Body, limit, raise)
	warnings, err := decodeStream(resp.StatusCode, lr, data, c.redact.secrets)
	if err != nil {
		return warnings, err
	}
	// At most a newline is left; reading to the end lets the connection
	// be reused.
	discard(lr)
	return warnings, nil
}

// discard reads what is left of a small body and closes it.
func discard(r io.Reader) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r, 4<<10))
	if c, ok := r.(io.Closer); ok {
		c.Close()
	}
}

// send makes one request, args in a form body or in the URL.
func (c *Client) send(ctx context.Context, u *url.URL, args url.Values, post bool) (*http.Response, error) {
	var req *http.Request
	var err error
	if post {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(args.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		// Parameters in the configured URL (VictoriaMetrics'
		// extra_label=…) stay next to the call's own.
		q := u.Query()
		for k, vs := range args {
			q[k] = vs
		}
		g := *u
		g.RawQuery = q.Encode()
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, g.String(), nil)
	}
	if err != nil {
		return nil, err
	}
	return c.hc.Do(req)
}

func postRefused(code int) bool {
	return code == http.StatusForbidden || code == http.StatusMethodNotAllowed || code == http.StatusNotImplemented
}

// evalTimeout is the query's own timeout parameter: the time left, so that
// the server stops evaluating a query nobody waits for any more. It is
// written in seconds because Prometheus does not parse fractional Go
// durations ("4.5s").
func evalTimeout(ctx context.Context, fallback time.Duration) string {
	left := fallback
	if d, ok := ctx.Deadline(); ok {
		left = time.Until(d)
	}
	// Zero would mean "the server's default"; the context ends the call.
	return strconv.FormatFloat(max(left.Seconds(), 0.001), 'f', 3, 64)
}

// fail wraps an error with the operation and without secrets.
func (c *Client) fail(op string, err error) error {
	return fmt.Errorf("prometheus %s: %w", op, c.redact.apply(err))
}

// envelope is the wrapper of every Prometheus API answer, without its
// data, which is decoded as it streams in (stream.go).
type envelope struct {
	Status    string   `json:"status"`
	ErrorType string   `json:"errorType"`
	Error     string   `json:"error"`
	Warnings  []string `json:"warnings"`
}

// decodeError reads a non-2xx answer. Prometheus answers errors with 400,
// 422, 503 and others, always with the envelope; a proxy answers with
// anything.
func decodeError(code int, body []byte, secrets []string) ([]string, error) {
	var env envelope
	if json.Unmarshal(body, &env) == nil && env.Status == "error" {
		return env.Warnings, &APIError{StatusCode: code, Type: env.ErrorType, Msg: env.Error}
	}
	typ := "server_error"
	if code/100 == 4 {
		typ = "client_error"
	}
	return nil, &APIError{StatusCode: code, Type: typ, Msg: shorten(string(body), secrets)}
}

// shorten makes a body fit on one log line. Secrets go before the cut:
// one cut in two would no longer be recognised by the redaction of the
// whole error afterwards.
func shorten(s string, secrets []string) string {
	s = notify.RedactText(s, secrets...)
	return notify.Truncate(strings.Join(strings.Fields(s), " "), maxDetail)
}
