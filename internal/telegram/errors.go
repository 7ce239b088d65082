package telegram

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

// The kinds of error answer, for errors.Is: an *APIError is the one its
// code names (ErrMigrated: its migrate_to_chat_id; ErrNotModified,
// ErrQueryTooOld and ErrMessageNotFound: a 400 with Telegram's words for
// them, which are also ErrBadRequest). A rate limit
// is a *notify.RateLimitError (errors.As) with Telegram's retry_after,
// because the dispatcher's retry stage honours that type for every
// platform; it wraps the *APIError.
var (
	// ErrBadRequest is 400: the request is wrong and will stay wrong
	// ("chat not found", "can't parse entities", "message is not modified").
	ErrBadRequest = errors.New("telegram: bad request")
	// ErrUnauthorized is 401: the token is wrong or was revoked.
	ErrUnauthorized = errors.New("telegram: unauthorized")
	// ErrForbidden is 403: the user blocked the bot, or the bot is no
	// longer in the group or channel.
	ErrForbidden = errors.New("telegram: forbidden")
	// ErrNotFound is 404: no such method, or a token the server cannot read.
	ErrNotFound = errors.New("telegram: not found")
	// ErrConflict is 409: getUpdates while a webhook is set, or two
	// programs polling the same bot.
	ErrConflict = errors.New("telegram: conflict")
	// ErrMigrated is a group upgraded to a supergroup: every message to
	// the old id fails; APIError.MigrateToChatID is the new one.
	ErrMigrated = errors.New("telegram: group migrated to a supergroup")
	// ErrNotModified is an edit that would change nothing ("message is not
	// modified"): the message already shows what the edit wanted, so a
	// caller treats it as done.
	ErrNotModified = errors.New("telegram: message is not modified")
	// ErrQueryTooOld is answerCallbackQuery for a query answered already
	// or pressed too long ago ("query is too old and response timeout
	// expired or query ID is invalid"): nobody waits for the answer.
	ErrQueryTooOld = errors.New("telegram: callback query is too old")
	// ErrMessageNotFound is an edit or deletion of a message that is gone
	// (deleted, or never there).
	ErrMessageNotFound = errors.New("telegram: message not found")
)

// Telegram's descriptions of the 400 answers that have a kind of their
// own, lower case (https://core.telegram.org/bots/api#making-requests
// documents none; these are what the Bot API sends).
var (
	notModifiedText  = []string{"message is not modified"}
	queryTooOldText  = []string{"query is too old", "query id is invalid"}
	messageGoneTexts = []string{"message to edit not found", "message to delete not found", "message_id_invalid"}
)

// APIError is an error answer of the Bot API: {"ok":false,"error_code":...}.
type APIError struct {
	// Method is the Bot API method called.
	Method string
	// Code is Telegram's error_code (the HTTP status).
	Code int
	// Description is Telegram's explanation ("Bad Request: chat not found").
	Description string
	// RetryAfter is parameters.retry_after of a 429.
	RetryAfter time.Duration
	// MigrateToChatID is set when the group became a supergroup with a new
	// id; every later message to the old id fails the same way.
	MigrateToChatID int64
	// Err is the shared classifier's view of the answer (*notify.HTTPError).
	Err error
}

// Error reads like Telegram's answer, prefixed by the method, plus what to
// do when the answer says it.
func (e *APIError) Error() string {
	s := fmt.Sprintf("telegram %s: %d %s", e.Method, e.Code, e.Description)
	switch {
	case e.MigrateToChatID != 0:
		s += fmt.Sprintf(" (the group is now the supergroup %d: set chat_id: %d in the channel's config)",
			e.MigrateToChatID, e.MigrateToChatID)
	case e.Code == http.StatusUnauthorized:
		s += " (the bot token is wrong or was revoked: check bot_token with @BotFather)"
	case e.Code == http.StatusConflict:
		s += " (another program polls this bot, or a webhook is set)"
	}
	return s
}

// Unwrap gives the shared classifier's error, so that errors.As finds the
// *notify.HTTPError (and its status) as for every other platform.
func (e *APIError) Unwrap() error { return e.Err }

// Is matches the Err* kinds by code.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrMigrated:
		return e.MigrateToChatID != 0
	case ErrBadRequest:
		return e.Code == http.StatusBadRequest
	case ErrUnauthorized:
		return e.Code == http.StatusUnauthorized
	case ErrForbidden:
		return e.Code == http.StatusForbidden
	case ErrNotFound:
		return e.Code == http.StatusNotFound
	case ErrConflict:
		return e.Code == http.StatusConflict
	case ErrNotModified:
		return e.badRequestSays(notModifiedText)
	case ErrQueryTooOld:
		return e.badRequestSays(queryTooOldText)
	case ErrMessageNotFound:
		return e.badRequestSays(messageGoneTexts)
	}
	return false
}

// badRequestSays reports a 400 whose description contains one of texts.
func (e *APIError) badRequestSays(texts []string) bool {
	if e.Code != http.StatusBadRequest {
		return false
	}
	d := strings.ToLower(e.Description)
	for _, t := range texts {
		if strings.Contains(d, t) {
			return true
		}
	}
	return false
}

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
		aerr.RetryAfter = rl.RetryAfter
		return true, &notify.RateLimitError{RetryAfter: rl.RetryAfter, Err: aerr}
	}
	if aerr.MigrateToChatID != 0 {
		// Retrying the old id can never work; the config must change.
		return false, aerr
	}
	return retry, aerr
}
