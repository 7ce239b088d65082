package mattermost

import (
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
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.ID, e.Message)
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
	r := &notify.Request{Op: op, Client: n.client, URL: n.url, Body: body, MaxResponse: maxResponse,
		Secrets: n.secrets, Check: n.check}
	_, _, retry, err := r.Do(ctx)
	return retry, err
}

// check follows the rate-limit headers of an answer, then classifies it
// after notify.CheckResponse (retry, err): a 200 must say "ok", else it is
// not Mattermost's answer (a proxy's login page) and nothing was posted;
// a 429 pauses the server's allowance; an error's AppError says what went
// wrong.
func (n *Notifier) check(resp *http.Response, body []byte, retry bool, err error) (bool, error) {
	n.observe(resp.Header)
	text := strings.TrimSpace(string(body))
	switch {
	case err == nil && text == "ok":
		return false, nil
	case err == nil:
		return true, fmt.Errorf("HTTP %d without Mattermost's answer: %q", resp.StatusCode, notify.Excerpt(text, 200, n.secrets))
	case resp.StatusCode == http.StatusTooManyRequests:
		wait := rateLimitWait(resp.Header, time.Now())
		n.limiter.Pause(n.origin, time.Now().Add(wait))
		herr, _ := errors.AsType[*notify.HTTPError](err)
		return true, &notify.RateLimitError{RetryAfter: wait, Err: herr}
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
	return retry, err
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
