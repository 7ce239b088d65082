// Package store keeps everything Herald must not lose: received
// notifications, alert events, the delivery outbox with its attempts, and
// references to the messages sent. It uses database/sql with portable SQL
// (Unix-nanosecond BIGINT times, $N placeholders, ON CONFLICT, RETURNING)
// on SQLite (the default, one process) or PostgreSQL (several replicas);
// what differs between them is behind the engine interface.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/pressly/goose/v3"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// ErrClosed is returned by writes after Close.
var ErrClosed = errors.New("store is closed")

// Options tune the store.
type Options struct {
	// Synchronous is SQLite's synchronous pragma (FULL by default: a commit
	// is on disk before Herald answers Alertmanager).
	Synchronous string
	// BusyTimeout is how long a connection waits for a lock.
	BusyTimeout time.Duration
	// MaxBatch bounds how many ingests share one group commit (default 256).
	MaxBatch int
	// CheckTimeout bounds the integrity check at open (default 30s); a
	// check that runs out of time is logged and the store opens anyway.
	CheckTimeout time.Duration
	// ProbeEvery bounds how often readiness probes a store whose reads or
	// writes failed (default 2s).
	ProbeEvery time.Duration
}

// Store is the store on SQLite or PostgreSQL. All of a process's writes go
// through one writer goroutine, which group-commits them: SQLite has one
// writer, and on PostgreSQL one commit then serves many webhooks too.
type Store struct {
	eng    engine
	write  *sql.DB
	read   *sql.DB
	logger *slog.Logger
	opts   Options
	// path names the database in logs and errors: the SQLite file, or the
	// PostgreSQL DSN without its password.
	path   string
	health health
	// listen is the PostgreSQL DSN the wake-up listener connects with.
	listen string

	ingests chan *writeReq
	done    chan struct{}
	stopped chan struct{}
}

// engine is what differs between the databases.
type engine interface {
	name() string
	// shared says the database is a server that several Herald processes
	// use: other writers exist beside this process's writer goroutine,
	// and each statement is a round trip.
	shared() bool
	goose() goose.Dialect
	// rebind turns the ? parameters of a statement into the engine's.
	rebind(q string) string
	// fault reports whether err says something about the database or
	// the disk under it, as opposed to a bad statement or a cancelled
	// request; damaged whether the database itself is damaged.
	fault(err error) bool
	damaged(err error) bool
	// retryable reports whether a batch that met err is worth running
	// again in a new transaction: a deadlock with another replica's batch,
	// or a connection that broke (a stale pooled one, a restart).
	retryable(err error) bool
	// now is the time leases are measured in: the database's clock when
	// several processes share it.
	now(ctx context.Context, tx *sql.Tx) (int64, error)
	// lock takes, in one order, what the batch's ingests plan deliveries
	// for (alert episodes, by fingerprint), so that two processes'
	// batches do not deadlock.
	lock(ctx context.Context, tx *sql.Tx, keys []int64) error
	// notify wakes the other processes' dispatchers for channels when tx
	// commits.
	notify(ctx context.Context, tx *sql.Tx, channels []string) error
}

func (o *Options) defaults() {
	if o.MaxBatch <= 0 {
		o.MaxBatch = 256
	}
	if o.ProbeEvery <= 0 {
		o.ProbeEvery = 2 * time.Second
	}
	if o.CheckTimeout <= 0 {
		o.CheckTimeout = 30 * time.Second
	}
}

func newStore(eng engine, w, r *sql.DB, path string, opts Options, logger *slog.Logger) *Store {
	return &Store{eng: eng, write: w, read: r, logger: logger, opts: opts, path: path,
		ingests: make(chan *writeReq, 4*opts.MaxBatch),
		done:    make(chan struct{}), stopped: make(chan struct{})}
}

// Engine is "sqlite" or "postgres".
func (s *Store) Engine() string { return s.eng.name() }

// Shared says that several Herald processes (replicas) may use this
// database at once, so that what one process does alone on SQLite (send,
// poll Telegram, collect, prune, host charts) needs a lease or a shared
// place.
func (s *Store) Shared() bool { return s.eng.shared() }

func (s *Store) migrate(ctx context.Context, dir string, opts ...goose.ProviderOption) error {
	fsys, err := fs.Sub(migrations, dir)
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(s.eng.goose(), s.write, fsys, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	for _, r := range res {
		s.logger.Info("applied database migration", "version", r.Source.Version, "duration", r.Duration)
	}
	return nil
}

// Close stops the writer after the queued ingests and closes the database.
func (s *Store) Close() error {
	select {
	case <-s.done:
		return nil
	default:
	}
	close(s.done)
	<-s.stopped
	return s.closeDBs()
}

func (s *Store) closeDBs() error {
	return errors.Join(s.read.Close(), s.write.Close())
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
