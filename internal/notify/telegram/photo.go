package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"maps"
	// Herald's charts are PNG; registering only that decoder keeps a
	// misnamed JPEG or GIF from being mistaken for a chart.
	_ "image/png"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"slices"
	"strings"

	"github.com/heraldhq/herald/internal/config"
)

// MaxCaptionLength is the longest caption of a photo: 1024 UTF-16 code
// units after entity parsing, counted like MaxMessageLength
// (https://core.telegram.org/bots/api#sendphoto).
const MaxCaptionLength = 1024

// MaxPhotoBytes is the largest photo Telegram takes: "The photo must be at
// most 10 MB in size" (https://core.telegram.org/bots/api#sendphoto). MB is
// read as 10^6 bytes, the stricter reading: a chart is a few hundred
// kilobytes, so nothing real is lost by being safe.
const MaxPhotoBytes = 10_000_000

// The other photo limits of the same page: "The photo's width and height
// must not exceed 10000 in total. Width and height ratio must be at most 20."
const (
	maxPhotoSides = 10000
	maxPhotoRatio = 20
)

// How a chart is uploaded. The file name only labels the upload; Telegram
// recompresses photos whatever they are called.
const (
	chartFileName     = "chart.png"
	chartAttachName   = "chart"
	chartContentType  = "image/png"
	multipartOverhead = 4096
)

// checkPhoto reports why Telegram would refuse png as a photo, or nil. The
// notifier checks first because a refused photo is a permanent error that
// would take the alert's text down with it.
func checkPhoto(png []byte) error {
	if len(png) > MaxPhotoBytes {
		return fmt.Errorf("the chart is %d bytes, over Telegram's photo limit of %d", len(png), MaxPhotoBytes)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(png))
	if err != nil {
		return fmt.Errorf("the chart is not a readable PNG: %w", err)
	}
	w, h := cfg.Width, cfg.Height
	switch {
	case w <= 0 || h <= 0:
		return fmt.Errorf("the chart is %dx%d pixels", w, h)
	case w+h > maxPhotoSides:
		return fmt.Errorf("the chart is %dx%d pixels; Telegram wants width+height at most %d", w, h, maxPhotoSides)
	case w > maxPhotoRatio*h || h > maxPhotoRatio*w:
		return fmt.Errorf("the chart is %dx%d pixels; Telegram wants a side ratio of at most %d", w, h, maxPhotoRatio)
	}
	return nil
}

// photoRefused reports whether err is Telegram refusing the photo itself
// (as opposed to the chat, the caption or the network), so that the
// message can still go out as text.
func photoRefused(err error) bool {
	var aerr *APIError
	if !errors.As(err, &aerr) {
		return false
	}
	d := strings.ToUpper(aerr.Description)
	return aerr.Code == http.StatusRequestEntityTooLarge ||
		(aerr.Code == http.StatusBadRequest && (strings.Contains(d, "PHOTO") || strings.Contains(d, "IMAGE")))
}

// sendPhotoParams are the parameters of sendPhoto besides the file.
type sendPhotoParams struct {
	ChatID              string           `json:"chat_id"`
	MessageThreadID     int              `json:"message_thread_id,omitempty"`
	Caption             string           `json:"caption,omitempty"`
	ParseMode           string           `json:"parse_mode,omitempty"`
	DisableNotification bool             `json:"disable_notification,omitempty"`
	ReplyParameters     *replyParameters `json:"reply_parameters,omitempty"`
}

// editMessageMediaParams are the parameters of editMessageMedia besides
// the file, which Media names as attach://<field>.
type editMessageMediaParams struct {
	ChatID    string     `json:"chat_id"`
	MessageID int64      `json:"message_id"`
	Media     inputPhoto `json:"media"`
}

// inputPhoto is InputMediaPhoto.
type inputPhoto struct {
	Type      string `json:"type"`
	Media     string `json:"media"`
	Caption   string `json:"caption,omitempty"`
	ParseMode string `json:"parse_mode,omitempty"`
}

// editMessageCaptionParams are the parameters of editMessageCaption.
type editMessageCaptionParams struct {
	ChatID    string `json:"chat_id"`
	MessageID int64  `json:"message_id"`
	Caption   string `json:"caption"`
	ParseMode string `json:"parse_mode"`
}

// sendPhoto uploads png with p and returns the message id.
func (b *Bot) sendPhoto(ctx context.Context, chat config.ChatID, p *sendPhotoParams, png []byte) (int64, bool, error) {
	var m sentMessage
	retry, err := b.upload(ctx, chat, "sendPhoto", p, "photo", png, &m)
	if err != nil {
		return 0, retry, err
	}
	return m.MessageID, false, nil
}

// editMessageMedia replaces the photo (and caption) of a message with png.
func (b *Bot) editMessageMedia(ctx context.Context, chat config.ChatID, p *editMessageMediaParams, png []byte) (bool, error) {
	p.Media.Type, p.Media.Media = "photo", "attach://"+chartAttachName
	return b.upload(ctx, chat, "editMessageMedia", p, chartAttachName, png, nil)
}

// editMessageCaption replaces the caption of a photo message.
func (b *Bot) editMessageCaption(ctx context.Context, chat config.ChatID, p *editMessageCaptionParams) (bool, error) {
	return b.call(ctx, chat, "editMessageCaption", p, nil)
}

// upload posts params and one PNG file as multipart/form-data, the only
// encoding in which the Bot API takes a new file.
func (b *Bot) upload(ctx context.Context, chat config.ChatID, method string, params any, field string, png []byte, result any) (bool, error) {
	body, contentType, err := multipartBody(params, field, png)
	if err != nil {
		return false, fmt.Errorf("telegram %s: %w", method, err)
	}
	return b.post(ctx, chat, method, contentType, body, result)
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
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, field, chartFileName))
	h.Set("Content-Type", chartContentType)
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
