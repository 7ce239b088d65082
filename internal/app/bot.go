package app

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sync/atomic"
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"
	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alertmanager"
	"github.com/heraldhq/herald/internal/bot"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/grafana"
	"github.com/heraldhq/herald/internal/graph"
	tgnotify "github.com/heraldhq/herald/internal/notify/telegram"
	"github.com/heraldhq/herald/internal/route"
	"github.com/heraldhq/herald/internal/server"
	"github.com/heraldhq/herald/internal/store"
	tg "github.com/heraldhq/herald/internal/telegram"
)

// botRuns reports whether cfg asks for the interactive bot: a bot token
// and telegram.mode other than off.
func botRuns(cfg *config.Config) bool {
	return cfg.Telegram.BotToken != "" && cfg.Telegram.Mode != config.BotOff
}

// subscriptions are the bot's subscriptions as the router and the
// dispatcher use them: a route per subscription, a channel per chat.
type subscriptions struct {
	routes []route.Subscription
	chats  []int64
}

// loadSubscriptions reads every subscription from the store. One that no
// longer parses (stored by an older version) is skipped and logged, not
// fatal: the others still route.
func (a *App) loadSubscriptions(ctx context.Context, st *store.Store) (*subscriptions, error) {
	all, err := st.AllSubscriptions(ctx)
	if err != nil {
		return nil, err
	}
	out := &subscriptions{}
	for _, s := range all {
		rs := route.Subscription{Channel: route.SubscriptionChannel(s.ChatID)}
		switch s.Kind {
		case "regexp":
			rs.Regexp, err = regexp.Compile(s.Expr)
		default:
			rs.Matchers, err = labels.ParseMatchers(s.Expr)
		}
		if err != nil {
			a.logger.Warn("a stored subscription does not parse; it is skipped", "chat_id", s.ChatID, "expr", s.Expr, "err", err)
			continue
		}
		out.routes = append(out.routes, rs)
		if !slices.Contains(out.chats, s.ChatID) {
			out.chats = append(out.chats, s.ChatID)
		}
	}
	return out, nil
}

// subscriptionChannels are the channels of the chats with subscriptions:
// a Telegram channel on the top-level bot with the defaults of a
// telegram: section.
func subscriptionChannels(cfg *config.Config, chats []int64) []config.ChannelConfig {
	var out []config.ChannelConfig
	for _, id := range chats {
		sec := tgnotify.DefaultConfig()
		sec.ChatID = config.ChatID(fmt.Sprint(id))
		ch := config.DefaultChannelConfig()
		ch.Name, ch.Platform, ch.Section = route.SubscriptionChannel(id), "telegram", &sec
		out = append(out, ch)
	}
	return out
}

// chartsOf is the enricher of the configuration in force, for the bot.
type chartsOf struct {
	e atomic.Pointer[graph.Enricher]
}

func (c *chartsOf) Query(ctx context.Context, q graph.QueryChart) ([]byte, error) {
	e := c.e.Load()
	if e == nil {
		return nil, errChartsOff
	}
	return e.Query(ctx, q)
}

func (c *chartsOf) Redraw(ctx context.Context, al amtemplate.Alert, rng time.Duration) ([]byte, error) {
	e := c.e.Load()
	if e == nil {
		return nil, errChartsOff
	}
	return e.Redraw(ctx, al, rng)
}

var errChartsOff = fmt.Errorf("charts are off (set prometheus.url)")

// routesOf answers the bot's questions about where alerts go, from the
// server's routing table and the configuration in force.
type routesOf struct {
	app *App
	srv *server.Server
}

// Channels are the configured Telegram channels that post to chat.
func (r routesOf) Channels(chat int64) []string {
	var out []string
	for _, ch := range r.app.co.Current().Channels {
		if sec, ok := ch.Section.(*tgnotify.Config); ok {
			if id, ok := sec.ChatID.Int64(); ok && id == chat {
				out = append(out, ch.Name)
			}
		}
	}
	return out
}

// Receives reports whether an alert with these labels reaches chat,
// through a route or a subscription.
func (r routesOf) Receives(chat int64, ls map[string]string) bool {
	mine := r.Channels(chat)
	sub := route.SubscriptionChannel(chat)
	for _, t := range r.srv.Router().Targets(amtemplate.KV(ls)) {
		if t.Channel == sub || slices.Contains(mine, t.Channel) {
			return true
		}
	}
	return false
}

// newBot builds the interactive bot of cfg.
func (a *App) newBot(cfg *config.Config, st *store.Store, srv *server.Server, subscribed func()) (*bot.Bot, error) {
	client, err := tg.SharedClients(a.shared, a.logger).Get(tgnotify.BotConfig(cfg, nil))
	if err != nil {
		return nil, err
	}
	d, err := a.botDeps(cfg)
	if err != nil {
		return nil, err
	}
	o := bot.Options{Client: client, Store: st, Routes: routesOf{app: a, srv: srv}, Subscribed: subscribed,
		Logger: a.logger, Registerer: a.reg}
	return bot.New(cfg, o, d), nil
}

// botDeps makes the services the bot calls from cfg: each only when its
// section is set.
func (a *App) botDeps(cfg *config.Config) (bot.Deps, error) {
	var d bot.Deps
	logger := a.logger
	if cfg.Prometheus.URL != "" || collecting(cfg) {
		d.Charts = &a.enricher
	}
	if len(cfg.Collectors.Docker.Hosts) > 0 && a.runner != nil {
		d.Containers = containersOf{runner: a.runner, store: a.store, charts: &a.enricher, now: time.Now}
	}
	if cfg.Alertmanager.URL != "" {
		am, err := alertmanager.New(cfg.Alertmanager, logger)
		if err != nil {
			return d, fmt.Errorf("alertmanager: %w", err)
		}
		d.Alertmanager = am
	}
	if cfg.Grafana.URL != "" {
		g, err := grafana.New(cfg.Grafana, logger)
		if err != nil {
			return d, fmt.Errorf("grafana: %w", err)
		}
		d.Grafana = g
	}
	return d, nil
}
