package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
)

// maxResponse bounds what is read of an answer; a Message object is a few
// kilobytes, a batch of 100 updates a few hundred at most.
const maxResponse = 4 << 20

// call posts params as JSON to method, after the rate limit of chat when
// chat is set (messages; other methods are not counted), and decodes the
// answer's result into result. It returns whether a failure is worth
// retrying; every error is free of the bot's secrets.
func (c *Client) call(ctx context.Context, chat config.ChatID, method string, params, result any) (bool, error) {
	body, err := json.Marshal(params)
	if err != nil {
		return false, fmt.Errorf("telegram %s: %w", method, err)
	}
	return c.post(ctx, c.client, chat, method, "application/json", body, result)
}

// post waits for the rate limit of chat (if set), posts body to method with
// hc and decodes the answer's result into result: the one path of every
// API call, JSON or multipart, so that each is classified the same way.
func (c *Client) post(ctx context.Context, hc *http.Client, chat config.ChatID, method, contentType string, body []byte, result any) (bool, error) {
	if chat != "" {
		release, err := c.acquire(ctx, chat)
		if err != nil {
			// The limiter refuses when the wait would outlast ctx: the
			// request is fine, it just needs a later attempt.
			return true, err
		}
		defer release()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.apiURL+"/bot"+c.token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return false, c.redact(fmt.Errorf("telegram %s: %w", method, notify.RedactURL(err)))
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := hc.Do(req)
	if err != nil {
		return notify.TransportError("telegram "+method, err, c.secrets...)
	}
	raw, err := notify.ReadBody(resp, maxResponse)
	if err != nil {
		return true, c.redact(fmt.Errorf("telegram %s: %w", method, err))
	}
	retry, err := check(method, resp, raw, result, c.secrets...)
	if rl, ok := errors.AsType[*notify.RateLimitError](err); ok && chat != "" {
		// The limiter exists so that this never happens; when it does, the
		// token is shared with another program or the limits are too high.
		c.logger.Warn("Telegram answered 429 although Herald keeps to telegram.rate_limits; is another program using this bot token?",
			"method", method, "chat", chat.String(), "retry_after", rl.RetryAfter)
	}
	return retry, c.redact(err)
}
