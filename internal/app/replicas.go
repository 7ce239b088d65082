package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/heraldhq/herald/internal/collect"
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

// leases are this process's leases on a PostgreSQL store. On SQLite there
// is one process and no leases: it runs every singleton at once, as
// before replicas existed, so that a restart after a crash does not wait
// for the crashed process's leases to end.
type leases struct {
	holder string
	// byName is nil on SQLite.
	byName map[string]*lease.Lease
	held   *lease.Metrics
}

func (a *App) newLeases(cfg *config.Config, st *store.Store) *leases {
	ls := &leases{holder: lease.Holder(), held: lease.NewMetrics(a.reg)}
	if !st.Shared() {
		for _, name := range []string{leaseDispatch, leasePoller, leaseCollect, leasePrune} {
			ls.held.Always(name)
		}
		return ls
	}
	ls.byName = map[string]*lease.Lease{}
	for _, name := range []string{leaseDispatch, leasePoller, leaseCollect, leasePrune} {
		ls.held.Precreate(name)
		ls.byName[name] = lease.New(st, name, ls.holder, cfg.Storage.LeaseDuration.D(), ls.held, a.logger)
	}
	return ls
}

// leader is the collectors' Leader: nil (always) on SQLite.
func (ls *leases) leader(name string) collect.Leader {
	if l, ok := ls.byName[name]; ok {
		return l
	}
	return nil
}

// dispatchFence claims each message's deliveries under the dispatch lease;
// on SQLite it fences nothing.
func (ls *leases) dispatchFence(st *store.Store) dispatch.Option {
	l, ok := ls.byName[leaseDispatch]
	if !ok {
		return func(*dispatch.Dispatcher) {}
	}
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

// run runs fn under the lease name until ctx is done; on SQLite it just
// runs fn.
func (ls *leases) run(ctx context.Context, name string, fn func(ctx context.Context)) {
	l, ok := ls.byName[name]
	if !ok {
		fn(ctx)
		return
	}
	l.Run(ctx, func(ctx context.Context, _ store.LeaseToken) { fn(ctx) })
}
