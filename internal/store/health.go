package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrDamaged is returned by every call once the database was found damaged:
// nothing more is accepted into a file that loses what it is given.
var ErrDamaged = errors.New("the database is damaged")

// health remembers whether the database could be read and written lately,
// so that readiness says "not ready" while it cannot, and not only after a
// webhook failed. A failed read or write marks the store unhealthy until a
// probe (or the next real operation of the same kind) succeeds; damage is
// final until Herald is restarted on a repaired file.
type health struct {
	mu       sync.Mutex
	readErr  error
	writeErr error
	damaged  error
	probedAt time.Time
}

// storageFault reports whether err says something about the database or the
// disk under it (full, read-only, I/O error, damaged, cannot open), as
// opposed to a bad statement or a cancelled request.
func storageFault(err error) bool {
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

// damage reports whether err says the file itself is damaged.
func damage(err error) bool {
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

// noteRead records the result of a read; only storage faults count.
func (s *Store) noteRead(err error) {
	s.note(err, &s.health.readErr)
}

// noteWrite records the result of a write; only storage faults count.
func (s *Store) noteWrite(err error) {
	s.note(err, &s.health.writeErr)
}

func (s *Store) note(err error, slot *error) {
	h := &s.health
	if err != nil && !storageFault(err) {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil && damage(err) && h.damaged == nil {
		h.damaged = err
		s.logger.Error("the database is damaged: Herald answers 503 and reports not ready until it is repaired; "+
			"restart Herald to see what to do",
			"path", s.path, "err", err)
	}
	*slot = err
}

// checkDamaged returns ErrDamaged (with the original error) once the
// database was found damaged.
func (s *Store) checkDamaged() error {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	if s.health.damaged != nil {
		return fmt.Errorf("%w: %v", ErrDamaged, s.health.damaged)
	}
	return nil
}

// Ping checks that the database can be read and written; /-/ready uses it.
// A store that failed to read or write lately is probed again (at most every
// Options.ProbeEvery, so that a polling load balancer cannot turn a full disk
// into a write storm) and stays not ready until the probe succeeds.
func (s *Store) Ping(ctx context.Context) error {
	select {
	case <-s.done:
		return ErrClosed
	default:
	}
	if err := s.checkDamaged(); err != nil {
		return err
	}
	if err := s.read.PingContext(ctx); err != nil {
		return err
	}
	h := &s.health
	h.mu.Lock()
	readErr, writeErr := h.readErr, h.writeErr
	probe := (readErr != nil || writeErr != nil) && time.Since(h.probedAt) >= s.opts.ProbeEvery
	if probe {
		h.probedAt = time.Now()
	}
	h.mu.Unlock()
	if !probe {
		if readErr != nil {
			return fmt.Errorf("cannot read the database: %w", readErr)
		}
		if writeErr != nil {
			return fmt.Errorf("cannot write the database: %w", writeErr)
		}
		return nil
	}
	if readErr != nil {
		if _, err := s.PendingChannels(ctx); err != nil {
			return fmt.Errorf("cannot read the database: %w", err)
		}
	}
	if writeErr != nil {
		if err := s.probeWrite(ctx); err != nil {
			return fmt.Errorf("cannot write the database: %w", err)
		}
	}
	return s.checkDamaged()
}

// probeWrite commits one small write through the writer, the same way an
// ingest would.
func (s *Store) probeWrite(ctx context.Context) error {
	return s.submit(ctx, func(w *txWriter) error {
		_, err := w.tx.ExecContext(w.ctx, `INSERT INTO health (id, checked_at) VALUES (1, $1)
			ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at`, time.Now().UnixNano())
		return err
	})
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
	case damage(err):
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
