package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/heraldhq/herald/internal/collect"
	"github.com/heraldhq/herald/internal/collect/docker"
	"github.com/heraldhq/herald/internal/collect/series"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/graph"
	"github.com/heraldhq/herald/internal/store"
)

// collecting reports whether cfg collects anything.
func collecting(cfg *config.Config) bool {
	return len(cfg.Collectors.Docker.Hosts) > 0 || len(cfg.Collectors.Exec) > 0
}

// containersOf is the bot's and `herald stats`' view of the Docker
// collectors.
type containersOf struct {
	runner *collect.Runner
	store  *store.Store
	charts *chartsOf
	now    func() time.Time
}

// containerFigure is the series /containers chart draws for a figure.
func containerFigure(what string) (string, bool) {
	switch what {
	case "cpu":
		return docker.MetricCPUPercent, true
	case "memory":
		return docker.MetricMemoryUsed, true
	case "traffic":
		return docker.MetricNetTxRate, true
	}
	return "", false
}

func (c containersOf) Summary(ctx context.Context, window time.Duration) (string, error) {
	return collect.Summary(ctx, c.runner.SharedSnapshot(ctx), c.store, window, c.now())
}

func (c containersOf) Chart(ctx context.Context, what, host string, rng time.Duration) ([]byte, error) {
	name, ok := containerFigure(what)
	if !ok {
		return nil, fmt.Errorf("unknown figure %q (want cpu, memory or traffic)", what)
	}
	sel := map[string]string{}
	title := what + " of the containers of every host"
	if host != "" {
		sel["host"] = host
		title = what + " of the containers of " + host
	}
	e := c.charts.e.Load()
	if e == nil {
		return nil, graph.ErrNoSource
	}
	return e.Query(ctx, graph.QueryChart{Title: title, Local: true, Query: series.Key(name, sel), Range: rng})
}

// pruneHistory removes the collected history past its retention.
func (a *App) pruneHistory(ctx context.Context, st *store.Store) {
	cfg := a.co.Current()
	n, err := st.PruneHistory(ctx, time.Now(), cfg.Collectors.Retention)
	switch {
	case err != nil && ctx.Err() == nil:
		a.logger.Warn("cannot prune the collected history", "err", err)
	case n != (store.HistoryPruned{}):
		a.logger.Info("pruned the collected history", "pruned", fmt.Sprintf("%+v", n))
	}
}

// Stats is `herald stats`: the Docker summary of /containers, printed on
// the console. It collects every host once itself (Herald need not run)
// and reads the history from the store in the data directory, which a
// running Herald shares (SQLite allows a reader beside its writer).
func Stats(ctx context.Context, cfg *config.Config, logger *slog.Logger, window time.Duration) (string, error) {
	if len(cfg.Collectors.Docker.Hosts) == 0 {
		return "", errors.New("no Docker hosts are collected: add them under collectors.docker.hosts")
	}
	st, err := OpenStore(ctx, cfg, logger)
	if err != nil {
		return "", fmt.Errorf("open store: %w", err)
	}
	defer st.Close()
	d := docker.New(cfg.Collectors.Docker, logger)
	defer d.Close()
	return collect.Summary(ctx, collect.Snapshot{Hosts: d.Collect(ctx)}, st, window, time.Now())
}
