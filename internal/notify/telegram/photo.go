package telegram

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	// Herald's charts are PNG; registering only that decoder keeps a
	// misnamed JPEG or GIF from being mistaken for a chart.
	_ "image/png"
	"net/http"
	"strings"

	tg "github.com/heraldhq/herald/internal/telegram"
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
	aerr, ok := errors.AsType[*tg.APIError](err)
	if !ok {
		return false
	}
	d := strings.ToUpper(aerr.Description)
	return aerr.Code == http.StatusRequestEntityTooLarge ||
		(aerr.Code == http.StatusBadRequest && (strings.Contains(d, "PHOTO") || strings.Contains(d, "IMAGE")))
}
