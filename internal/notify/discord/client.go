package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

// maxResponse bounds what is read of an answer; a message object is a few
// kilobytes.
const maxResponse = 1 << 20

// userAgent names Herald to Discord, in the form Discord asks API clients
// to use (https://discord.com/developers/docs/reference#user-agent).
const userAgent = "DiscordBot (https://github.com/heraldhq/herald, 1)"

// Discord error codes Herald tells apart
// (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json).
const (
	codeUnknownMessage  = 10008
	codeUnknownWebhook  = 10015
	codeInvalidFormBody = 50035
)

// APIError is an error answer of Discord: an HTTP status and the JSON body
// {"code": 50035, "message": "Invalid Form Body", "errors": {...}}.
type APIError struct {
	// Op is what Herald was doing: "execute webhook" or "edit message".
	Op string
	// Status is the HTTP status.
	Status int
	// Code is Discord's JSON error code (10015 Unknown Webhook...), 0 when
	// the answer has none (as a 429 has not).
	Code int
	// Message is Discord's explanation.
	Message string
	// Details are the field errors of an invalid form body, as
	// "embeds.0.description: Must be 4096 or fewer in length.".
	Details []string
	// Global is set on a 429 that applies to every request, not only this
	// webhook's.
	Global bool
	// Err is the shared classifier's view of the answer (*notify.HTTPError).
	Err error
}

// Error reads like Discord's answer. The operation comes before it, in
// the error of the request (see notify.Request).
func (e *APIError) Error() string {
	s := fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
	if e.Code != 0 {
		s += fmt.Sprintf(" (code %d)", e.Code)
	}
	if e.Global {
		s += " (global rate limit)"
	}
	if len(e.Details) > 0 {
		s += ": " + strings.Join(e.Details, "; ")
	}
	return s
}

// Unwrap gives the shared classifier's error, so that errors.As finds the
// *notify.HTTPError as for every other platform.
func (e *APIError) Unwrap() error { return e.Err }

// errorBody is Discord's error answer, and the body of a 429
// (https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit).
type errorBody struct {
	Code       int             `json:"code"`
	Message    string          `json:"message"`
	Errors     json.RawMessage `json:"errors"`
	RetryAfter float64         `json:"retry_after"`
	Global     bool            `json:"global"`
}

// sentMessage is the part of a message object Herald keeps.
type sentMessage struct {
	ID        string `json:"id"`
	ChannelID string `json:"channel_id"`
}

// execute posts a new message and returns it (wait=true).
func (w *Webhook) execute(ctx context.Context, hc *http.Client, p *payload, c *chart) (*sentMessage, bool, error) {
	return w.do(ctx, hc, http.MethodPost, "execute webhook", w.executeURL(), p, c)
}

// edit replaces a message the webhook sent.
func (w *Webhook) edit(ctx context.Context, hc *http.Client, id string, p *payload, c *chart) (*sentMessage, bool, error) {
	return w.do(ctx, hc, http.MethodPatch, "edit message", w.messageURL(id), p, c)
}

// do waits for the rate limit, sends one request with hc (the channel's
// client) and classifies the answer, following its rate-limit headers. It
// returns whether a failure is worth retrying; no error shows the
// webhook's URL or token.
func (w *Webhook) do(ctx context.Context, hc *http.Client, method, op, u string, p *payload, c *chart) (*sentMessage, bool, error) {
	body, contentType, err := encode(p, c)
	if err != nil {
		return nil, false, fmt.Errorf("discord %s: %w", op, err)
	}
	release, err := w.limit.Acquire(ctx, limitKey)
	if err != nil {
		// The delivery is fine; it needs a later attempt.
		return nil, true, fmt.Errorf("discord %s: waiting for the webhook's rate limit: %w", op, err)
	}
	defer release() // the request counts from its answer on
	var msg *sentMessage
	r := &notify.Request{Op: "discord " + op, Client: hc, Method: method, URL: u, Body: body, ContentType: contentType,
		Header: http.Header{"User-Agent": {userAgent}}, MaxResponse: maxResponse, Secrets: w.secrets(),
		Check: func(resp *http.Response, body []byte, retry bool, err error) (bool, error) {
			msg, retry, err = check(op, resp, body, retry, err, w.secrets())
			return retry, err
		}}
	header, _, retry, err := r.Do(ctx)
	if header != nil {
		w.observe(header)
	}
	if rl, ok := errors.AsType[*notify.RateLimitError](err); ok {
		w.limit.Pause(limitKey, time.Now().Add(rl.RetryAfter))
	}
	if err != nil {
		return nil, retry, err
	}
	return msg, false, nil
}

// check reads the answer to op after the shared classifier gave retry and
// herr: the message object of a success, Discord's error body for what the
// status does not say. secrets are kept out of the quoted body.
func check(op string, resp *http.Response, body []byte, retry bool, herr error, secrets []string) (*sentMessage, bool, error) {
	if herr == nil {
		if resp.StatusCode == http.StatusNoContent {
			// Posted, but without wait=true's answer: nothing to edit later.
			return &sentMessage{}, false, nil
		}
		var m sentMessage
		if err := json.Unmarshal(body, &m); err != nil || m.ID == "" {
			// Not Discord's answer (a proxy's page): another attempt may get through.
			return nil, true, fmt.Errorf("HTTP %d without a message object: %q", resp.StatusCode, notify.Excerpt(string(body), 200, secrets))
		}
		return &m, false, nil
	}
	var ans errorBody
	if err := json.Unmarshal(body, &ans); err != nil || (ans.Message == "" && ans.Code == 0) {
		// Not Discord's JSON (a Cloudflare page): the classifier's error
		// keeps the status and the start of the body.
		return nil, retry, herr
	}
	aerr := &APIError{Op: op, Status: resp.StatusCode, Code: ans.Code, Message: ans.Message,
		Details: flattenErrors("", ans.Errors), Global: ans.Global, Err: herr}
	if rl, ok := errors.AsType[*notify.RateLimitError](herr); ok {
		// The body's retry_after has decimals; the Retry-After header is
		// rounded up to whole seconds.
		if d, err := seconds(fmt.Sprint(ans.RetryAfter)); err == nil && d > 0 {
			rl.RetryAfter = d
		}
		return nil, true, &notify.RateLimitError{RetryAfter: rl.RetryAfter, Err: aerr}
	}
	return nil, retry, aerr
}

// maxDetails bounds the field errors kept from one answer.
const maxDetails = 10

// flattenErrors turns Discord's nested field errors
// ({"embeds": {"0": {"title": {"_errors": [{"code", "message"}]}}}}) into
// "embeds.0.title: message" lines, sorted, at most maxDetails.
func flattenErrors(path string, raw json.RawMessage) []string {
	var node map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &node) != nil {
		return nil
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(node)) {
		if k == "_errors" {
			var errs []struct {
				Message string `json:"message"`
			}
			_ = json.Unmarshal(node[k], &errs)
			for _, e := range errs {
				out = append(out, strings.TrimPrefix(path, ".")+": "+e.Message)
			}
			continue
		}
		out = append(out, flattenErrors(path+"."+k, node[k])...)
	}
	if len(out) > maxDetails {
		out = append(out[:maxDetails], fmt.Sprintf("and %d more", len(out)-maxDetails))
	}
	return out
}
