// Package telegram delivers alert messages to Telegram chats and forum
// topics through the Bot API client of internal/telegram, which the
// interactive bot shares. Long messages are
// split into valid parts, a chart goes out as a photo with the message as
// its caption, resolved events reply to (and edit) the firing message and
// its chart, and every call waits on the bot's rate limiter.
package telegram

import (
	"time"

	"cmp"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strconv"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	tg "github.com/heraldhq/herald/internal/telegram"
	"github.com/heraldhq/herald/internal/template"
)

// parseMode is the only one Herald uses (see tg.ParseModeHTML).
const parseMode = tg.ParseModeHTML

// Notifier sends to one Telegram chat (and topic). It is safe for
// concurrent use: nothing in it changes after New.
var _ notify.Warmer = (*Notifier)(nil)

// Warm counts the messages another replica sent to the channel's chat
// lately in the bot's limits (notify.Warmer).
func (n *Notifier) Warm(sent []time.Time) { n.bot.Record(n.cfg.ChatID, sent) }

type Notifier struct {
	name   string
	cfg    *Config
	bot    *tg.Client
	logger *slog.Logger
	// onResolve is what resolved events do with their chart: one of
	// config.OnResolveEdit, OnResolveReply and OnResolveNone.
	onResolve string
	// render turns a message into Telegram HTML; a field so that tests can
	// pin the text while the templates change.
	render func(*notify.Message) string
	// keyboards makes the buttons under alert messages once the bot runs;
	// nil for none.
	keyboards *keyboards
}

var _ notify.Notifier = (*Notifier)(nil)

// Option sets an optional behaviour of a Notifier in New. Options rather
// than setters keep a Notifier immutable once workers share it.
type Option func(*Notifier)

// WithChartOnResolve sets what resolved events do with their chart
// (graph.on_resolve). config.OnResolveEdit, the default (also for ""),
// replaces the firing message's chart with the resolved one
// (editMessageMedia) so that the chat keeps one chart per episode, and
// replies with the resolved text; config.OnResolveReply replies with the
// resolved chart as a new photo; config.OnResolveNone replies with text
// only. The firing message's text or caption is edited in every mode
// (edit_on_resolve). The config validates the mode; an unknown one that
// gets here anyway falls back to the default with a warning.
func WithChartOnResolve(mode string) Option {
	return func(n *Notifier) { n.onResolve = mode }
}

// New makes the notifier of the channel called name. bot is shared by every
// channel with the same token (see tg.Clients).
func New(name string, cfg *Config, bot *tg.Client, tmpl *template.Templates, logger *slog.Logger, opts ...Option) *Notifier {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	n := &Notifier{name: name, cfg: cfg, bot: bot, logger: logger.With("channel", name)}
	n.render = func(m *notify.Message) string {
		d := template.TelegramData(template.MessageData(m, name))
		return d.Execute(tmpl, cfg.Message, template.DefaultTelegramMessage)
	}
	for _, o := range opts {
		o(n)
	}
	switch n.onResolve {
	case config.OnResolveEdit, config.OnResolveReply, config.OnResolveNone:
	case "":
		n.onResolve = config.OnResolveEdit
	default:
		n.logger.Warn("unknown graph.on_resolve; using edit", "mode", n.onResolve)
		n.onResolve = config.OnResolveEdit
	}
	return n
}

// Notify sends m: its parts after m.SentParts, as a reply to the firing
// message for resolved events and reminders, then edits the firing
// message to show it resolved. With a chart, part 0 is the photo (see
// sendCharted). It returns a Ref for every part it sent, also when a later
// part failed, so that a retry resumes after them; a retry must carry the
// same chart decision (an image or none) as the first attempt, since the
// photo shifts the numbering of the text parts.
func (n *Notifier) Notify(ctx context.Context, m *notify.Message) ([]notify.Ref, bool, error) {
	text := n.render(m)
	parts := Split(text, MaxMessageLength)
	if len(parts) == 0 {
		// Templates never render nothing; if they did, another try would too.
		return nil, false, errors.New("telegram: the message template rendered no text")
	}
	reply := n.replyTo(m)
	silent := n.silent(m)
	// A folded firing message holds other alerts too: it must not be
	// rewritten to say that one of them is over.
	edit := m.Kind == alert.KindResolved && !m.Folded && reply != nil && !reply.folded && n.cfg.EditsOnResolve()
	send, into := n.charts(m, reply, edit)
	refs, retry, err := n.send(ctx, m, text, parts, send, reply, silent)
	if err != nil {
		return refs, retry, err
	}
	n.logger.Debug("sent", "kind", m.Kind, "parts", len(refs), "chart", send != nil, "silent", silent)
	if edit {
		n.editResolved(ctx, reply, text, into)
	}
	return refs, false, nil
}

