package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

// maxResponse bounds what is read of an answer; Slack's are small.
const maxResponse = 1 << 20

// APIError is an error answer from Slack: a Web API {"ok":false,"error":…}
// (usually with HTTP 200) or an incoming webhook's plain-text error.
type APIError struct {
	// Method is the Web API method, or "incoming webhook".
	Method string
	// Code is Slack's error code, such as "channel_not_found".
	Code string
	// Status is the HTTP status of the answer.
	Status int
	// Needed is the scope a missing_scope answer asks for.
	Needed string
	// Messages are Slack's details (response_metadata.messages), such as
	// which block of an invalid_blocks answer is wrong.
	Messages []string
	// Err is the shared classifier's view of a non-2xx answer
	// (*notify.HTTPError), nil for an error inside an HTTP 200.
	Err error
}

// Error reads like Slack's answer, plus what to do for the errors that
// need a person. The method comes before it, in the error of the request
// (see notify.Request).
func (e *APIError) Error() string {
	s := e.Code
	if e.Status != http.StatusOK && e.Status != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	if len(e.Messages) > 0 {
		s += ": " + notify.Truncate(strings.Join(e.Messages, "; "), 300)
	}
	if hint := hints[e.Code]; hint != "" {
		s += " (" + hint + ")"
	}
	if e.Code == "missing_scope" && e.Needed != "" {
		s += " (add the " + e.Needed + " scope to the Slack app and reinstall it)"
	}
	return s
}

// Unwrap gives the classifier's error, so that errors.As finds the
// *notify.HTTPError and its status as for every other platform.
func (e *APIError) Unwrap() error { return e.Err }

// hints say what to do about the errors that only a person can fix.
var hints = map[string]string{
	"not_in_channel":    "invite the Slack app to the channel: /invite @app",
	"channel_not_found": "check slack.channel, a channel id such as C0123ABCD, and that the app can see it",
	"invalid_auth":      "check slack.bot_token",
	"not_authed":        "check slack.bot_token",
	"token_revoked":     "the bot token was revoked; install the app again",
	"no_service":        "the incoming webhook was removed or disabled; create a new one",
	"is_archived":       "the channel is archived",
}

// retryCodes are the Web API errors that say Slack, not the request, had a
// problem: another attempt may work.
var retryCodes = map[string]bool{
	"internal_error": true, "fatal_error": true, "service_unavailable": true,
	"request_timeout": true, "rollup_error": true,
}

// rateLimitCodes are the Web API's "too fast" answers.
var rateLimitCodes = map[string]bool{"ratelimited": true, "rate_limited": true}

// apiResponse is the Web API's answer envelope.
type apiResponse struct {
	OK               bool   `json:"ok"`
	Error            string `json:"error"`
	Needed           string `json:"needed"`
	ResponseMetadata struct {
		Messages []string `json:"messages"`
	} `json:"response_metadata"`
}

// call posts body to a Web API method with the bot token and hc (the
// channel's client), and decodes the answer into result (which may be
// nil). The caller waits for the rate limit first. It returns whether a
// failure is worth retrying; errors are free of the client's secrets.
func (c *client) call(ctx context.Context, hc *http.Client, method, contentType string, body []byte, result any) (bool, error) {
	r := &notify.Request{Op: "slack " + method, Client: hc, URL: c.apiURL + "/" + method, Body: body,
		ContentType: contentType, Header: http.Header{"Authorization": {"Bearer " + c.token}},
		MaxResponse: maxResponse, Secrets: c.secrets,
		Check: func(resp *http.Response, body []byte, retry bool, err error) (bool, error) {
			return checkAPI(method, resp, body, result, retry, err, c.secrets)
		}}
	_, _, retry, err := r.Do(ctx)
	return retry, err
}

// callJSON is call with params encoded as JSON.
func (c *client) callJSON(ctx context.Context, hc *http.Client, method string, params, result any) (bool, error) {
	body, err := json.Marshal(params)
	if err != nil {
		return false, fmt.Errorf("slack %s: %w", method, err)
	}
	// Slack warns "missing_charset" without the charset.
	return c.call(ctx, hc, method, "application/json; charset=utf-8", body, result)
}

// checkAPI classifies a Web API answer after the shared classifier gave
// retry and herr: the envelope's error code says more than the status
// (Slack answers most errors with HTTP 200). secrets are kept out of the
// quoted body and of Slack's messages, which Error cuts.
func checkAPI(method string, resp *http.Response, body []byte, result any, retry bool, herr error, secrets []string) (bool, error) {
	var ans apiResponse
	jerr := json.Unmarshal(body, &ans)
	switch {
	case herr == nil && jerr == nil && ans.OK:
		if result == nil {
			return false, nil
		}
		if err := json.Unmarshal(body, result); err != nil {
			return false, fmt.Errorf("unexpected answer: %w", err)
		}
		return false, nil
	case jerr != nil || ans.Error == "":
		if herr == nil {
			// 2xx that is not the Web API's answer: a captive portal or a
			// proxy page. Nothing was done; another attempt may get through.
			return true, fmt.Errorf("HTTP %d without a Web API answer: %q", resp.StatusCode, notify.Excerpt(string(body), 200, secrets))
		}
		return retry, herr
	}
	aerr := &APIError{Method: method, Code: ans.Error, Status: resp.StatusCode, Needed: ans.Needed,
		Messages: redactAll(ans.ResponseMetadata.Messages, secrets), Err: herr}
	return classify(aerr, resp.Header, retry)
}

// redactAll replaces secrets in each of msgs, before APIError.Error cuts
// their join.
func redactAll(msgs, secrets []string) []string {
	if len(msgs) == 0 {
		return msgs
	}
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = notify.RedactText(m, secrets...)
	}
	return out
}

// classify decides what an error answer means: a rate limit (wait
// Retry-After), worth retrying, or permanent. statusRetry is the shared
// classifier's verdict on the HTTP status.
func classify(aerr *APIError, h http.Header, statusRetry bool) (bool, error) {
	if rl, ok := errors.AsType[*notify.RateLimitError](aerr.Err); ok || rateLimitCodes[aerr.Code] {
		wait := notify.ParseRetryAfter(h.Get("Retry-After"), time.Now())
		if ok && rl.RetryAfter > wait {
			wait = rl.RetryAfter
		}
		return true, &notify.RateLimitError{RetryAfter: wait, Err: aerr}
	}
	if retryCodes[aerr.Code] {
		return true, aerr
	}
	if aerr.Err != nil {
		// A non-2xx status: 5xx and 408 are worth another try whatever the
		// code says; other statuses are not.
		return statusRetry, aerr
	}
	return false, aerr
}
