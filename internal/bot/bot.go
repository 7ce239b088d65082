// Package bot is Herald's interactive Telegram bot: subscriptions,
// silences, acknowledgements and charts from the chat, on the durable store
// the deliveries use. It receives updates by long polling or through a
// webhook, lets in only the people the configuration names, and keeps
// the state of its buttons in the store, so that they work after a
// restart.
package bot

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/telegram"
	"github.com/heraldhq/herald/internal/wait"
)

// Options are what the bot is built from besides the configuration.
type Options struct {
	Client *telegram.Client
	Store  Store
	// Routes says which chats an alert goes to (routes and subscriptions).
	Routes Routes
	// Subscribed is called after a chat's subscriptions changed, so that
	// the router and the dispatcher take them up.
	Subscribed func()
	Logger     *slog.Logger
	Registerer prometheus.Registerer
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Deps are the services the bot calls, made from one configuration.
type Deps struct {
	// Alertmanager lists alerts and makes silences; nil without
	// alertmanager.url.
	Alertmanager Alertmanager
	// Grafana lists dashboards and renders panels; nil without grafana.url.
	Grafana Grafana
	// Charts draws /graph, /chart and the re-chart buttons; nil without
	// prometheus.url.
	Charts Charts
	// Containers summarises and charts the Docker collectors; nil without
	// collectors.docker.hosts.
	Containers Containers
}

// Bot is the interactive bot of one token.
type Bot struct {
	opts    Options
	logger  *slog.Logger
	now     func() time.Time
	cfg     atomic.Pointer[settings]
	me      atomic.Pointer[telegram.User]
	limits  *limiter
	metrics *metrics
	// signKey is the store's button key, loaded on first use.
	signKey atomic.Pointer[[]byte]
	// started is set once start worked.
	started atomic.Bool
}

// settings is what the bot takes from one configuration.
type settings struct {
	cfg    *config.Config
	access *access
	Deps
}

// New makes the bot of cfg's telegram section; Start checks the token and
// registers the commands, Run receives updates.
func New(cfg *config.Config, o Options, d Deps) *Bot {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	b := &Bot{opts: o, logger: o.Logger.With("component", "bot"), now: o.Now,
		limits: newLimiter(cfg.Telegram.CommandsPerMinute), metrics: newMetrics(o.Registerer)}
	b.Update(cfg, d)
	return b
}

// Update takes up a reloaded configuration: access lists and the
// services made from it. The command allowance keeps its counts.
func (b *Bot) Update(cfg *config.Config, d Deps) {
	b.cfg.Store(&settings{cfg: cfg, access: newAccess(&cfg.Telegram), Deps: d})
	b.limits.setRate(cfg.Telegram.CommandsPerMinute)
}

func (b *Bot) settings() *settings { return b.cfg.Load() }

// Start checks the token with getMe, registers the command menu in every
// language the bot speaks, and sets or removes the webhook as
// telegram.mode says. A token Telegram refuses is an error that stops
// Herald with a clear message; any other failure (Telegram unreachable)
// is logged and retried by Run, so that alerts keep flowing meanwhile.
func (b *Bot) Start(ctx context.Context) error {
	err := b.start(ctx)
	if errors.Is(err, telegram.ErrUnauthorized) {
		return fmt.Errorf("telegram bot: %w", err)
	}
	if err != nil {
		b.logger.Warn("cannot start the Telegram bot yet; retrying in the background", "err", err)
	}
	return nil
}

// start is one attempt of Start; it marks the bot started when it worked.
func (b *Bot) start(ctx context.Context) error {
	me, _, err := b.opts.Client.GetMe(ctx)
	if err != nil {
		return err
	}
	b.me.Store(me)
	if err := b.registerCommands(ctx); err != nil {
		// The menu is a convenience: the commands work without it.
		b.logger.Warn("cannot register the command menu", "err", err)
	}
	cfg := b.settings().cfg
	if cfg.Telegram.Mode == config.BotWebhook {
		p := &telegram.SetWebhookParams{URL: WebhookURL(cfg), SecretToken: WebhookSecret(cfg),
			AllowedUpdates: allowedUpdates}
		if _, err := b.opts.Client.SetWebhook(ctx, p); err != nil {
			return err
		}
	} else if _, err := b.opts.Client.DeleteWebhook(ctx, false); err != nil {
		// A webhook left from an earlier run would make getUpdates fail
		// with 409; pending updates are kept for the poller.
		return err
	}
	b.started.Store(true)
	b.logger.Info("Telegram bot started", "bot", "@"+me.Username, "mode", cfg.Telegram.Mode)
	return nil
}

// allowedUpdates are the updates the bot asks for.
var allowedUpdates = []string{"message", "edited_message", "callback_query"}

// registerCommands sets the command menu in English for everyone and in
// each other language for its speakers.
func (b *Bot) registerCommands(ctx context.Context) error {
	var errs []error
	for _, lang := range config.BotLanguages {
		c := texts(lang)
		p := &telegram.SetMyCommandsParams{}
		for _, name := range commandOrder {
			p.Commands = append(p.Commands, telegram.BotCommand{Command: name, Description: c.Commands[name]})
		}
		if lang != "en" {
			p.LanguageCode = lang
		}
		if _, err := b.opts.Client.SetMyCommands(ctx, p); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Run finishes starting the bot if Start could not, then receives updates
// by long polling until ctx is done; in webhook mode it returns once
// started (ServeHTTP receives the updates). A failed poll is retried
// with backoff; the offset of the last update handled is kept in the
// store, so that a restart neither loses nor repeats updates.
func (b *Bot) Run(ctx context.Context) {
	for delay := time.Second; !b.started.Load(); delay = min(delay*2, 5*time.Minute) {
		if !wait.Sleep(ctx, delay) {
			return
		}
		if err := b.start(ctx); err != nil && ctx.Err() == nil {
			b.logger.Warn("cannot start the Telegram bot yet", "err", err, "retry_in", min(delay*2, 5*time.Minute))
		}
	}
	if b.settings().cfg.Telegram.Mode != config.BotPolling {
		return
	}
	offset, err := b.loadOffset(ctx)
	if err != nil {
		b.logger.Warn("cannot read the last update id; starting from Telegram's oldest pending update", "err", err)
	}
	backoff := time.Second
	for ctx.Err() == nil {
		timeout := int(b.settings().cfg.Telegram.PollTimeout.D() / time.Second)
		ups, _, err := b.opts.Client.GetUpdates(ctx, &telegram.GetUpdatesParams{Offset: offset, Timeout: timeout,
			AllowedUpdates: allowedUpdates})
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			b.metrics.pollErrors.Inc()
			b.logger.Warn("getUpdates failed", "err", err, "retry_in", backoff)
			if !wait.Sleep(ctx, backoff) {
				return
			}
			backoff = min(backoff*2, time.Minute)
			continue
		}
		next, refused := offset, false
		for _, u := range ups {
			if err := b.Handle(ctx, u); err != nil {
				refused = true
				break
			}
			next = u.UpdateID + 1
		}
		if next != offset {
			offset = next
			b.saveOffset(ctx, offset)
		}
		if refused {
			// The store refused an update: ask for it again later.
			b.logger.Warn("cannot record an update; asking Telegram for it again", "retry_in", backoff)
			if !wait.Sleep(ctx, backoff) {
				return
			}
			backoff = min(backoff*2, time.Minute)
			continue
		}
		backoff = time.Second
	}
}

// Handle processes one update once: an update id seen before (a webhook
// delivered again, a poll repeated after a crash) changes nothing. The
// update is marked before it is handled, so a crash in between drops the
// update rather than repeating a silence: a person can press again, a
// duplicate silence or subscription cannot be taken back by itself.
//
// An error means the update could not be recorded and was not handled:
// the caller asks for it again (the poller keeps its offset, the webhook
// answers 503 so that Telegram sends it again).
func (b *Bot) Handle(ctx context.Context, u telegram.Update) error {
	first, err := b.opts.Store.MarkUpdate(ctx, u.UpdateID)
	if err != nil {
		return fmt.Errorf("record update %d: %w", u.UpdateID, err)
	}
	if !first {
		b.metrics.updates.WithLabelValues("repeated").Inc()
		return nil
	}
	defer func() {
		// Never crash on input: a bug in one command must not stop the bot.
		if r := recover(); r != nil {
			b.metrics.updates.WithLabelValues("failed").Inc()
			b.logger.Error("bot update handler panicked", "update_id", u.UpdateID, "panic", fmt.Sprint(r))
		}
	}()
	switch {
	case u.Message != nil:
		b.metrics.updates.WithLabelValues("message").Inc()
		b.onMessage(ctx, u.Message)
	case u.EditedMessage != nil:
		// An edited command runs as sent again; edited text is not a
		// new conversation otherwise.
		b.metrics.updates.WithLabelValues("edited_message").Inc()
		b.onMessage(ctx, u.EditedMessage)
	case u.CallbackQuery != nil:
		b.metrics.updates.WithLabelValues("callback_query").Inc()
		b.onCallback(ctx, u.CallbackQuery)
	default:
		b.metrics.updates.WithLabelValues("other").Inc()
	}
	return nil
}

func (b *Bot) loadOffset(ctx context.Context) (int64, error) {
	v, ok, err := b.opts.Store.BotState(ctx, stateOffset)
	if err != nil || !ok {
		return 0, err
	}
	var off int64
	_, err = fmt.Sscan(v, &off)
	return off, err
}

func (b *Bot) saveOffset(ctx context.Context, off int64) {
	if err := b.opts.Store.SetBotState(ctx, stateOffset, fmt.Sprint(off)); err != nil {
		// Updates are marked one by one, so a lost offset only means
		// Telegram sends a few again, which MarkUpdate drops.
		b.logger.Warn("cannot save the last update id", "err", err)
	}
}

// stateOffset is the store key of the next getUpdates offset.
const stateOffset = "telegram.offset"

// esc escapes outside text for Telegram HTML.
func esc(s string) string { return html.EscapeString(s) }
