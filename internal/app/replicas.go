package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/dispatch"
	"github.com/heraldhq/herald/internal/lease"
	"github.com/heraldhq/herald/internal/server"
	"github.com/heraldhq/herald/internal/store"
)

// OpenStore opens the store of cfg: SQLite in the data directory by
// default, or PostgreSQL with storage.driver postgres.
func OpenStore(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*store.Store, error) {
	if cfg.Storage.Driver == "postgres" {
		return store.OpenPostgres(ctx, string(cfg.Storage.DSN), store.Options{}, logger)
	}
	return store.Open(ctx, cfg.DatabasePath(), store.Options{Synchronous: cfg.Storage.Synchronous,
		BusyTimeout: cfg.Storage.BusyTimeout.D()}, logger)
}

// The singletons: each runs on one replica at a time, under its lease.
const (
	leaseDispatch = "dispatch"
	leasePoller   = "telegram_poller"
	leaseCollect  = "collect"
	leasePrune    = "prune"
)

// leases are this process's leases on the store; with SQLite the one
// process holds them all, and a second Herald opened on the same file by
// mistake waits instead of sending everything twice.
type leases struct {
	holder string
	byName map[string]*lease.Lease
}

func (a *App) newLeases(cfg *config.Config, st *store.Store) *leases {
	m := lease.NewMetrics(a.reg)
	ls := &leases{holder: lease.Holder(), byName: map[string]*lease.Lease{}}
	for _, name := range []string{leaseDispatch, leasePoller, leaseCollect, leasePrune} {
		m.Precreate(name)
		ls.byName[name] = lease.New(st, name, ls.holder, cfg.Storage.LeaseDuration.D(), m, a.logger)
	}
	return ls
}

// dispatchFence claims each message's deliveries under the dispatch lease.
func (ls *leases) dispatchFence(st *store.Store) dispatch.Option {
	l := ls.byName[leaseDispatch]
	return dispatch.WithFence(func(ctx context.Context, ids []int64) (bool, error) {
		tok, ok := l.Token()
		if !ok {
			return false, nil
		}
		return st.Claim(ctx, tok, l.Margin(), ids)
	})
}

// subscriptionsEvery is how often a replica looks for subscriptions another
// replica's bot changed.
const subscriptionsEvery = 5 * time.Second

// followSubscriptions takes up the subscriptions other replicas' bots
// change (a chat's /subscribe reaches one replica): routing by them and a
// channel for each chat are needed on every replica, since any may ingest
// and any may dispatch.
func (a *App) followSubscriptions(ctx context.Context, st *store.Store, srv *server.Server, disp *dispatch.Dispatcher) {
	last, _ := st.SubscriptionsVersion(ctx)
	t := time.NewTicker(subscriptionsEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v, err := st.SubscriptionsVersion(ctx)
		if err != nil || v == last {
			continue
		}
		last = v
		a.subscribed(ctx, st, srv, disp)
	}
}

// run runs fn under the lease name until ctx is done.
func (ls *leases) run(ctx context.Context, name string, fn func(ctx context.Context)) {
	ls.byName[name].Run(ctx, func(ctx context.Context, _ store.LeaseToken) { fn(ctx) })
}
