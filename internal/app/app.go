// Package app wires Herald together: configuration, store, dispatcher,
// notifiers and the HTTP server, and applies reloads to all of them.
package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/heraldhq/herald/internal/bot"
	"github.com/heraldhq/herald/internal/collect"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/dispatch"
	"github.com/heraldhq/herald/internal/graph"
	"github.com/heraldhq/herald/internal/httpconf"
	"github.com/heraldhq/herald/internal/images"
	"github.com/heraldhq/herald/internal/notify"
	tgnotify "github.com/heraldhq/herald/internal/notify/telegram"
	"github.com/heraldhq/herald/internal/platform"
	"github.com/heraldhq/herald/internal/platforms"
	"github.com/heraldhq/herald/internal/server"
	"github.com/heraldhq/herald/internal/store"
)

// Options are what the command line gives the app.
type Options struct {
	// ListenAddress overrides listen_address when set.
	ListenAddress string
	// WebConfigFile is the exporter-toolkit web configuration (TLS and
	// basic auth of Herald's endpoints); none when empty.
	WebConfigFile string
	// Stdout receives console channel output.
	Stdout io.Writer
	Logger *slog.Logger
	// Registry collects the metrics; a new one when nil.
	Registry *prometheus.Registry
	// Ready, when set, receives the bound address once Herald serves.
	Ready func(addr string)
	// Shared holds what notifiers share (robots' and webhooks' rate
	// limits, bots, HTTP clients) across channels and reloads; a new one
	// when nil. Tests preset scaled limits in it (dingtalk.WithRobotLimit).
	Shared *notify.Shared
}

// App is one running Herald.
type App struct {
	co     *config.Coordinator
	opts   Options
	logger *slog.Logger
	reg    *prometheus.Registry
	// shared is what the notifiers of every configuration share; it lives
	// as long as the app, so that rate limits carry over a reload.
	shared *notify.Shared
	// platforms are the chat platforms channels may use.
	platforms []platform.Platform
	charts    *graph.Metrics
	// images hosts charts when external_url is set and images.s3 is not;
	// nil otherwise.
	images *images.Store
	// s3 uploads charts when images.s3 is set; nil otherwise.
	s3 *images.S3Store
	// enricher is the chart maker of the configuration in force, for the bot.
	enricher chartsOf
	// subs are the bot's subscriptions as last read from the store.
	subs atomic.Pointer[subscriptions]
	// resubscribe serialises the rebuilds that follow a subscription change.
	resubscribe sync.Mutex
	// store is the store in force once Run opened it: the collectors'
	// history for charts.
	store *store.Store
	// runner runs the collectors.
	runner *collect.Runner
}

// publisher is the chart host, or nil (a nil *images.Store or
// *images.S3Store must not become a non-nil interface).
func (a *App) publisher() graph.Publisher {
	switch {
	case a.s3 != nil:
		return a.s3
	case a.images != nil:
		return a.images
	}
	return nil
}

// openImages opens the chart host: the S3 bucket when images.s3 is set
// (Herald need not be reachable then), else Herald itself when it knows its
// external URL.
func (a *App) openImages(cfg *config.Config) error {
	if s := cfg.Images.S3; s != nil {
		rt, err := httpconf.RoundTripper(s.HTTP, "s3")
		if err != nil {
			return fmt.Errorf("images: s3: %w", err)
		}
		a.s3, err = images.OpenS3(images.S3Options{Endpoint: s.Endpoint, Region: s.Region, Bucket: s.Bucket,
			Prefix: s.Prefix, AccessKeyID: s.AccessKeyID, SecretAccessKey: string(s.SecretAccessKey),
			PathStyle: s.PathStyle, PublicURL: s.PublicURL, TTL: cfg.Images.TTL.D(), Timeout: s.Timeout.D(),
			Transport: rt}, a.logger)
		if err != nil {
			return err
		}
		links := "presigned"
		if s.PublicURL != "" {
			links = "public_url"
		}
		a.logger.Info("charts are uploaded to S3", "endpoint", s.Endpoint, "bucket", s.Bucket, "prefix", s.Prefix, "links", links)
		return nil
	}
	if cfg.ExternalURL == "" {
		a.logger.Info("neither external_url nor images.s3 is set: charts are not hosted, so platforms that take images by URL (DingTalk, Teams, Slack webhooks) go without them")
		return nil
	}
	if a.store != nil && a.store.Shared() {
		// Replicas: the link may reach another replica than the one that
		// drew the chart, so the charts are kept in the database and the
		// links signed with a key every replica has.
		key := []byte(cfg.Images.SigningKey)
		if len(key) == 0 {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			botKey, err := a.store.BotKey(ctx)
			if err != nil {
				return fmt.Errorf("images: the replicas' signing key: %w", err)
			}
			m := hmac.New(sha256.New, botKey)
			m.Write([]byte("herald chart links"))
			key = m.Sum(nil)
		}
		var err error
		a.images, err = images.OpenShared(a.store, key, cfg.Images.TTL.D(), cfg.ExternalURL, a.logger)
		return err
	}
	key, err := images.LoadKey(string(cfg.Images.SigningKey), cfg.DataDir)
	if err != nil {
		return err
	}
	a.images, err = images.Open(filepath.Join(cfg.DataDir, "images"), key, cfg.Images.TTL.D(), cfg.ExternalURL, a.logger)
	return err
}

