package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alertmanager"
	"github.com/heraldhq/herald/internal/config"
	tgnotify "github.com/heraldhq/herald/internal/notify/telegram"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/telegram"
)

// alertTTL is how long the buttons under an alert message work.
const alertTTL = 30 * 24 * time.Hour

// alertState is what the buttons under one alert message need.
type alertState struct {
	Channel string           `json:"channel"`
	Alert   amtemplate.Alert `json:"alert"`
	// Caption is the photo's caption, sent again when the chart is
	// redrawn (editMessageMedia replaces it); "" for a text message.
	Caption       string          `json:"caption,omitempty"`
	Silence       []time.Duration `json:"silence,omitempty"`
	Charts        []time.Duration `json:"charts,omitempty"`
	Ack           bool            `json:"ack,omitempty"`
	UndoFor       time.Duration   `json:"undo_for,omitempty"`
	SilenceLabels []string        `json:"silence_labels,omitempty"`
}

// undoState is a silence made with a button, for its Undo.
type undoState struct {
	Alert     int64     `json:"alert"`
	SilenceID string    `json:"silence_id"`
	By        string    `json:"by"`
	Until     time.Time `json:"until"`
}

// AlertKeyboard makes the buttons under an alert message (see
// tgnotify.Keyboards): silence, ack and chart windows, each only when
// what it needs is configured.
func (b *Bot) AlertKeyboard(ctx context.Context, r tgnotify.KeyboardRequest) (*telegram.InlineKeyboardMarkup, error) {
	chat, ok := r.ChatID.Int64()
	if !ok {
		return nil, nil // a channel by @username: presses come from a chat id we cannot match
	}
	st := alertState{Channel: r.Channel, Alert: r.Alert, Caption: r.Caption, Ack: r.Buttons.AcksOn(),
		UndoFor: r.Buttons.UndoFor.D(), SilenceLabels: r.Buttons.SilenceLabels}
	if b.settings().Alertmanager != nil {
		st.Silence = durations(r.Buttons.Silence)
	}
	if b.settings().Charts != nil {
		st.Charts = durations(r.Buttons.Charts)
	}
	if len(st.Silence) == 0 && len(st.Charts) == 0 && !st.Ack {
		return nil, nil
	}
	key, err := b.key(ctx)
	if err != nil {
		return nil, err
	}
	id, err := b.save(ctx, kindAlert, chat, st, alertTTL)
	if err != nil {
		return nil, err
	}
	t := texts(b.chatLanguage(ctx, chat, ""))
	return b.alertKeyboard(key, id, &st, t, nil, ""), nil
}

func durations(ds []config.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.D()
	}
	return out
}

// alertKeyboard lays out the buttons of an alert message; silenced (an
// undo state id and its text) replaces the silence row, acked (the label
// saying who acknowledged) the ack button.
func (b *Bot) alertKeyboard(key []byte, id int64, st *alertState, t *catalog, silenced *undoRow, acked string) *telegram.InlineKeyboardMarkup {
	kb := &telegram.InlineKeyboardMarkup{}
	switch {
	case silenced != nil:
		kb.InlineKeyboard = append(kb.InlineKeyboard, []telegram.InlineKeyboardButton{
			b.button(key, silenced.text, "n", silenced.id), b.button(key, t.ButtonUndo, "u", silenced.id)})
	case len(st.Silence) > 0:
		var row []telegram.InlineKeyboardButton
		for i, d := range st.Silence {
			row = append(row, b.button(key, fmt.Sprintf(t.ButtonSilence, shortDuration(d)), "s"+strconv.Itoa(i), id))
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, row)
	}
	switch {
	case acked != "":
		kb.InlineKeyboard = append(kb.InlineKeyboard, []telegram.InlineKeyboardButton{b.button(key, acked, "n", id)})
	case st.Ack:
		kb.InlineKeyboard = append(kb.InlineKeyboard, []telegram.InlineKeyboardButton{b.button(key, t.ButtonAck, "a", id)})
	}
	if len(st.Charts) > 0 {
		var row []telegram.InlineKeyboardButton
		for i, d := range st.Charts {
			row = append(row, b.button(key, fmt.Sprintf(t.ButtonRange, shortDuration(d)), "c"+strconv.Itoa(i), id))
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, row)
	}
	return kb
}

