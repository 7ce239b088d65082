package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
)

// maxResponse bounds what is read of an answer; a Message object is a few
// kilobytes at most.
const maxResponse = 1 << 20

// APIError is an error answer of the Bot API: {"ok":false,"error_code":...}.
type APIError struct {
	// Method is the Bot API method called.
	Method string
	// Code is Telegram's error_code (the HTTP status).
	Code int
	// Description is Telegram's explanation ("Bad Request: chat not found").
	Description string
	// MigrateToChatID is set when the group became a supergroup with a new
	// id; every later message to the old id fails the same way.
	MigrateToChatID int64
	// Err is the shared classifier's view of the answer (*notify.HTTPError).
	Err error
}

// Error reads like Telegram's answer, prefixed by the method, plus what to
// do when the answer names a new chat id.
func (e *APIError) Error() string {
	s := fmt.Sprintf("telegram %s: %d %s", e.Method, e.Code, e.Description)
	if e.MigrateToChatID != 0 {
		s += fmt.Sprintf(" (the group is now the supergroup %d: set chat_id: %d in the channel's config)",
			e.MigrateToChatID, e.MigrateToChatID)
	}
	return s
}

// Unwrap gives the shared classifier's error, so that errors.As finds the
// *notify.HTTPError (and its status) as for every other platform.
func (e *APIError) Unwrap() error { return e.Err }

// apiResponse is the Bot API's answer envelope.
type apiResponse struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter      int   `json:"retry_after"`
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// call waits for the rate limit of chat, posts params as JSON to method and
// decodes the answer's result into result. It returns whether a failure is
// worth retrying; every error is free of the bot's secrets.
func (b *Bot) call(ctx context.Context, chat config.ChatID, method string, params, result any) (bool, error) {
	body, err := json.Marshal(params)
	if err != nil {
		return false, fmt.Errorf("telegram %s: %w", method, err)
	}
	return b.post(ctx, chat, method, "application/json", body, result)
}

// post waits for the rate limit of chat, posts body to method and decodes
// the answer's result into result: the one path of every API call, JSON or
// multipart, so that each takes a token and is classified the same way.
func (b *Bot) post(ctx context.Context, chat config.ChatID, method, contentType string, body []byte, result any) (bool, error) {
	release, err := b.acquire(ctx, chat)
	if err != nil {
		// The limiter refuses when the wait would outlast ctx: the delivery
		// is fine, it just needs a later attempt.
		return true, err
	}
	defer release()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.apiURL+"/bot"+b.token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return false, b.redact(fmt.Errorf("telegram %s: %w", method, notify.RedactURL(err)))
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := b.client.Do(req)
	if err != nil {
		return notify.TransportError("telegram "+method, err, b.secrets...)
	}
	raw, err := notify.ReadBody(resp, maxResponse)
	if err != nil {
		return true, b.redact(fmt.Errorf("telegram %s: %w", method, err))
	}
	retry, err := check(method, resp, raw, result, b.secrets...)
	if rl, ok := errors.AsType[*notify.RateLimitError](err); ok {
		// The limiter exists so that this never happens; when it does, the
		// token is shared with another program or the limits are too high.
		b.logger.Warn("Telegram answered 429 although Herald keeps to telegram.rate_limits; is another program using this bot token?",
			"method", method, "chat", chat.String(), "retry_after", rl.RetryAfter)
	}
	return retry, b.redact(err)
}

