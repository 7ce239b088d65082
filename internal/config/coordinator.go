package config

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Coordinator owns the running configuration and replaces it on reload
// (SIGHUP, POST /-/reload). A new configuration is swapped in only when it
// is valid and every subscriber accepts it; otherwise the running one stays,
// because a typo in a reload must never take delivery down.
type Coordinator struct {
	path      string
	explicit  bool
	getenv    func(string) string
	logger    *slog.Logger
	platforms []Platform

	current atomic.Pointer[Config]

	mu          sync.Mutex // serialises reloads and guards subscribers
	subscribers []func(*Config) error

	// The reload status has its own lock so that a metrics scrape does not
	// wait for a slow reload.
	statusMu sync.Mutex
	lastOK   bool
	lastAt   time.Time
}

// NewCoordinator loads the configuration once with Resolve(path, explicit,
// getenv, ps) and fails if it is not valid, since Herald must refuse to
// start on a bad config; reloads use the same platforms. A nil logger
// discards logs.
func NewCoordinator(path string, explicit bool, getenv func(string) string, logger *slog.Logger, ps []Platform) (*Coordinator, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c, err := Resolve(path, explicit, getenv, ps)
	if err != nil {
		return nil, err
	}
	co := &Coordinator{
		// Once Herald runs from a file, a reload that finds the file gone
		// is an error, not a silent switch to the no-file defaults.
		path: path, explicit: explicit || c.File != "", getenv: getenv, logger: logger, platforms: ps,
		lastOK: true, lastAt: time.Now(),
	}
	co.current.Store(c)
	return co, nil
}

// Current returns the running configuration. It never blocks, so hot paths
// may call it per request; callers must treat the result as read-only.
func (co *Coordinator) Current() *Config {
	return co.current.Load()
}

// Subscribe registers fn to be called with every new configuration before
// it is swapped in. fn returns an error to refuse it (for example when a
// template does not parse); it must not call Reload. Subscribers are called
// in the order they subscribed, and fn is not called with the current
// configuration: read Current() for that.
func (co *Coordinator) Subscribe(fn func(*Config) error) {
	co.mu.Lock()
	defer co.mu.Unlock()
	co.subscribers = append(co.subscribers, fn)
}

// Reload loads the configuration again. On success the new configuration is
// swapped in; on failure the running one is kept and the error says why
// (an *Errors for problems in the file).
//
// When a subscriber refuses, the subscribers that had already accepted are
// called again with the running configuration, so that no component is
// left on a configuration the others never saw.
func (co *Coordinator) Reload() error {
	co.mu.Lock()
	defer co.mu.Unlock()
	err := co.reload()
	co.statusMu.Lock()
	co.lastOK = err == nil
	if err == nil {
		co.lastAt = time.Now()
	}
	co.statusMu.Unlock()
	if err != nil {
		co.logger.Error("configuration reload failed; keeping the running configuration", "file", co.path, "err", err)
		return err
	}
	co.logger.Info("configuration reloaded", "file", co.path)
	return nil
}

func (co *Coordinator) reload() error {
	next, err := Resolve(co.path, co.explicit, co.getenv, co.platforms)
	if err != nil {
		return err
	}
	old := co.current.Load()
	for i, fn := range co.subscribers {
		if err := fn(next); err != nil {
			co.rollback(old, i)
			return fmt.Errorf("configuration refused: %w", err)
		}
	}
	co.current.Store(next)
	return nil
}

// rollback gives the first n subscribers the running configuration again.
func (co *Coordinator) rollback(old *Config, n int) {
	var errs []error
	for _, fn := range co.subscribers[:n] {
		if err := fn(old); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		co.logger.Error("restoring the running configuration after a refused reload failed", "err", err)
	}
}

// LastReloadSuccess reports whether the last load (the first one counts)
// succeeded, and when the last successful one happened, for the
// herald_config_last_reload_successful and
// herald_config_last_reload_success_timestamp_seconds metrics, which mean
// the same as Prometheus's own.
func (co *Coordinator) LastReloadSuccess() (ok bool, at time.Time) {
	co.statusMu.Lock()
	defer co.statusMu.Unlock()
	return co.lastOK, co.lastAt
}
