package faketelegram

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of message texts, from https://core.telegram.org/bots/api#sendmessage
// and #sendphoto, counted in UTF-16 code units after entity parsing.
const (
	MaxTextLength    = 4096
	MaxCaptionLength = 1024
)

// notModified is Telegram's answer to an edit that changes nothing.
const notModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

type handler func(p *params) (any, *apiError)

func (s *Server) handler(method string) (handler, bool) {
	h, ok := map[string]handler{
		"getme":                  s.getMe,
		"sendmessage":            s.sendMessage,
		"editmessagetext":        s.editMessageText,
		"sendphoto":              s.sendPhoto,
		"editmessagemedia":       s.editMessageMedia,
		"editmessagecaption":     s.editMessageCaption,
		"setwebhook":             s.setWebhook,
		"deletewebhook":          s.deleteWebhook,
		"getwebhookinfo":         s.getWebhookInfo,
		"editmessagereplymarkup": s.editMessageReplyMarkup,
		"deletemessage":          s.deleteMessage,
		"answercallbackquery":    s.answerCallbackQuery,
		"setmycommands":          s.setMyCommands,
		"getmycommands":          s.getMyCommands,
	}[method]
	return h, ok
}

func (s *Server) getMe(*params) (any, *apiError) {
	id, _, _ := strings.Cut(s.token, ":")
	n, _ := strconv.ParseInt(id, 10, 64)
	return map[string]any{"id": n, "is_bot": true, "first_name": "Herald Fake", "username": "herald_fake_bot"}, nil
}