// New prepares an app around a loaded configuration.
func New(co *config.Coordinator, opts Options) *App {
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
		opts.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	if opts.Shared == nil {
		opts.Shared = notify.NewShared()
	}
	return &App{co: co, opts: opts, logger: opts.Logger, reg: opts.Registry, shared: opts.Shared,
		platforms: platforms.All(), charts: graph.NewMetrics(opts.Registry)}
}

// Run serves until ctx is done, then shuts down in order: stop taking
// webhooks, let deliveries in flight finish, close the store.
func (a *App) Run(ctx context.Context) error {
	cfg := a.co.Current()
	st, err := OpenStore(ctx, cfg, a.logger)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.Close()
	a.store = st
	a.registerReloadMetrics()
	a.registerSelfMetrics(st)
	if err := a.openImages(cfg); err != nil {
		return err
	}
	if botRuns(cfg) {
		subs, err := a.loadSubscriptions(ctx, st)
		if err != nil {
			return fmt.Errorf("read subscriptions: %w", err)
		}
		a.subs.Store(subs)
	}
	setup, err := a.Setup(cfg)
	if err != nil {
		return err
	}
	ls := a.newLeases(cfg, st)
	disp := dispatch.New(st, setup, a.reg, a.logger, ls.dispatchFence(st))
	a.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "herald_outbox_pending",
		Help: "Deliveries waiting to be sent or retried.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := st.PendingCount(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	}))
	srvOpts := server.Options{Store: st, Wake: disp.Wake, Reload: a.co.Reload,
		Gatherer: a.reg, Registerer: a.reg, Logger: a.logger}
	if a.images != nil {
		srvOpts.Images = a.images
	}
	var tgBot *bot.Bot
	if botRuns(cfg) {
		srvOpts.Telegram = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tgBot.ServeHTTP(w, r) })
	}
	srv := server.New(cfg, srvOpts)
	if subs := a.subs.Load(); subs != nil {
		srv.Subscribe(subs.routes)
	}
	a.runner = collect.New(cfg, collect.Options{History: st, State: st, Alerts: srv.Accept,
		Leader: ls.leader(leaseCollect), Logger: a.logger})
	a.reg.MustRegister(collect.NewMetrics(a.runner))
	if botRuns(cfg) {
		tgBot, err = a.newBot(cfg, st, srv, func() { a.subscribed(ctx, st, srv, disp) })
		if err != nil {
			return err
		}
		tgnotify.UseKeyboards(a.shared, tgBot)
		if err := tgBot.Start(ctx); err != nil {
			return err
		}
	}
	a.co.Subscribe(func(c *config.Config) error {
		s, err := a.Setup(c)
		if err != nil {
			return err
		}
		if tgBot != nil {
			d, err := a.botDeps(c)
			if err != nil {
				return err
			}
			tgBot.Update(c, d)
		}
		disp.Update(s)
		srv.Update(c)
		a.runner.Update(c)
		if c.DatabasePath() != cfg.DatabasePath() || c.ListenAddress != cfg.ListenAddress {
			a.logger.Warn("storage and listen_address changes take effect after a restart")
		}
		return nil
	})

	addr := cfg.ListenAddress
	if a.opts.ListenAddress != "" {
		addr = a.opts.ListenAddress
	}
	ln, err := a.listen(addr)
	if err != nil {
		return err
	}
	hs := a.newHTTPServer(srv.Handler())
	dctx, stopDispatch := context.WithCancel(context.Background())
	dispDone := make(chan struct{})
	go func() {
		ls.run(dctx, leaseDispatch, func(ctx context.Context) { disp.Run(ctx) })
		close(dispDone)
	}()
	// Deliveries ingested by other replicas wake this one's workers when
	// it dispatches (PostgreSQL; nothing to do on SQLite).
	go st.Listen(dctx, func(channels []string) {
		if len(channels) == 0 {
			disp.WakeAll()
			return
		}
		disp.Wake(channels...)
	})
	if a.images != nil {
		go a.images.Run(dctx)
	}
	go ls.run(dctx, leasePrune, func(ctx context.Context) { a.prune(ctx, st) })
	if tgBot != nil && st.Shared() {
		go a.followSubscriptions(dctx, st, srv, disp)
	}
	collectDone := make(chan struct{})
	go func() {
		// Each takeover starts from the store's rule state.
		ls.run(dctx, leaseCollect, a.runner.Run)
		close(collectDone)
	}()
	botDone := make(chan struct{})
	switch {
	case tgBot == nil:
		close(botDone)
	case cfg.Telegram.Mode == config.BotPolling:
		// Two getUpdates pollers conflict: one replica polls.
		go func() { ls.run(dctx, leasePoller, tgBot.Run); close(botDone) }()
	default:
		// Webhook mode: every replica takes updates, each recorded once.
		go func() { tgBot.Run(dctx); close(botDone) }()
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- a.serveHTTP(hs, ln) }()
	a.logger.Info("Herald started", "listen_address", ln.Addr().String(), "channels", len(cfg.Channels),
		"routes", len(cfg.Routes), "default_channel", cfg.DefaultChannel, "storage", st.Engine(), "database", cfg.DatabaseForLog(),
		"replica", ls.holder)
	if a.opts.Ready != nil {
		a.opts.Ready(ln.Addr().String())
	}
	select {
	case <-ctx.Done():
	case err = <-serveErr:
	}
	a.logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if serr := hs.Shutdown(sctx); serr != nil {
		a.logger.Warn("HTTP shutdown", "err", serr)
	}
	stopDispatch()
	<-dispDone
	<-botDone
	<-collectDone
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// subscribed takes up a change of the bot's subscriptions: the router
// routes by them and the dispatcher has a channel for every subscribed
// chat.
func (a *App) subscribed(ctx context.Context, st *store.Store, srv *server.Server, disp *dispatch.Dispatcher) {
	a.resubscribe.Lock()
	defer a.resubscribe.Unlock()
	subs, err := a.loadSubscriptions(ctx, st)
	if err != nil {
		a.logger.Error("cannot read the subscriptions; routing keeps the previous ones", "err", err)
		return
	}
	a.subs.Store(subs)
	s, err := a.Setup(a.co.Current())
	if err != nil {
		a.logger.Error("cannot set up the subscribed chats' channels", "err", err)
		return
	}
	// The channels first, so that no alert is routed to a chat the
	// dispatcher has no channel for.
	disp.Update(s)
	srv.Subscribe(subs.routes)
}

