package telegram

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	tg "github.com/heraldhq/herald/internal/telegram"
)

// ButtonsConfig is a channel's buttons under its alert messages
// (telegram.buttons). They need the interactive bot: with telegram.mode
// off there are none.
type ButtonsConfig struct {
	// Enabled turns the buttons off for this channel (default on).
	Enabled *bool `yaml:"enabled"`
	// Silence are the silence durations offered (default 1h, 4h, 24h).
	Silence []config.Duration `yaml:"silence"`
	// Ack offers the acknowledge button (default true).
	Ack *bool `yaml:"ack"`
	// Charts are the chart windows offered (default 6h, 24h, 7d).
	Charts []config.Duration `yaml:"charts"`
	// UndoFor is how long a silence made with a button can be undone
	// from the message (default 10m).
	UndoFor config.Duration `yaml:"undo_for"`
	// SilenceLabels are the labels a button's silence matches (default
	// all of the alert's, i.e. this alert only).
	SilenceLabels []string `yaml:"silence_labels"`
}

// DefaultButtons are the buttons of a channel that says nothing.
func DefaultButtons() ButtonsConfig {
	return ButtonsConfig{
		Silence: []config.Duration{config.Duration(time.Hour), config.Duration(4 * time.Hour), config.Duration(24 * time.Hour)},
		Ack:     new(true),
		Charts:  []config.Duration{config.Duration(6 * time.Hour), config.Duration(24 * time.Hour), config.Duration(7 * 24 * time.Hour)},
		UndoFor: config.Duration(10 * time.Minute),
	}
}

// On reports whether the channel shows buttons.
func (b *ButtonsConfig) On() bool { return b.Enabled == nil || *b.Enabled }

// AcksOn reports whether the acknowledge button is offered.
func (b *ButtonsConfig) AcksOn() bool { return b.Ack == nil || *b.Ack }

// validate checks the section under prefix.
func (b *ButtonsConfig) validate(errs *config.FieldErrors) {
	for i, d := range b.Silence {
		if d < config.Duration(time.Minute) {
			errs.Add("buttons.silence["+strconv.Itoa(i)+"]", "must be at least 1m")
		}
	}
	for i, d := range b.Charts {
		if d < config.Duration(time.Minute) {
			errs.Add("buttons.charts["+strconv.Itoa(i)+"]", "must be at least 1m")
		}
	}
	if len(b.Silence) > 4 {
		errs.Add("buttons.silence", "at most 4 durations (one row of buttons)")
	}
	if len(b.Charts) > 4 {
		errs.Add("buttons.charts", "at most 4 windows (one row of buttons)")
	}
	if b.UndoFor < 0 {
		errs.Add("buttons.undo_for", "must not be negative")
	}
}

// KeyboardRequest is an alert message about to be sent, for its buttons.
type KeyboardRequest struct {
	Channel string
	ChatID  config.ChatID
	// Alert is the one alert of the message (buttons are only under
	// single-alert firing messages).
	Alert amtemplate.Alert
	// Caption is the HTML under the chart, kept to redraw it; "" when the
	// message has no chart.
	Caption string
	Buttons ButtonsConfig
}

// Keyboards makes the buttons under alert messages; the interactive bot
// does, keeping their state in the store.
type Keyboards interface {
	AlertKeyboard(ctx context.Context, r KeyboardRequest) (*tg.InlineKeyboardMarkup, error)
}

// keyboardsKey keys the keyboards holder of a notify.Shared.
type keyboardsKey struct{}

// keyboards holds the bot's Keyboards once it runs; notifiers built before
// that, or without a bot, send no buttons.
type keyboards struct{ k atomic.Pointer[Keyboards] }

func sharedKeyboards(s *notify.Shared) *keyboards {
	h, _ := notify.Share(s, keyboardsKey{}, func() (*keyboards, error) { return &keyboards{}, nil })
	return h
}

// UseKeyboards makes every Telegram channel built with s put k's buttons
// under its alert messages; nil removes them.
func UseKeyboards(s *notify.Shared, k Keyboards) {
	h := sharedKeyboards(s)
	if k == nil {
		h.k.Store(nil)
		return
	}
	h.k.Store(&k)
}

func (h *keyboards) get() Keyboards {
	if h == nil {
		return nil
	}
	if k := h.k.Load(); k != nil {
		return *k
	}
	return nil
}

// keyboard is the buttons of m, or nil: only a firing (or reminder)
// message of one alert has them, and only when a bot makes them. A
// failure costs the buttons, never the message.
func (n *Notifier) keyboard(ctx context.Context, m *notify.Message, caption string) *tg.InlineKeyboardMarkup {
	k := n.keyboards.get()
	if k == nil || !n.cfg.Buttons.On() || m.Folded || m.Kind == alert.KindResolved || m.Data == nil || len(m.Data.Alerts) != 1 {
		return nil
	}
	kb, err := k.AlertKeyboard(ctx, KeyboardRequest{Channel: n.name, ChatID: n.cfg.ChatID, Alert: m.Data.Alerts[0],
		Caption: caption, Buttons: n.cfg.Buttons})
	if err != nil {
		n.logger.Warn("sending the alert without buttons", "err", err)
		return nil
	}
	return kb
}

// WithKeyboards puts k's buttons under the channel's alert messages (the
// interactive bot's); tests pass their own.
func WithKeyboards(k Keyboards) Option {
	return func(n *Notifier) {
		n.keyboards = &keyboards{}
		n.keyboards.k.Store(&k)
	}
}