// undoRow is the silenced row: the undo state's id and the text saying
// who silenced until when.
type undoRow struct {
	id   int64
	text string
}

// shown reads what the pressed message's buttons show of the other
// presses: the silenced row, and the label saying who acknowledged the
// alert of state id. Each press edits its own part of the keyboard and
// keeps these, so that an ack does not hide a silence and its Undo, nor a
// silence the ack. Only buttons whose data verify are read.
func (b *Bot) shown(p *press, id int64) (silenced *undoRow, acked string) {
	if p.q.Message == nil || p.q.Message.ReplyMarkup == nil {
		return nil, ""
	}
	for _, row := range p.q.Message.ReplyMarkup.InlineKeyboard {
		for _, btn := range row {
			action, bid, err := verify(p.key, btn.CallbackData)
			switch {
			case err != nil:
			case action == "u" && len(row) == 2:
				silenced = &undoRow{id: bid, text: row[0].Text}
			case action == "n" && bid == id:
				acked = btn.Text
			}
		}
	}
	return silenced, acked
}

// alertPressed acts on a button under an alert message.
func (b *Bot) alertPressed(ctx context.Context, p *press) string {
	var st alertState
	if err := json.Unmarshal(p.state.Data, &st); err != nil {
		b.answer(ctx, p.q, p.t.ButtonBad, true)
		return "usage"
	}
	switch {
	case p.action == "n":
		b.answer(ctx, p.q, "", false)
		return "ok"
	case p.action == "a" && st.Ack:
		return b.ack(ctx, p, &st)
	case strings.HasPrefix(p.action, "s"):
		if i, ok := index(p.action[1:], len(st.Silence)); ok {
			return b.silenceAlert(ctx, p, &st, st.Silence[i])
		}
	case strings.HasPrefix(p.action, "c"):
		if i, ok := index(p.action[1:], len(st.Charts)); ok {
			return b.redraw(ctx, p, &st, st.Charts[i])
		}
	}
	b.answer(ctx, p.q, p.t.ButtonBad, true)
	return "usage"
}

// index parses a button's index below n.
func index(s string, n int) (int, bool) {
	i, err := strconv.Atoi(s)
	return i, err == nil && i >= 0 && i < n
}

// silenceAlert silences the alert for d in Alertmanager and puts who did
// it, until when, and Undo in place of the silence buttons.
func (b *Bot) silenceAlert(ctx context.Context, p *press, st *alertState, d time.Duration) string {
	if !p.mayChange {
		b.answer(ctx, p.q, p.t.AdminsOnly, true)
		return "refused"
	}
	if b.settings().Alertmanager == nil {
		b.answer(ctx, p.q, stripTags(p.t.NoAM), true)
		return "failed"
	}
	now := b.now()
	by := who(&p.q.From)
	sil := alertmanager.Silence{
		Matchers:  alertmanager.MatchersFromLabels(silenceLabels(st.Alert.Labels, st.SilenceLabels)),
		StartsAt:  now,
		EndsAt:    now.Add(d),
		CreatedBy: by,
		Comment:   fmt.Sprintf("Silenced for %s from Telegram (%s) with Herald", shortDuration(d), chatName(p.chat)),
	}
	id, err := b.settings().Alertmanager.CreateSilence(ctx, sil)
	if err != nil {
		b.logger.Warn("cannot silence from a button", "err", err)
		b.answer(ctx, p.q, fmt.Sprintf(p.t.Failed, err.Error()), true)
		return "failed"
	}
	b.recordPress(ctx, p, "silence", fmt.Sprintf("%s for %s (%s)", id, shortDuration(d), st.Alert.Labels["alertname"]))
	until := sil.EndsAt
	undoFor := st.UndoFor
	if undoFor <= 0 {
		undoFor = time.Minute
	}
	uid, err := b.save(ctx, kindUndo, p.chat.ID, undoState{Alert: p.id, SilenceID: id, By: by, Until: until}, min(undoFor, d))
	if err == nil {
		_, acked := b.shown(p, p.id)
		kb := b.alertKeyboard(p.key, p.id, st, p.t, &undoRow{id: uid, text: fmt.Sprintf(p.t.ButtonSilenced, by, clock(until, now))}, acked)
		b.editKeyboard(ctx, p, kb)
	}
	b.answer(ctx, p.q, fmt.Sprintf(p.t.AnsSilenced, clock(until, now)), false)
	return "ok"
}

