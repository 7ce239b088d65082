package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite" // pure-Go SQLite driver, no cgo
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteEngine is SQLite: one file, one writer.
type sqliteEngine struct{}

func (sqliteEngine) shared() bool                                { return false }
func (sqliteEngine) name() string                                { return "sqlite" }
func (sqliteEngine) goose() goose.Dialect                        { return goose.DialectSQLite3 }
func (sqliteEngine) rebind(q string) string                      { return q }
func (sqliteEngine) retryable(error) bool                        { return false }
func (sqliteEngine) now(context.Context, *sql.Tx) (int64, error) { return time.Now().UnixNano(), nil }

// lock has nothing to take: SQLite has one writer.
func (sqliteEngine) lock(context.Context, *sql.Tx, []int64) error { return nil }

// notify does nothing: one process ingests and sends.
func (sqliteEngine) notify(context.Context, *sql.Tx, []string) error { return nil }

// fault reports whether err says something about the database or the disk
// under it (full, read-only, I/O error, damaged, cannot open), as opposed to
// a bad statement or a cancelled request.
func (sqliteEngine) fault(err error) bool {
	code, ok := sqliteCode(err)
	if !ok {
		return false
	}
	switch code {
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN,
		sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}

// damaged reports whether err says the file itself is damaged.
func (sqliteEngine) damaged(err error) bool {
	code, ok := sqliteCode(err)
	return ok && (code == sqlite3.SQLITE_CORRUPT || code == sqlite3.SQLITE_NOTADB)
}

// sqliteCode is the primary result code of a SQLite error.
func sqliteCode(err error) (int, bool) {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return 0, false
	}
	return se.Code() & 0xff, true
}

// Open opens (creating if needed) the SQLite database at path and applies
// the embedded migrations.
func Open(ctx context.Context, path string, opts Options, logger *slog.Logger) (*Store, error) {
	opts.defaults()
	if opts.Synchronous == "" {
		opts.Synchronous = "FULL"
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 5 * time.Second
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
	s := newStore(sqliteEngine{}, w, r, path, opts, logger)
	if err := s.check(ctx); err != nil {
		s.closeDBs()
		return nil, err
	}
	if err := s.migrate(ctx, "migrations/sqlite"); err != nil {
		s.closeDBs()
		if s.eng.damaged(err) {
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

// check runs SQLite's quick_check within opts.CheckTimeout, so that Herald
// refuses to start on a damaged file instead of accepting alerts into it.
// Running out of time is not damage: the check is logged as incomplete.
func (s *Store) check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.CheckTimeout)
	defer cancel()
	start := time.Now()
	rows, err := s.write.QueryContext(ctx, "PRAGMA quick_check(20)")
	if err != nil {
		return s.checkFailed(ctx, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return s.checkFailed(ctx, err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return s.checkFailed(ctx, err)
	}
	if len(problems) > 0 {
		return damagedError(s.path, strings.Join(problems, "; "))
	}
	s.logger.Debug("database integrity checked", "path", s.path, "took", time.Since(start))
	return nil
}

func (s *Store) checkFailed(ctx context.Context, err error) error {
	switch {
	case s.eng.damaged(err):
		return damagedError(s.path, err.Error())
	case ctx.Err() != nil:
		s.logger.Warn("database integrity check did not finish in time; starting anyway",
			"path", s.path, "timeout", s.opts.CheckTimeout)
		return nil
	}
	return fmt.Errorf("check database %s: %w", s.path, err)
}

// damagedError tells the operator what is wrong and what to do.
func damagedError(path, problem string) error {
	return fmt.Errorf("%w: %s (%s). Herald will not start on it, because it would accept alerts into a file "+
		"that loses them. Stop Herald and keep a copy of the file, then either recover what can be read "+
		"(sqlite3 %s '.recover' | sqlite3 %s.recovered, then move %s.recovered to %s) or move the file aside "+
		"to start with an empty database (its pending deliveries are then not sent)",
		ErrDamaged, path, problem, path, path, path, path)
}