// registerReloadMetrics exports the outcome and time of the last reload
// under the names Prometheus and Alertmanager use for theirs.
func (a *App) registerReloadMetrics() {
	a.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "herald_config_last_reload_successful",
			Help: "Whether the last configuration reload attempt was successful.",
		}, func() float64 {
			if ok, _ := a.co.LastReloadSuccess(); ok {
				return 1
			}
			return 0
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "herald_config_last_reload_success_timestamp_seconds",
			Help: "Timestamp of the last successful configuration reload.",
		}, func() float64 {
			_, at := a.co.LastReloadSuccess()
			return float64(at.UnixNano()) / 1e9
		}),
	)
}

// prune removes old finished deliveries every hour, with the retention of
// the configuration in force at the time, and the bot's expired state.
func (a *App) prune(ctx context.Context, st *store.Store) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		keep := a.co.Current().Storage.Retention.D()
		// Retention 0 keeps every delivery, but the bot's short-lived
		// state (button states past their expiry, update ids) still goes.
		before := time.Unix(0, 0)
		if keep > 0 {
			before = time.Now().Add(-keep)
		}
		a.pruneHistory(ctx, st)
		n, err := st.Prune(ctx, before)
		switch {
		case err != nil && ctx.Err() == nil:
			a.logger.Warn("cannot prune old deliveries", "err", err)
		case n != (store.Pruned{}):
			a.logger.Info("pruned old deliveries", "deliveries", n.Deliveries, "events", n.Events,
				"notifications", n.Notifications, "acks", n.Acks, "actions", n.Actions, "buttons", n.Buttons,
				"updates", n.Updates, "retention", keep)
		}
	}
}
