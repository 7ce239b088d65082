package faketelegram

import (
	"bytes"
	"image"

	// Telegram takes JPEG, PNG, GIF and WebP photos; the fake decodes the
	// three the standard library knows, which are what Herald draws.
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	"strings"
)

// checkPhoto applies Telegram's photo rules
// (https://core.telegram.org/bots/api#sendphoto): at most 10 MB, width +
// height at most 10000, aspect ratio at most 20, and an image it can read.
func checkPhoto(b []byte) *apiError {
	if len(b) > maxUpload {
		return &apiError{code: 413, desc: "Request Entity Too Large"}
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width == 0 || cfg.Height == 0 {
		return badRequest("IMAGE_PROCESS_FAILED")
	}
	w, h := cfg.Width, cfg.Height
	if w+h > 10000 || w > 20*h || h > 20*w {
		return badRequest("PHOTO_INVALID_DIMENSIONS")
	}
	return nil
}

// photo returns the image of a send or edit: an uploaded file (field, or
// the file an "attach://name" reference names). Photos by file_id or URL
// cannot be checked and are rejected so that tests use real uploads.
func photo(p *params, ref string) ([]byte, *apiError) {
	if name, ok := strings.CutPrefix(ref, "attach://"); ok {
		ref = name
	}
	b, ok := p.files[ref]
	if !ok {
		return nil, badRequest("there is no photo in the request")
	}
	if err := checkPhoto(b); err != nil {
		return nil, err
	}
	return b, nil
}

func (s *Server) sendPhoto(p *params) (any, *apiError) {
	c, err := s.target(p)
	if err != nil {
		return nil, err
	}
	m := &Message{ChatID: c.ID, Text: p.str("caption"), ParseMode: p.str("parse_mode")}
	if m.ThreadID, err = s.thread(c, p); err != nil {
		return nil, err
	}
	if m.Photo, err = photo(p, "photo"); err != nil {
		return nil, err
	}
	if m.Plain, err = parseText(m.Text, m.ParseMode, "caption", MaxCaptionLength); err != nil {
		return nil, err
	}
	if err := s.common(c, p, m); err != nil {
		return nil, err
	}
	s.store(m)
	return m.result(c), nil
}

// inputMedia is the Bot API's InputMediaPhoto.
type inputMedia struct {
	Type      string `json:"type"`
	Media     string `json:"media"`
	Caption   string `json:"caption"`
	ParseMode string `json:"parse_mode"`
}

func (s *Server) editMessageMedia(p *params) (any, *apiError) {
	c, m, err := s.edited(p)
	if err != nil {
		return nil, err
	}
	var in inputMedia
	if ok, err := p.object("media", &in); err != nil {
		return nil, err
	} else if !ok {
		return nil, badRequest("media is empty")
	}
	if in.Type != "photo" {
		return nil, badRequest("the fake supports only media of type photo")
	}
	if m.Photo == nil {
		return nil, badRequest("there is no media in the message to edit")
	}
	b, err := photo(p, in.Media)
	if err != nil {
		return nil, err
	}
	plain, err := parseText(in.Caption, in.ParseMode, "caption", MaxCaptionLength)
	if err != nil {
		return nil, err
	}
	kb, err := keyboard(p)
	if err != nil {
		return nil, err
	}
	s.msgs.Update(func() { m.revise(in.Caption, plain, in.ParseMode, b, kb) })
	return m.result(c), nil
}

func (s *Server) editMessageCaption(p *params) (any, *apiError) {
	c, m, err := s.edited(p)
	if err != nil {
		return nil, err
	}
	if m.Photo == nil {
		return nil, badRequest("there is no caption in the message to edit")
	}
	text, mode := p.str("caption"), p.str("parse_mode")
	plain, err := parseText(text, mode, "caption", MaxCaptionLength)
	if err != nil {
		return nil, err
	}
	kb, err := keyboard(p)
	if err != nil {
		return nil, err
	}
	if text == m.Text && strings.EqualFold(mode, m.ParseMode) && kb.equal(m.ReplyMarkup) {
		return nil, badRequest(notModified)
	}
	s.msgs.Update(func() { m.revise(text, plain, mode, nil, kb) })
	return m.result(c), nil
}
