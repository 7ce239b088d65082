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

// Update is an incoming update: a message or a button press.
type Update struct {
	UpdateID      int64          `json:"update_id"`
	Message       *Message       `json:"message,omitempty"`
	CallbackQuery *CallbackQuery `json:"callback_query,omitempty"`
}

// CallbackQuery is the press of an inline keyboard button.
type CallbackQuery struct {
	ID      string   `json:"id"`
	From    User     `json:"from"`
	Message *Message `json:"message,omitempty"`
	Data    string   `json:"data,omitempty"`
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
// seen plus one, which also confirms the earlier ones).
func (c *Client) GetUpdates(ctx context.Context, p *GetUpdatesParams) ([]Update, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(max(p.Timeout, 0))*time.Second+pollMargin)
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
	// Text is a notification shown to the user (0–200 characters).
	Text      string `json:"text,omitempty"`
	ShowAlert bool   `json:"show_alert,omitempty"`
}

// AnswerCallbackQuery answers a button press; until then the client shows
// a progress bar on the button.
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