// silenceLabels are the labels a button's silence matches: keep, or all.
func silenceLabels(labels amtemplate.KV, keep []string) map[string]string {
	out := map[string]string{}
	for k, v := range labels {
		if len(keep) == 0 || slices.Contains(keep, k) {
			out[k] = v
		}
	}
	return out
}

// undoPressed expires the silence a button made and brings the silence
// buttons back.
func (b *Bot) undoPressed(ctx context.Context, p *press) string {
	var u undoState
	if err := json.Unmarshal(p.state.Data, &u); err != nil {
		b.answer(ctx, p.q, p.t.ButtonBad, true)
		return "usage"
	}
	if p.action == "n" {
		b.answer(ctx, p.q, fmt.Sprintf(p.t.ButtonSilenced, u.By, clock(u.Until, b.now())), false)
		return "ok"
	}
	if p.action != "u" {
		b.answer(ctx, p.q, p.t.ButtonBad, true)
		return "usage"
	}
	if !p.mayChange {
		b.answer(ctx, p.q, p.t.AdminsOnly, true)
		return "refused"
	}
	if b.settings().Alertmanager == nil {
		b.answer(ctx, p.q, stripTags(p.t.NoAM), true)
		return "failed"
	}
	if err := b.settings().Alertmanager.ExpireSilence(ctx, u.SilenceID); err != nil && !errors.Is(err, alertmanager.ErrNotFound) {
		b.answer(ctx, p.q, fmt.Sprintf(p.t.Failed, err.Error()), true)
		return "failed"
	}
	b.recordPress(ctx, p, "unsilence", u.SilenceID)
	if alert, err := b.opts.Store.Button(ctx, u.Alert); err == nil {
		var st alertState
		if json.Unmarshal(alert.Data, &st) == nil {
			_, acked := b.shown(p, u.Alert)
			b.editKeyboard(ctx, p, b.alertKeyboard(p.key, u.Alert, &st, p.t, nil, acked))
		}
	}
	b.answer(ctx, p.q, p.t.AnsUndone, false)
	return "ok"
}

// ack records who acknowledged the alert's episode, which stops its
// reminders, and shows it under the message.
func (b *Bot) ack(ctx context.Context, p *press, st *alertState) string {
	if !p.mayChange {
		b.answer(ctx, p.q, p.t.AdminsOnly, true)
		return "refused"
	}
	by := who(&p.q.From)
	prev, err := b.opts.Store.Ack(ctx, store.AckRequest{Fingerprint: st.Alert.Fingerprint, StartsAt: st.Alert.StartsAt, By: by, At: b.now()})
	if err != nil {
		b.answer(ctx, p.q, fmt.Sprintf(p.t.Failed, err.Error()), true)
		return "failed"
	}
	if prev != "" && prev != by {
		b.answer(ctx, p.q, fmt.Sprintf(p.t.AnsAlreadyAck, prev), false)
		by = prev
	} else {
		b.recordPress(ctx, p, "ack", st.Alert.Labels["alertname"]+" "+st.Alert.Fingerprint)
		b.answer(ctx, p.q, p.t.AnsAcked, false)
	}
	silenced, _ := b.shown(p, p.id)
	b.editKeyboard(ctx, p, b.alertKeyboard(p.key, p.id, st, p.t, silenced, fmt.Sprintf(p.t.ButtonAcked, by)))
	return "ok"
}

