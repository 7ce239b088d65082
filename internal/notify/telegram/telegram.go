// Package telegram delivers alert messages to Telegram chats and forum
// topics through the Bot API, with plain net/http so that answers go
// through the same classifier as every other platform. Long messages are
// split into valid parts, resolved events reply to (and edit) the firing
// message, and every call waits on the bot's rate limiter.
package telegram

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strconv"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
)

// parseMode is the only one Herald uses: its templates escape for
// html/template, and HTML is the mode whose escaping rules are simplest.
const parseMode = "HTML"

// Notifier sends to one Telegram chat (and topic). It is safe for
// concurrent use.
type Notifier struct {
	name   string
	cfg    *config.TelegramChannelConfig
	bot    *Bot
	logger *slog.Logger
	// render turns a message into Telegram HTML; a field so that tests can
	// pin the text while the templates change.
	render func(*notify.Message) string
}

var _ notify.Notifier = (*Notifier)(nil)

// New makes the notifier of the channel called name. bot is shared by every
// channel with the same token (see Bots).
func New(name string, cfg *config.TelegramChannelConfig, bot *Bot, tmpl *template.Templates, logger *slog.Logger) *Notifier {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	n := &Notifier{name: name, cfg: cfg, bot: bot, logger: logger.With("channel", name)}
	n.render = func(m *notify.Message) string {
		d := template.NewData(m.Data, string(m.Kind), m.Folded, name)
		return tmpl.Execute(cfg.Message, template.DefaultTelegramMessage, d, true)
	}
	return n
}

// Notify sends m: its parts after m.SentParts, as a reply to the firing
// message for resolved events and reminders, then edits the firing
// message to show it resolved. It returns a Ref for every part it sent,
// also when a later part failed, so that a retry resumes after them.
func (n *Notifier) Notify(ctx context.Context, m *notify.Message) ([]notify.Ref, bool, error) {
	text := n.render(m)
	parts := Split(text, MaxMessageLength)
	if len(parts) == 0 {
		// Templates never render nothing; if they did, another try would too.
		return nil, false, errors.New("telegram: the message template rendered no text")
	}
	reply := n.replyTo(m)
	silent := n.silent(m)
	var refs []notify.Ref
	for i := m.SentParts; i < len(parts); i++ {
		p := &sendMessageParams{
			ChatID:              n.cfg.ChatID.String(),
			MessageThreadID:     n.cfg.MessageThreadID,
			Text:                parts[i],
			ParseMode:           parseMode,
			LinkPreviewOptions:  linkPreview{IsDisabled: true},
			DisableNotification: silent,
		}
		if i == 0 && reply != nil {
			p.ReplyParameters = &replyParameters{MessageID: reply.id, AllowSendingWithoutReply: true}
		}
		id, retry, err := n.bot.sendMessage(ctx, n.cfg.ChatID, p)
		if err != nil {
			return refs, retry, err
		}
		refs = append(refs, n.ref(i, id))
	}
	n.logger.Debug("sent", "kind", m.Kind, "parts", len(parts)-m.SentParts, "silent", silent)
	if m.Kind == alert.KindResolved && !m.Folded && n.cfg.EditsOnResolve() && reply != nil {
		n.editResolved(ctx, reply, parts)
	}
	return refs, false, nil
}

// ref is the reference of part i.
func (n *Notifier) ref(i int, id string) notify.Ref {
	r := notify.Ref{Part: i, ChatID: n.cfg.ChatID.String(), MessageID: id}
	if n.cfg.MessageThreadID != 0 {
		r.ThreadID = strconv.Itoa(n.cfg.MessageThreadID)
	}
	return r
}

// firing is a message sent earlier for the firing event.
type firing struct {
	chat config.ChatID
	id   int64
}

// replyTo returns the first part of the firing message that resolved
// events and reminders answer, or nil. A message in another chat (the
// channel's chat_id changed since) cannot be replied to.
func (n *Notifier) replyTo(m *notify.Message) *firing {
	if (m.Kind != alert.KindResolved && m.Kind != alert.KindReminder) || len(m.Previous) == 0 {
		return nil
	}
	first := slices.MinFunc(m.Previous, func(a, b notify.Ref) int { return cmp.Compare(a.Part, b.Part) })
	id, err := strconv.ParseInt(first.MessageID, 10, 64)
	if err != nil || first.ChatID != n.cfg.ChatID.String() {
		return nil
	}
	return &firing{chat: config.ChatID(first.ChatID), id: id}
}

// silent reports whether m goes without sound: always when the channel
// says so, otherwise when every alert in it has a silent severity (one
// critical alert among infos must still ring).
func (n *Notifier) silent(m *notify.Message) bool {
	if n.cfg.DisableNotification {
		return true
	}
	if m.Data == nil || len(m.Data.Alerts) == 0 {
		return false
	}
	for _, a := range m.Data.Alerts {
		if !n.cfg.IsSilent(a.Labels["severity"]) {
			return false
		}
	}
	return true
}

// editResolved turns the firing message into the resolved text, so that
// the chat history shows at a glance what is over. It is a courtesy: the
// resolved reply is already delivered, so a failure is only logged.
func (n *Notifier) editResolved(ctx context.Context, f *firing, parts []string) {
	if len(parts) != 1 {
		return // the resolved text does not fit one message
	}
	p := &editMessageTextParams{
		ChatID:             f.chat.String(),
		MessageID:          f.id,
		Text:               parts[0],
		ParseMode:          parseMode,
		LinkPreviewOptions: linkPreview{IsDisabled: true},
	}
	retry, err := n.bot.editMessageText(ctx, f.chat, p)
	switch {
	case err == nil:
		n.logger.Debug("edited the firing message", "message_id", f.id)
	case retry:
		n.logger.Warn("cannot edit the firing message to show it resolved", "message_id", f.id, "err", err)
	default:
		// "message is not modified", "message to edit not found" (deleted,
		// or older than 48 hours in some chats): expected, nothing to do.
		n.logger.Debug("firing message not edited", "message_id", f.id, "err", err)
	}
}

// String names the notifier; the bot's token stays hidden.
func (n *Notifier) String() string { return "telegram channel " + n.name + " (" + n.bot.String() + ")" }
