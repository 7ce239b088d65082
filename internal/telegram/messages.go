package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"mime/multipart"
	"net/textproto"
	"slices"

	"github.com/heraldhq/herald/internal/config"
)

// How a photo is uploaded. The file name only labels the upload; Telegram
// recompresses photos whatever they are called.
const (
	photoFileName     = "chart.png"
	photoAttachName   = "chart"
	photoContentType  = "image/png"
	multipartOverhead = 4096
)

// SendMessage sends a text and returns the message; it waits for the rate
// limit of the chat first. The bool says whether a failure is worth
// retrying.
func (c *Client) SendMessage(ctx context.Context, p *SendMessageParams) (*Message, bool, error) {
	var m Message
	retry, err := c.call(ctx, config.ChatID(p.ChatID), "sendMessage", p, &m)
	if err != nil {
		return nil, retry, err
	}
	return &m, false, nil
}

// EditMessageText replaces the text of a message, and its keyboard with
// p.ReplyMarkup (none when nil). The same text and keyboard again fail
// with an error that is ErrNotModified.
func (c *Client) EditMessageText(ctx context.Context, p *EditMessageTextParams) (bool, error) {
	return c.call(ctx, config.ChatID(p.ChatID), "editMessageText", p, nil)
}

// EditMessageCaption replaces the caption of a photo message.
func (c *Client) EditMessageCaption(ctx context.Context, p *EditMessageCaptionParams) (bool, error) {
	return c.call(ctx, config.ChatID(p.ChatID), "editMessageCaption", p, nil)
}

// EditMessageReplyMarkup replaces the inline keyboard of a message (nil
// p.ReplyMarkup removes it). An edit that changes nothing fails with an
// error that is ErrNotModified, which a caller may ignore.
func (c *Client) EditMessageReplyMarkup(ctx context.Context, p *EditMessageReplyMarkupParams) (bool, error) {
	return c.call(ctx, config.ChatID(p.ChatID), "editMessageReplyMarkup", p, nil)
}

// DeleteMessage deletes a message (the bot's own, or in a group where it
// may); one that is gone already fails with an error that is
// ErrMessageNotFound.
func (c *Client) DeleteMessage(ctx context.Context, p *DeleteMessageParams) (bool, error) {
	return c.call(ctx, config.ChatID(p.ChatID), "deleteMessage", p, nil)
}

// SendPhoto uploads png with p (multipart/form-data, the only encoding in
// which the Bot API takes a new file) and returns the message.
func (c *Client) SendPhoto(ctx context.Context, p *SendPhotoParams, png []byte) (*Message, bool, error) {
	var m Message
	retry, err := c.upload(ctx, config.ChatID(p.ChatID), "sendPhoto", p, "photo", png, &m)
	if err != nil {
		return nil, retry, err
	}
	return &m, false, nil
}

// EditMessageMedia replaces the photo (and caption) of a message with png.
func (c *Client) EditMessageMedia(ctx context.Context, p *EditMessageMediaParams, png []byte) (bool, error) {
	p.Media.Type, p.Media.Media = "photo", "attach://"+photoAttachName
	return c.upload(ctx, config.ChatID(p.ChatID), "editMessageMedia", p, photoAttachName, png, nil)
}

// upload posts params and one PNG file as multipart/form-data.
func (c *Client) upload(ctx context.Context, chat config.ChatID, method string, params any, field string, png []byte, result any) (bool, error) {
	body, contentType, err := multipartBody(params, field, png)
	if err != nil {
		return false, fmt.Errorf("telegram %s: %w", method, err)
	}
	return c.post(ctx, c.client, chat, method, contentType, body, result)
}

// multipartBody encodes params as form fields the way the Bot API reads
// them (strings as they are, objects as JSON text) plus png as the file
// field. Going through JSON keeps one set of struct tags for both
// encodings.
func multipartBody(params any, field string, png []byte) ([]byte, string, error) {
	raw, err := json.Marshal(params)
	if err != nil {
		return nil, "", err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	buf.Grow(len(png) + len(raw) + multipartOverhead)
	w := multipart.NewWriter(&buf)
	// Sorted so that a request is reproducible in tests and captures.
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		v := string(fields[k])
		var s string
		if json.Unmarshal(fields[k], &s) == nil {
			v = s
		}
		if err := w.WriteField(k, v); err != nil {
			return nil, "", err
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, field, photoFileName))
	h.Set("Content-Type", photoContentType)
	part, err := w.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	if _, err := part.Write(png); err != nil {
		return nil, "", err
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}