// check classifies an answer with the shared classifier, reading the Bot
// API's envelope for what the status alone does not say: ok:false,
// retry_after and migrate_to_chat_id. secrets are kept out of the quoted
// body.
func check(method string, resp *http.Response, body []byte, result any, secrets ...string) (bool, error) {
	var ans apiResponse
	jerr := json.Unmarshal(body, &ans)
	status := resp.StatusCode
	if jerr == nil && !ans.OK && ans.ErrorCode >= 400 {
		// The envelope's code is the truth should a proxy turn an error
		// answer into 200.
		status = ans.ErrorCode
	}
	retry, herr := notify.CheckResponse(&http.Response{StatusCode: status, Header: resp.Header}, body, secrets)
	switch {
	case herr == nil && jerr == nil && ans.OK:
		if result == nil {
			return false, nil
		}
		if err := json.Unmarshal(ans.Result, result); err != nil {
			return false, fmt.Errorf("telegram %s: unexpected result: %w", method, err)
		}
		return false, nil
	case herr == nil:
		// 2xx that is not a Bot API answer: a captive portal or a proxy
		// error page. Nothing was sent; another attempt may get through.
		return true, fmt.Errorf("telegram %s: HTTP %d without a Bot API answer: %q", method, resp.StatusCode, notify.Excerpt(string(body), 200, secrets))
	case jerr != nil || ans.Description == "":
		// Not Telegram's envelope (a proxy's page): the classifier's error
		// keeps the status and the start of the body.
		return retry, fmt.Errorf("telegram %s: %w", method, herr)
	}
	aerr := &APIError{Method: method, Code: status, Description: ans.Description,
		MigrateToChatID: ans.Parameters.MigrateToChatID, Err: herr}
	if rl, ok := errors.AsType[*notify.RateLimitError](herr); ok {
		if ans.Parameters.RetryAfter > 0 {
			rl.RetryAfter = time.Duration(ans.Parameters.RetryAfter) * time.Second
		}
		return true, &notify.RateLimitError{RetryAfter: rl.RetryAfter, Err: aerr}
	}
	if aerr.MigrateToChatID != 0 {
		// Retrying the old id can never work; the config must change.
		return false, aerr
	}
	return retry, aerr
}

// sendMessageParams are the parameters of sendMessage.
type sendMessageParams struct {
	ChatID              string           `json:"chat_id"`
	MessageThreadID     int              `json:"message_thread_id,omitempty"`
	Text                string           `json:"text"`
	ParseMode           string           `json:"parse_mode"`
	LinkPreviewOptions  linkPreview      `json:"link_preview_options"`
	DisableNotification bool             `json:"disable_notification,omitempty"`
	ReplyParameters     *replyParameters `json:"reply_parameters,omitempty"`
}

// editMessageTextParams are the parameters of editMessageText.
type editMessageTextParams struct {
	ChatID             string      `json:"chat_id"`
	MessageID          int64       `json:"message_id"`
	Text               string      `json:"text"`
	ParseMode          string      `json:"parse_mode"`
	LinkPreviewOptions linkPreview `json:"link_preview_options"`
}

// linkPreview is LinkPreviewOptions. Alert texts link to Prometheus,
// Grafana and runbooks; a preview of each would bury the alert.
type linkPreview struct {
	IsDisabled bool `json:"is_disabled"`
}

// replyParameters is ReplyParameters. allow_sending_without_reply keeps a
// resolved message from failing when someone deleted the firing one.
type replyParameters struct {
	MessageID                int64 `json:"message_id"`
	AllowSendingWithoutReply bool  `json:"allow_sending_without_reply"`
}

// sentMessage is the part of a Message object Herald keeps.
type sentMessage struct {
	MessageID int64 `json:"message_id"`
}

// sendMessage sends one text and returns its message id.
func (b *Bot) sendMessage(ctx context.Context, chat config.ChatID, p *sendMessageParams) (int64, bool, error) {
	var m sentMessage
	retry, err := b.call(ctx, chat, "sendMessage", p, &m)
	if err != nil {
		return 0, retry, err
	}
	return m.MessageID, false, nil
}

// editMessageText replaces the text of a message.
func (b *Bot) editMessageText(ctx context.Context, chat config.ChatID, p *editMessageTextParams) (bool, error) {
	return b.call(ctx, chat, "editMessageText", p, nil)
}
