package bot

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/telegram"
)

// A button's callback_data is "<action>:<id>:<signature>": the action (a
// few letters), the id of its state in the store (base 36) and an HMAC of
// both with the bot's key, cut to sigLen characters. Telegram allows 64
// bytes; this takes at most about 30. A button someone forged (callback
// data are chosen by the client) fails the signature; one whose state was
// pruned is unknown; both change nothing.
const sigLen = 12

// Button kinds: what the stored state of a button is.
const (
	kindAlert     = "alert"     // an alert message's buttons (alertState)
	kindUndo      = "undo"      // undoing a silence (undoState)
	kindPage      = "page"      // paging a list (pageState)
	kindDashboard = "dashboard" // a Grafana dashboard or panel (panelState)
)

// errBadButton is a button whose data do not verify.
var errBadButton = errors.New("bad button")

// sign returns the callback_data of action on state id.
func sign(key []byte, action string, id int64) string {
	body := action + ":" + strconv.FormatInt(id, 36)
	return body + ":" + mac(key, body)
}

func mac(key []byte, body string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))[:sigLen]
}

// verify parses callback data made by sign.
func verify(key []byte, data string) (action string, id int64, err error) {
	parts := strings.Split(data, ":")
	if len(parts) != 3 || len(data) > 64 {
		return "", 0, errBadButton
	}
	body := parts[0] + ":" + parts[1]
	if !hmac.Equal([]byte(parts[2]), []byte(mac(key, body))) {
		return "", 0, errBadButton
	}
	id, err = strconv.ParseInt(parts[1], 36, 64)
	if err != nil || id <= 0 {
		return "", 0, errBadButton
	}
	return parts[0], id, nil
}

// key returns the bot's signing key, made once and kept in the store.
func (b *Bot) key(ctx context.Context) ([]byte, error) {
	if k := b.signKey.Load(); k != nil {
		return *k, nil
	}
	k, err := b.opts.Store.BotKey(ctx)
	if err != nil {
		return nil, err
	}
	b.signKey.Store(&k)
	return k, nil
}

// save stores the state of a button set and returns its id.
func (b *Bot) save(ctx context.Context, kind string, chat int64, state any, ttl time.Duration) (int64, error) {
	data, err := json.Marshal(state)
	if err != nil {
		return 0, err
	}
	return b.opts.Store.SaveButton(ctx, store.Button{Kind: kind, ChatID: chat, Data: data, ExpiresAt: b.now().Add(ttl)})
}

// button makes one callback button.
func (b *Bot) button(key []byte, text, action string, id int64) telegram.InlineKeyboardButton {
	return telegram.InlineKeyboardButton{Text: text, CallbackData: sign(key, action, id)}
}

// onCallback handles a button press: verify, load the state, check who
// pressed, act, answer.
func (b *Bot) onCallback(ctx context.Context, q *telegram.CallbackQuery) {
	if q.From.IsBot {
		return
	}
	s := b.settings()
	lang := language(q.From.LanguageCode, s.cfg.Telegram.Language)
	chat := telegram.Chat{ID: q.From.ID, Type: "private"}
	if q.Message != nil {
		chat = q.Message.Chat
		lang = b.chatLanguage(ctx, chat.ID, q.From.LanguageCode)
	}
	t := texts(lang)
	if !s.access.allowed(&q.From, chat) {
		b.metrics.refused.Inc()
		b.answer(ctx, q, fmt.Sprintf(t.Refused, q.From.ID), true)
		return
	}
	if ok, _ := b.limits.take(q.From.ID, b.now()); !ok {
		b.metrics.commands.WithLabelValues("button", "limited").Inc()
		b.answer(ctx, q, fmt.Sprintf(t.SlowDown, s.cfg.Telegram.CommandsPerMinute), false)
		return
	}
	key, err := b.key(ctx)
	if err != nil {
		b.answer(ctx, q, fmt.Sprintf(t.Failed, "store"), true)
		return
	}
	action, id, err := verify(key, q.Data)
	if err != nil {
		b.metrics.commands.WithLabelValues("button", "usage").Inc()
		b.logger.Info("a button failed its signature", "user_id", q.From.ID, "chat_id", chat.ID)
		b.answer(ctx, q, t.ButtonBad, true)
		return
	}
	st, err := b.opts.Store.Button(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound), err == nil && b.now().After(st.ExpiresAt), err == nil && st.ChatID != chat.ID:
		b.metrics.commands.WithLabelValues("button", "usage").Inc()
		b.answer(ctx, q, t.ButtonExpired, true)
		return
	case err != nil:
		b.answer(ctx, q, fmt.Sprintf(t.Failed, "store"), true)
		return
	}
	p := &press{q: q, chat: chat, t: t, lang: lang, key: key, id: id, state: st, action: action,
		admin: s.access.isAdmin(&q.From), mayChange: s.access.mayChange(&q.From, chat)}
	result := b.pressed(ctx, p)
	b.metrics.commands.WithLabelValues("button", result).Inc()
}

// press is one button press being handled.
type press struct {
	q         *telegram.CallbackQuery
	chat      telegram.Chat
	t         *catalog
	lang      string
	key       []byte
	id        int64
	state     store.Button
	action    string
	admin     bool
	mayChange bool
}

// pressed acts on a verified press by the kind of its state.
func (b *Bot) pressed(ctx context.Context, p *press) string {
	switch p.state.Kind {
	case kindAlert:
		return b.alertPressed(ctx, p)
	case kindUndo:
		return b.undoPressed(ctx, p)
	case kindPage:
		return b.pagePressed(ctx, p)
	case kindDashboard:
		return b.dashboardPressed(ctx, p)
	case kindContainers:
		return b.containersPressed(ctx, p)
	}
	b.answer(ctx, p.q, p.t.ButtonBad, true)
	return "usage"
}

// maxAnswer is the most characters of a callback answer, counted as
// Telegram counts them, in UTF-16 units
// (https://core.telegram.org/bots/api#answercallbackquery: 0-200).
const maxAnswer = 200

// answer answers a callback query: text as a toast, or an alert box.
func (b *Bot) answer(ctx context.Context, q *telegram.CallbackQuery, text string, alert bool) {
	if _, err := b.opts.Client.AnswerCallbackQuery(ctx, &telegram.AnswerCallbackQueryParams{
		CallbackQueryID: q.ID, Text: cutUnits(stripTags(text), maxAnswer), ShowAlert: alert}); err != nil {
		b.logger.Debug("cannot answer a button press", "err", err)
	}
}

// stripTags removes the HTML of a catalog text for a callback answer,
// which is plain text.
func stripTags(s string) string {
	var sb strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>' && in:
			in = false
		case !in:
			sb.WriteRune(r)
		}
	}
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "&quot;", `"`).Replace(sb.String())
}

// cutUnits shortens s to at most n UTF-16 units, at a rune boundary,
// ending with "…" when it was cut.
func cutUnits(s string, n int) string {
	units := func(r rune) int {
		if r >= 0x10000 {
			return 2
		}
		return 1
	}
	total := 0
	for _, r := range s {
		total += units(r)
	}
	if total <= n {
		return s
	}
	kept := 0
	for i, r := range s {
		if kept+units(r) > n-1 {
			return s[:i] + "…"
		}
		kept += units(r)
	}
	return s
}
