package mattermost

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

// requestTimeout bounds one request when the caller's context has none.
const requestTimeout = 30 * time.Second

// op names incoming webhooks in errors.
const op = "mattermost incoming webhook"

// APIError is an error answer of Mattermost: the server's AppError JSON,
// {"id":"web.incoming_webhook.invalid.app_error","message":"Invalid
// webhook.","status_code":400,…}. Message is an excerpt with secrets
// replaced.
type APIError struct {
	Status  int
	ID      string
	Message string
	Err     error
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s: HTTP %d %s: %s", op, e.Status, e.ID, e.Message)
}

func (e *APIError) Unwrap() error { return e.Err }

// appError is the JSON of Mattermost's errors (model.AppError).
type appError struct {
	ID         string `json:"id"`
	Message    string `json:"message"`
	Detailed   string `json:"detailed_error"`
	StatusCode int    `json:"status_code"`
}

// post sends one payload, after taking its place in the server's
// allowance. Mattermost answers "ok" with 200; its errors are AppError
// JSON with their status (400 invalid webhook or payload, 403 channel
// locked or not allowed, 404 channel not found, 501 webhooks disabled);
// with rate limiting on, 429 "limit exceeded" with Retry-After and
// X-RateLimit-* headers (server/channels/web/webhook.go,
// server/channels/app/ratelimit.go).
func (n *Notifier) post(ctx context.Context, p *payload) (bool, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return false, fmt.Errorf("%s: %w", op, err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, requestTimeout)
		defer cancel()
	}
	release, err := n.limiter.Acquire(ctx, n.origin, n.rate)
	if err != nil {
		return true, err
	}
	defer release()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url, bytes.NewReader(body))
	if err != nil {
		return false, n.redact(fmt.Errorf("%s: %w", op, notify.RedactURL(err)))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := n.client.Do(req)
	if err != nil {
		return notify.TransportError(op, err, n.secrets...)
	}
	raw, err := notify.ReadBody(resp, maxResponse)
	if err != nil {
		return true, n.redact(fmt.Errorf("%s: %w", op, err))
	}
	n.observe(resp.Header)
	retry, err := n.check(resp, raw)
	return retry, n.redact(err)
}

// check classifies an answer with notify.CheckResponse; a 200 must say
// "ok", else it is not Mattermost's answer (a proxy's login page) and
// nothing was posted.
func (n *Notifier) check(resp *http.Response, body []byte) (bool, error) {
	text := strings.TrimSpace(string(body))
	retry, err := notify.CheckResponse(resp, body, n.secrets)
	switch {
	case err == nil && text == "ok":
		return false, nil
	case err == nil:
		return true, fmt.Errorf("%s: HTTP %d without Mattermost's answer: %q", op, resp.StatusCode, notify.Excerpt(text, 200, n.secrets))
	case resp.StatusCode == http.StatusTooManyRequests:
		wait := rateLimitWait(resp.Header, time.Now())
		n.limiter.Pause(n.origin, time.Now().Add(wait))
		var herr *notify.HTTPError
		errors.As(err, &herr)
		return true, &notify.RateLimitError{RetryAfter: wait, Err: fmt.Errorf("%s: %w", op, herr)}
	}
	var ae appError
	if json.Unmarshal(body, &ae) == nil && ae.ID != "" {
		msg := ae.Message
		if ae.Detailed != "" {
			msg += " (" + ae.Detailed + ")"
		}
		return retry, &APIError{Status: resp.StatusCode, ID: notify.Excerpt(ae.ID, 100, n.secrets),
			Message: notify.Excerpt(msg, 300, n.secrets), Err: err}
	}
	return retry, fmt.Errorf("%s: %w", op, err)
}

// rateLimitWait is how long a 429 asks to wait: Retry-After, else
// X-RateLimit-Reset (seconds until the allowance is full again), else a
// second.
func rateLimitWait(h http.Header, now time.Time) time.Duration {
	if d := notify.ParseRetryAfter(h.Get("Retry-After"), now); d > 0 {
		return d
	}
	if d, ok := headerSeconds(h, "X-RateLimit-Reset"); ok && d > 0 {
		return d
	}
	return time.Second
}

// observe pauses the server's allowance when an answer says it is spent
// (X-RateLimit-Remaining: 0). Mattermost's limiter (throttled's GCRA)
// gives X-RateLimit-Reset as the seconds, rounded up, until the whole
// burst of X-RateLimit-Limit requests is back, so one request is back
// after Reset/Limit.
func (n *Notifier) observe(h http.Header) {
	if strings.TrimSpace(h.Get("X-RateLimit-Remaining")) != "0" {
		return
	}
	reset, ok := headerSeconds(h, "X-RateLimit-Reset")
	if !ok {
		reset = time.Second
	}
	if limit, err := strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Limit"))); err == nil && limit > 1 {
		reset /= time.Duration(limit)
	}
	n.limiter.Pause(n.origin, time.Now().Add(reset))
}

// headerSeconds reads a header of whole seconds.
func headerSeconds(h http.Header, name string) (time.Duration, bool) {
	s, err := strconv.Atoi(strings.TrimSpace(h.Get(name)))
	if err != nil || s < 0 || s > 3600 {
		return 0, false
	}
	return time.Duration(s) * time.Second, true
}

// redact removes the webhook URL and key from err.
func (n *Notifier) redact(err error) error { return notify.Redact(err, n.secrets...) }