// chat resolves chat_id (a number or "@username"); the caller holds s.mu.
func (s *Server) chat(p *params) (*Chat, *apiError) {
	v := p.str("chat_id")
	if v == "" {
		return nil, badRequest("chat_id is empty")
	}
	if name, ok := strings.CutPrefix(v, "@"); ok {
		for _, c := range s.chats {
			if c.Username != "" && strings.EqualFold(c.Username, name) {
				return c, nil
			}
		}
		return nil, badRequest("chat not found")
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if c, ok := s.chats[id]; err == nil && ok {
		return c, nil
	}
	return nil, badRequest("chat not found")
}

// target resolves the chat of a send or edit and applies the chat's state
// and the rate limits, in the order Telegram does.
func (s *Server) target(p *params) (*Chat, *apiError) {
	c, err := s.chat(p)
	if err != nil {
		return nil, err
	}
	if c.Blocked {
		desc := map[string]string{
			"private":    "Forbidden: bot was blocked by the user",
			"group":      "Forbidden: bot was kicked from the group chat",
			"supergroup": "Forbidden: bot was kicked from the supergroup chat",
			"channel":    "Forbidden: bot is not a member of the channel chat",
		}[c.kind()]
		return nil, &apiError{code: http.StatusForbidden, desc: desc}
	}
	if c.MigrateTo != 0 {
		return nil, &apiError{code: http.StatusBadRequest, desc: "Bad Request: group chat was upgraded to a supergroup chat", migrateTo: c.MigrateTo}
	}
	if wait := s.limits.allow(c.ID, time.Now()); wait > 0 {
		ra := retryAfter(wait)
		return nil, &apiError{code: http.StatusTooManyRequests, desc: "Too Many Requests: retry after " + strconv.Itoa(ra), retryAfter: ra}
	}
	return c, nil
}

// parseText checks a text or caption (field names it in errors) and
// returns its plain text.
func parseText(text, mode, field string, limit int) (string, *apiError) {
	if !utf8.ValidString(text) {
		return "", badRequest(field + " must be encoded in UTF-8")
	}
	plain := text
	switch strings.ToLower(mode) {
	case "":
	case "html":
		var err error
		if plain, err = ParseHTML(text); err != nil {
			return "", badRequest("can't parse entities: " + err.Error())
		}
	default:
		return "", badRequest("unsupported parse_mode")
	}
	// Telegram strips surrounding whitespace before it checks the length.
	trimmed := strings.TrimSpace(plain)
	switch {
	case trimmed == "" && field == "text":
		return "", badRequest("message text is empty")
	case UTF16Len(trimmed) > limit && field == "text":
		return "", badRequest("message is too long")
	case UTF16Len(trimmed) > limit:
		return "", badRequest("message caption is too long")
	}
	return plain, nil
}

func (s *Server) sendMessage(p *params) (any, *apiError) {
	c, err := s.target(p)
	if err != nil {
		return nil, err
	}
	m := &Message{ChatID: c.ID, Text: p.str("text"), ParseMode: p.str("parse_mode")}
	if m.ThreadID, err = s.thread(c, p); err != nil {
		return nil, err
	}
	if m.Plain, err = parseText(m.Text, m.ParseMode, "text", MaxTextLength); err != nil {
		return nil, err
	}
	if err := s.common(c, p, m); err != nil {
		return nil, err
	}
	s.store(m)
	return m.result(c), nil
}

// thread checks message_thread_id against the chat's forum topics.
func (s *Server) thread(c *Chat, p *params) (int64, *apiError) {
	id, err := p.int64("message_thread_id")
	if err != nil || id == 0 {
		return 0, err
	}
	if !slices.Contains(c.Topics, id) {
		return 0, badRequest("message thread not found")
	}
	return id, nil
}

// common reads the options shared by the send methods into m.
func (s *Server) common(c *Chat, p *params, m *Message) *apiError {
	rp, err := p.reply()
	if err != nil {
		return err
	}
	if rp.MessageID != 0 {
		if _, ok := s.byID[msgKey{c.ID, rp.MessageID}]; ok {
			m.ReplyTo = rp.MessageID
		} else if !rp.AllowSendingWithoutReply {
			return badRequest("message to be replied not found")
		}
	}
	if m.DisableNotification, err = p.bool("disable_notification"); err != nil {
		return err
	}
	if m.ReplyMarkup, err = keyboard(p); err != nil {
		return err
	}
	m.LinkPreviewDisabled, err = p.linkPreviewDisabled()
	return err
}

// edited finds the message an edit method addresses.
func (s *Server) edited(p *params) (*Chat, *Message, *apiError) {
	if p.str("inline_message_id") != "" {
		return nil, nil, badRequest("inline messages are not supported by the fake")
	}
	c, err := s.target(p)
	if err != nil {
		return nil, nil, err
	}
	id, err := p.int64("message_id")
	if err != nil {
		return nil, nil, err
	}
	if id == 0 {
		return nil, nil, badRequest("message identifier is not specified")
	}
	m, ok := s.byID[msgKey{c.ID, id}]
	if !ok {
		return nil, nil, badRequest("message to edit not found")
	}
	if m.From != 0 {
		return nil, nil, badRequest("message can't be edited")
	}
	return c, m, nil
}

func (s *Server) editMessageText(p *params) (any, *apiError) {
	c, m, err := s.edited(p)
	if err != nil {
		return nil, err
	}
	if m.Photo != nil {
		return nil, badRequest("there is no text in the message to edit")
	}
	text, mode := p.str("text"), p.str("parse_mode")
	plain, err := parseText(text, mode, "text", MaxTextLength)
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
	noPreview, err := p.linkPreviewDisabled()
	if err != nil {
		return nil, err
	}
	s.msgs.Update(func() {
		m.LinkPreviewDisabled = noPreview
		m.revise(text, plain, mode, nil, kb)
	})
	return m.result(c), nil
}

// editMessageReplyMarkup replaces the keyboard alone; without
// reply_markup it removes it.
func (s *Server) editMessageReplyMarkup(p *params) (any, *apiError) {
	c, m, err := s.edited(p)
	if err != nil {
		return nil, err
	}
	kb, err := keyboard(p)
	if err != nil {
		return nil, err
	}
	if kb.equal(m.ReplyMarkup) {
		return nil, badRequest(notModified)
	}
	s.msgs.Update(func() {
		m.ReplyMarkup = kb
		m.MarkupEdits++
	})
	return m.result(c), nil
}

// deleteMessage removes a message, the bot's or a user's: it is marked
// Deleted in Messages and can no longer be replied to or edited.
func (s *Server) deleteMessage(p *params) (any, *apiError) {
	c, err := s.target(p)
	if err != nil {
		return nil, err
	}
	id, err := p.int64("message_id")
	if err != nil {
		return nil, err
	}
	if id == 0 {
		return nil, badRequest("message identifier is not specified")
	}
	key := msgKey{c.ID, id}
	m, ok := s.byID[key]
	if !ok {
		return nil, badRequest("message to delete not found")
	}
	delete(s.byID, key)
	s.msgs.Update(func() { m.Deleted = true })
	return true, nil
}
