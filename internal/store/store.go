// Package store keeps everything Herald must not lose: received
// notifications, alert events, the delivery outbox with its attempts, and
// references to the messages sent. It uses database/sql with portable SQL
// (Unix-nanosecond BIGINT times, $N placeholders, ON CONFLICT, RETURNING) so
// that a PostgreSQL implementation can follow the SQLite one.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // pure-Go SQLite driver, no cgo
)

//go:embed migrations/sqlite/*.sql
var migrations embed.FS

// ErrClosed is returned by writes after Close.
var ErrClosed = errors.New("store is closed")

// Options tune the SQLite database.
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

// Store is the SQLite store. All writes go through one connection (SQLite has
// one writer); ingests are group-committed by a single writer goroutine.
type Store struct {
	write  *sql.DB
	read   *sql.DB
	logger *slog.Logger
	opts   Options
	path   string
	health health

	ingests chan *writeReq
	done    chan struct{}
	stopped chan struct{}
}

// Open opens (creating if needed) the database at path and applies the
// embedded migrations.
func Open(ctx context.Context, path string, opts Options, logger *slog.Logger) (*Store, error) {
	if opts.Synchronous == "" {
		opts.Synchronous = "FULL"
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 256
	}
	if opts.ProbeEvery <= 0 {
		opts.ProbeEvery = 2 * time.Second
	}
	if opts.CheckTimeout <= 0 {
		opts.CheckTimeout = 30 * time.Second
	}
	if err := writable(path); err != nil {
		return nil, err
	}
	pragmas := url.Values{}
	for _, p := range []string{
		"journal_mode(WAL)",
		fmt.Sprintf("busy_timeout(%d)", opts.BusyTimeout.Milliseconds()),
		"synchronous(" + opts.Synchronous + ")",
		"foreign_keys(1)",
	} {
		pragmas.Add("_pragma", p)
	}
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas.Encode()+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	pragmas.Add("_pragma", "query_only(1)")
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	s := &Store{write: w, read: r, logger: logger, opts: opts, path: path,
		ingests: make(chan *writeReq, 4*opts.MaxBatch),
		done:    make(chan struct{}), stopped: make(chan struct{})}
	if err := s.check(ctx); err != nil {
		s.closeDBs()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.closeDBs()
		if damage(err) {
			return nil, damagedError(path, err.Error())
		}
		return nil, err
	}
	go s.writer()
	return s, nil
}

// writable checks, before SQLite does, that the database and its directory
// can be written: SQLite's own "unable to open database file (14)" names
// neither the file nor the reason. The directory needs to be writable too,
// for the -wal and -shm files beside the database.
func writable(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("create data directory %s: %w", dir, err)
	}
	probe, err := os.CreateTemp(dir, ".herald-write-check-*")
	if err != nil {
		return fmt.Errorf("data directory %s is not writable (Herald keeps its database there; "+
			"fix its permissions or mount, or set data_dir): %w", dir, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("database %s cannot be opened for writing: %w", path, err)
	}
	return f.Close()
}

func (s *Store) migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations/sqlite")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.write, fsys)
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
