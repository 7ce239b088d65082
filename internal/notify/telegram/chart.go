package telegram

import (
	"context"
	"strings"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	tg "github.com/heraldhq/herald/internal/telegram"
)

// chart returns the image of m that can go out as a photo, or nil. A chart
// Telegram would refuse is dropped here, with the reason logged, because a
// refused photo would fail the whole message: the alert matters more than
// its picture.
func (n *Notifier) chart(m *notify.Message) *notify.Image {
	if m.Image == nil || m.Folded {
		return nil
	}
	if err := checkPhoto(m.Image.PNG); err != nil {
		n.logger.Warn("sending the message without its chart", "kind", m.Kind, "reason", err)
		return nil
	}
	return m.Image
}

// charts decides where the chart of m goes: send, with the message, or
// into, the firing message (edit is whether that message is edited).
func (n *Notifier) charts(m *notify.Message, reply *firing, edit bool) (send, into *notify.Image) {
	if m.Kind == alert.KindResolved && n.onResolve == config.OnResolveNone {
		return nil, nil
	}
	img := n.chart(m)
	// Telegram can put a new photo only into a message that has one.
	if edit && img != nil && reply.media && n.onResolve == config.OnResolveEdit {
		return nil, img
	}
	return img, nil
}

// sendCharted sends m as a photo: part 0 is the chart with caption (the
// whole text when it fits, else its first line, see captionOf); parts, the
// whole text when it did not fit, follow as parts 1.. in reply to the
// photo, so that they stay attached to their chart in the chat.
func (n *Notifier) sendCharted(ctx context.Context, m *notify.Message, caption string, parts []string, img *notify.Image, reply *firing, silent bool) ([]notify.Ref, bool, error) {
	var refs []notify.Ref
	var photo int64
	if m.SentParts == 0 {
		p := &tg.SendPhotoParams{
			ChatID:              n.cfg.ChatID.String(),
			MessageThreadID:     n.cfg.MessageThreadID,
			Caption:             caption,
			ParseMode:           parseMode,
			DisableNotification: silent,
			ReplyMarkup:         n.keyboard(ctx, m, caption),
		}
		if reply != nil {
			p.ReplyParameters = &tg.ReplyParameters{MessageID: reply.id, AllowSendingWithoutReply: true}
		}
		sent, retry, err := n.bot.SendPhoto(ctx, p, img.PNG)
		switch {
		case err != nil && photoRefused(err):
			// Nothing was sent: the text alone keeps the alert alive.
			n.logger.Warn("Telegram refused the chart; sending the message without it", "kind", m.Kind, "err", err)
			if len(parts) == 0 {
				parts = []string{caption} // the caption was the whole text
			}
			return n.sendParts(ctx, m, parts, 0, reply.messageID(), silent, p.ReplyMarkup)
		case err != nil:
			return nil, retry, err
		}
		refs = append(refs, n.ref(m, 0, sent.MessageID, true))
		photo = sent.MessageID
	}
	more, retry, err := n.sendParts(ctx, m, parts, 1, photo, silent, nil)
	return append(refs, more...), retry, err
}

// editResolved turns the firing message into the resolved one, so that the
// chat history shows at a glance what is over: its chart replaced by img
// when there is one, else its caption or text replaced. It is a courtesy:
// the resolved event is already delivered, so a failure is only logged.
func (n *Notifier) editResolved(ctx context.Context, f *firing, text string, img *notify.Image) {
	var retry bool
	var err error
	caption, _ := captionOf(text)
	switch {
	case img != nil:
		p := &tg.EditMessageMediaParams{ChatID: f.chat.String(), MessageID: f.id,
			Media: tg.InputMediaPhoto{Caption: caption, ParseMode: parseMode}}
		retry, err = n.bot.EditMessageMedia(ctx, p, img.PNG)
	case f.media:
		p := &tg.EditMessageCaptionParams{ChatID: f.chat.String(), MessageID: f.id, Caption: caption, ParseMode: parseMode}
		retry, err = n.bot.EditMessageCaption(ctx, p)
	default:
		parts := Split(text, MaxMessageLength)
		if len(parts) != 1 {
			return // the resolved text does not fit one message
		}
		p := &tg.EditMessageTextParams{ChatID: f.chat.String(), MessageID: f.id, Text: parts[0],
			ParseMode: parseMode, LinkPreviewOptions: noPreview}
		retry, err = n.bot.EditMessageText(ctx, p)
	}
	switch {
	case err == nil:
		n.logger.Debug("edited the firing message", "message_id", f.id, "chart", img != nil)
	case retry:
		n.logger.Warn("cannot edit the firing message to show it resolved", "message_id", f.id, "err", err)
	default:
		// "message is not modified", "message to edit not found" (deleted,
		// or older than 48 hours in some chats): expected, nothing to do.
		n.logger.Debug("firing message not edited", "message_id", f.id, "err", err)
	}
}

// captionOf returns the caption of a photo for text: all of it when it
// fits Telegram's caption limit, else its first line (long is then true,
// and the text must follow in its own message).
func captionOf(text string) (caption string, long bool) {
	if visibleUnits(text) <= MaxCaptionLength {
		return text, false
	}
	return firstLine(text, MaxCaptionLength), true
}

// visibleUnits is the length Telegram checks against its limits: UTF-16
// code units of the text after entity parsing, surrounding blanks removed
// (Telegram strips them first). Tags count nothing, entities one
// character, emoji outside the BMP two.
func visibleUnits(text string) int {
	toks := tokenize(text)
	first, last := -1, -1
	for i, t := range toks {
		if t.kind == textToken && !t.space {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	units := 0
	for i := max(first, 0); i <= last; i++ {
		units += toks[i].units
	}
	return units
}

// firstLine returns the first line of text with visible characters (the
// title of every Herald template), tags closed, at most limit units: a
// caption that says what the photo is while the full text follows.
func firstLine(text string, limit int) string {
	toks := tokenize(text)
	end, visible := 0, false
	for _, t := range toks {
		if t.kind == textToken && t.line && visible {
			break
		}
		visible = visible || (t.kind == textToken && !t.space)
		end += len(t.raw)
	}
	// Split closes the tags left open at the cut, and cuts a line longer
	// than limit at a space.
	parts := Split(strings.TrimSpace(text[:end]), limit)
	if len(parts) == 0 {
		return ""
	}
	return parts[0]
}