// send sends m as text parts, or as a photo of img with the text as its
// caption or after it, once the whole message fits the rate limit.
func (n *Notifier) send(ctx context.Context, m *notify.Message, text string, parts []string, img *notify.Image, reply *firing, silent bool) ([]notify.Ref, bool, error) {
	if img == nil {
		if err := n.fits(ctx, len(parts)-m.SentParts); err != nil {
			return nil, true, err
		}
		return n.sendParts(ctx, m, parts, 0, reply.messageID(), silent, n.keyboard(ctx, m, ""))
	}
	caption, long := captionOf(text)
	if !long {
		parts = nil // all in the caption
	}
	if err := n.fits(ctx, 1+len(parts)-m.SentParts); err != nil {
		return nil, true, err
	}
	return n.sendCharted(ctx, m, caption, parts, img, reply, silent)
}

// fits refuses to start a message of calls API calls that Herald's own
// rate limit would cut before ctx ends: a cut message reads badly and, when
// folded, is sent again whole. The *notify.ThrottledError makes the
// dispatcher pause the channel without counting a failed attempt. A
// message that could not go out whole within one attempt even with no
// other traffic is sent anyway, part by part, rather than never.
func (n *Notifier) fits(ctx context.Context, calls int) error {
	return notify.Fits(ctx, calls, n.bot.Delay(n.cfg.ChatID, calls), n.bot.IdleDelay(calls))
}

// sendParts sends the text parts of m, numbered from first, that an
// earlier attempt did not send. The first of them replies to replyTo
// (when not 0); a resumed attempt has lost the message to reply to.
//
// kb, when not nil, goes under the last part.
func (n *Notifier) sendParts(ctx context.Context, m *notify.Message, parts []string, first int, replyTo int64, silent bool, kb *tg.InlineKeyboardMarkup) ([]notify.Ref, bool, error) {
	var refs []notify.Ref
	for i := max(first, m.SentParts); i < first+len(parts); i++ {
		p := &tg.SendMessageParams{
			ChatID:              n.cfg.ChatID.String(),
			MessageThreadID:     n.cfg.MessageThreadID,
			Text:                parts[i-first],
			ParseMode:           parseMode,
			LinkPreviewOptions:  noPreview,
			DisableNotification: silent,
		}
		if i == first && replyTo != 0 {
			p.ReplyParameters = &tg.ReplyParameters{MessageID: replyTo, AllowSendingWithoutReply: true}
		}
		if i == first+len(parts)-1 {
			p.ReplyMarkup = kb
		}
		sent, retry, err := n.bot.SendMessage(ctx, p)
		if err != nil {
			return refs, retry, err
		}
		refs = append(refs, n.ref(m, i, sent.MessageID, false))
	}
	return refs, false, nil
}

// noPreview turns link previews off: alert texts link to Prometheus,
// Grafana and runbooks, and a preview of each would bury the alert.
var noPreview = &tg.LinkPreviewOptions{IsDisabled: true}

// ref is the reference of part i of m; media for a photo.
func (n *Notifier) ref(m *notify.Message, i int, id int64, media bool) notify.Ref {
	r := notify.Ref{Part: i, ChatID: n.cfg.ChatID.String(), MessageID: strconv.FormatInt(id, 10),
		Folded: m.Folded, Media: media}
	if n.cfg.MessageThreadID != 0 {
		r.ThreadID = strconv.Itoa(n.cfg.MessageThreadID)
	}
	return r
}

// firing is a message sent earlier for the firing event.
type firing struct {
	chat config.ChatID
	id   int64
	// media: the message is a photo whose text is its caption.
	media bool
	// folded: the message holds several alerts.
	folded bool
}

// messageID is the id to reply to; 0 (no reply) for a nil f.
func (f *firing) messageID() int64 {
	if f == nil {
		return 0
	}
	return f.id
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
	return &firing{chat: config.ChatID(first.ChatID), id: id, media: first.Media, folded: first.Folded}
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

// String names the notifier; the bot's token stays hidden.
func (n *Notifier) String() string { return "telegram channel " + n.name + " (" + n.bot.String() + ")" }
