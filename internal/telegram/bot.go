package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

// pollMargin is how much longer than its long-poll timeout a getUpdates
// call may take: Telegram answers at the timeout, the network adds to it.
const pollMargin = 10 * time.Second

// PollDeadline is how long a getUpdates call with a long-poll timeout of
// timeout seconds may take before the client gives up on it.
func PollDeadline(timeout int) time.Duration {
	return time.Duration(max(timeout, 0))*time.Second + pollMargin
}

// Update is an incoming update: a message, an edited message, a button
// press or a change of the bot's membership in a chat. One of its
// pointers is set; the kinds Herald does not ask for leave all nil.
type Update struct {
	UpdateID      int64          `json:"update_id"`
	Message       *Message       `json:"message,omitempty"`
	EditedMessage *Message       `json:"edited_message,omitempty"`
	CallbackQuery *CallbackQuery `json:"callback_query,omitempty"`
	// MyChatMember is the bot added to or removed from a chat, or blocked
	// by a user; only with "my_chat_member" in allowed_updates.
	MyChatMember *ChatMemberUpdated `json:"my_chat_member,omitempty"`
}

// The update kinds, as allowed_updates names them.
const (
	UpdateMessage       = "message"
	UpdateEditedMessage = "edited_message"
	UpdateCallbackQuery = "callback_query"
	UpdateMyChatMember  = "my_chat_member"
)

// CallbackQuery is the press of an inline keyboard button. Message is the
// message of the button (Inaccessible when too old); Data is the button's
// callback_data.
type CallbackQuery struct {
	ID           string   `json:"id"`
	From         User     `json:"from"`
	Message      *Message `json:"message,omitempty"`
	ChatInstance string   `json:"chat_instance,omitempty"`
	Data         string   `json:"data,omitempty"`
}

// ChatMemberUpdated is a change of a member's status in a chat; for
// my_chat_member the member is the bot.
type ChatMemberUpdated struct {
	Chat          Chat       `json:"chat"`
	From          User       `json:"from"`
	Date          int64      `json:"date"`
	OldChatMember ChatMember `json:"old_chat_member"`
	NewChatMember ChatMember `json:"new_chat_member"`
}

// ChatMember is a member of a chat and its status: "creator",
// "administrator", "member", "restricted", "left" or "kicked".
type ChatMember struct {
	Status string `json:"status"`
	User   User   `json:"user"`
}

// GetUpdatesParams are the parameters of getUpdates. Timeout is the long
// poll in seconds: Telegram holds the request that long when there is
// nothing new, so the call's deadline is Timeout plus a margin, not the
// client's timeout.
type GetUpdatesParams struct {
	Offset         int64    `json:"offset,omitempty"`
	Limit          int      `json:"limit,omitempty"`
	Timeout        int      `json:"timeout,omitempty"`
	AllowedUpdates []string `json:"allowed_updates,omitempty"`
}

// GetUpdates long-polls for updates after p.Offset (the last update_id
// seen plus one, which also confirms the earlier ones). The call is not
// bounded by the client's timeout, which is shorter than a long poll, but
// by p.Timeout plus pollMargin: Telegram answers at p.Timeout at the
// latest, so a call still open past the margin is a dead connection.
func (c *Client) GetUpdates(ctx context.Context, p *GetUpdatesParams) ([]Update, bool, error) {
	if p == nil {
		p = &GetUpdatesParams{}
	}
	ctx, cancel := context.WithTimeout(ctx, PollDeadline(p.Timeout))
	defer cancel()
	body, err := json.Marshal(p)
	if err != nil {
		return nil, false, fmt.Errorf("telegram getUpdates: %w", err)
	}
	var ups []Update
	retry, err := c.post(ctx, c.poll, "", "getUpdates", "application/json", body, &ups)
	if err != nil {
		return nil, retry, err
	}
	return ups, false, nil
}

// SetWebhookParams are the parameters of setWebhook. SecretToken (1–256
// characters of A-Z, a-z, 0-9, _ and -) comes back in the
// X-Telegram-Bot-Api-Secret-Token header of every webhook request, so
// that the receiver can tell Telegram from anyone who found the URL.
type SetWebhookParams struct {
	URL                string   `json:"url"`
	SecretToken        string   `json:"secret_token,omitempty"`
	MaxConnections     int      `json:"max_connections,omitempty"`
	AllowedUpdates     []string `json:"allowed_updates,omitempty"`
	DropPendingUpdates bool     `json:"drop_pending_updates,omitempty"`
}