// redraw draws the alert's chart over d and puts it in place of the
// message's photo, or sends it in reply to a message without one.
func (b *Bot) redraw(ctx context.Context, p *press, st *alertState, d time.Duration) string {
	charts := b.settings().Charts
	if charts == nil {
		// The buttons outlive a reload that dropped prometheus.url.
		b.answer(ctx, p.q, stripTags(p.t.NoProm), true)
		return "failed"
	}
	b.answer(ctx, p.q, fmt.Sprintf(p.t.ButtonRange, shortDuration(d)), false)
	png, err := charts.Redraw(ctx, st.Alert, d)
	if err != nil {
		b.send(ctx, p.chat.ID, threadOf(p.q.Message), fmt.Sprintf(p.t.ChartFailed, esc(err.Error())), nil)
		return "failed"
	}
	msg := p.q.Message
	if st.Caption != "" && msg != nil {
		params := &telegram.EditMessageMediaParams{ChatID: strconv.FormatInt(p.chat.ID, 10), MessageID: msg.MessageID,
			Media: telegram.InputMediaPhoto{Caption: st.Caption, ParseMode: telegram.ParseModeHTML}, ReplyMarkup: msg.ReplyMarkup}
		if _, err := b.opts.Client.EditMessageMedia(ctx, params, png); err == nil {
			return "ok"
		} else {
			b.logger.Debug("cannot replace the chart; sending it as a reply", "err", err)
		}
	}
	b.sendPhoto(ctx, p.chat.ID, threadOf(msg), replyTo(msg), esc(st.Alert.Labels["alertname"])+" · "+shortDuration(d), png, nil)
	return "ok"
}

// editKeyboard replaces the keyboard of the pressed message.
func (b *Bot) editKeyboard(ctx context.Context, p *press, kb *telegram.InlineKeyboardMarkup) {
	if p.q.Message == nil {
		return
	}
	if _, err := b.opts.Client.EditMessageReplyMarkup(ctx, &telegram.EditMessageReplyMarkupParams{
		ChatID: strconv.FormatInt(p.chat.ID, 10), MessageID: p.q.Message.MessageID, ReplyMarkup: kb}); err != nil {
		b.logger.Debug("cannot change the buttons of a message", "err", err)
	}
}

// recordPress records a change made with a button.
func (b *Bot) recordPress(ctx context.Context, p *press, kind, detail string) {
	r := &request{msg: p.q.Message, user: &p.q.From, chat: p.chat}
	if r.msg == nil {
		r.msg = &telegram.Message{Chat: p.chat}
	}
	b.record(ctx, r, kind, detail)
}

// chatName names a chat in a silence comment.
func chatName(c telegram.Chat) string {
	if c.Title != "" {
		return fmt.Sprintf("%q, chat %d", c.Title, c.ID)
	}
	return fmt.Sprintf("chat %d", c.ID)
}

// clock is t as a person in the chat reads it: the time of day when
// it is within a day of now, else the date too. Always UTC.
func clock(t, now time.Time) string {
	if t.Sub(now) < 24*time.Hour {
		return t.UTC().Format("15:04 UTC")
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// shortDuration writes d the way Prometheus does (1h, 4h, 1d, 7d, 1h30m).
func shortDuration(d time.Duration) string { return config.Duration(d).String() }

func threadOf(m *telegram.Message) int64 {
	if m == nil {
		return 0
	}
	return m.MessageThreadID
}

func replyTo(m *telegram.Message) int64 {
	if m == nil {
		return 0
	}
	return m.MessageID
}