// SetWebhook has Telegram post updates to p.URL instead of answering
// getUpdates. The secret token, like the bot token, is kept out of errors.
func (c *Client) SetWebhook(ctx context.Context, p *SetWebhookParams) (bool, error) {
	retry, err := c.call(ctx, "", "setWebhook", p, nil)
	return retry, notify.Redact(err, p.SecretToken)
}

// WebhookInfo is the webhook Telegram has for the bot (URL "" for none).
// Telegram never shows the secret token back.
type WebhookInfo struct {
	URL                  string   `json:"url"`
	PendingUpdateCount   int      `json:"pending_update_count"`
	LastErrorDate        int64    `json:"last_error_date,omitempty"`
	LastErrorMessage     string   `json:"last_error_message,omitempty"`
	MaxConnections       int      `json:"max_connections,omitempty"`
	AllowedUpdates       []string `json:"allowed_updates,omitempty"`
	HasCustomCertificate bool     `json:"has_custom_certificate"`
}

// GetWebhookInfo returns the bot's webhook: whether one is set (and so
// whether getUpdates can work) and the last delivery error Telegram saw.
func (c *Client) GetWebhookInfo(ctx context.Context) (*WebhookInfo, bool, error) {
	var w WebhookInfo
	retry, err := c.call(ctx, "", "getWebhookInfo", struct{}{}, &w)
	if err != nil {
		return nil, retry, err
	}
	return &w, false, nil
}

// DeleteWebhook goes back to getUpdates; dropPending discards the updates
// Telegram holds.
func (c *Client) DeleteWebhook(ctx context.Context, dropPending bool) (bool, error) {
	p := struct {
		DropPendingUpdates bool `json:"drop_pending_updates,omitempty"`
	}{dropPending}
	return c.call(ctx, "", "deleteWebhook", &p, nil)
}

// AnswerCallbackQueryParams are the parameters of answerCallbackQuery.
type AnswerCallbackQueryParams struct {
	CallbackQueryID string `json:"callback_query_id"`
	// Text is a notification shown to the user (0–200 characters); with
	// ShowAlert an alert to dismiss rather than a toast.
	Text      string `json:"text,omitempty"`
	ShowAlert bool   `json:"show_alert,omitempty"`
	// URL opens a t.me link (a game or the bot with a start parameter).
	URL string `json:"url,omitempty"`
	// CacheTime is how many seconds clients may cache the answer.
	CacheTime int `json:"cache_time,omitempty"`
}

// AnswerCallbackQuery answers a button press; until then the client shows
// a progress bar on the button. A query answered already, or pressed too
// long ago, fails with an error that is ErrQueryTooOld: the press is then
// best left unanswered.
func (c *Client) AnswerCallbackQuery(ctx context.Context, p *AnswerCallbackQueryParams) (bool, error) {
	return c.call(ctx, "", "answerCallbackQuery", p, nil)
}

// BotCommand is a command in the client's menu.
type BotCommand struct {
	// Command is 1–32 characters of a-z, 0-9 and _, without the "/".
	Command string `json:"command"`
	// Description is 1–256 characters.
	Description string `json:"description"`
}

// BotCommandScope is whom a command list is for: Type is "default",
// "all_private_chats", "all_group_chats", "all_chat_administrators",
// "chat", "chat_administrators" or "chat_member" (the last three with
// ChatID, chat_member also with UserID).
type BotCommandScope struct {
	Type   string `json:"type"`
	ChatID string `json:"chat_id,omitempty"`
	UserID int64  `json:"user_id,omitempty"`
}

// SetMyCommandsParams are the parameters of setMyCommands. LanguageCode
// (two letters, ISO 639-1) makes the list the one users of that language
// see in Scope; empty is everyone's without a list of their own.
type SetMyCommandsParams struct {
	Commands     []BotCommand     `json:"commands"`
	Scope        *BotCommandScope `json:"scope,omitempty"`
	LanguageCode string           `json:"language_code,omitempty"`
}

// SetMyCommands sets the command menu of a scope and language.
func (c *Client) SetMyCommands(ctx context.Context, p *SetMyCommandsParams) (bool, error) {
	return c.call(ctx, "", "setMyCommands", p, nil)
}

// GetMe returns the bot's own user: the cheapest check that the token
// works (a wrong one is an *APIError that is ErrUnauthorized).
func (c *Client) GetMe(ctx context.Context) (*User, bool, error) {
	var u User
	retry, err := c.call(ctx, "", "getMe", struct{}{}, &u)
	if err != nil {
		return nil, retry, err
	}
	return &u, false, nil
}
