package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/wait"
)

// pgEngine is PostgreSQL, shared by every replica.
type pgEngine struct{}

func (pgEngine) name() string         { return "postgres" }
func (pgEngine) shared() bool         { return true }
func (pgEngine) goose() goose.Dialect { return goose.DialectPostgres }

// rebind numbers the ? parameters: $1, $2, … in order. The statements
// written with ? hold no ? of their own (no strings, no JSON operators).
func (pgEngine) rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + len(q)/2)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] != '?' {
			b.WriteByte(q[i])
			continue
		}
		n++
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}

// fault reports errors that say the database cannot be reached or cannot
// take writes: a lost or refused connection, the server shutting down, out
// of disk or memory, an internal error.
func (pgEngine) fault(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code[:2] {
		case "08", "53", "57", "58", "XX":
			return true
		}
		return false
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	return errors.As(err, &ne) || errors.As(err, &ce) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded) ||
		strings.Contains(err.Error(), "conn closed")
}

// damaged is always false: PostgreSQL repairs itself by WAL replay, and
// what it cannot read it reports as a fault (class XX) that may pass.
func (pgEngine) damaged(error) bool { return false }

// retryable: a deadlock between two replicas' batches or a serialization
// failure (PostgreSQL cancelled one statement and the other went on), or a
// connection that broke before the commit (the server restarted or cut
// it; the pool hands out another).
func (pgEngine) retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40P01" || pe.Code == "40001" || strings.HasPrefix(pe.Code, "08") ||
			pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	var ne net.Error
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.As(err, &ne) || strings.Contains(err.Error(), "conn closed")
}

// lock takes a transaction-level advisory lock per alert fingerprint of
// the batch, in ascending order. An Alertmanager HA pair posts the same
// notifications to two replicas, whose batches would otherwise insert the
// same outbox keys in different orders and deadlock (found by PostgreSQL
// only after deadlock_timeout, a second by default); in one order, the
// second batch waits for the first's commit and then finds its rows.
// Transaction-level locks end with the transaction, so a pooler in
// transaction mode keeps them, unlike session locks.
func (pgEngine) lock(ctx context.Context, tx *sql.Tx, keys []int64) error {
	if len(keys) == 0 {
		return nil
	}
	keys = slices.Clone(keys)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	_, err := tx.ExecContext(ctx, `SELECT COUNT(pg_advisory_xact_lock(k)) FROM
		(SELECT k FROM unnest($1::BIGINT[]) AS k ORDER BY k) AS ordered`, keys)
	return err
}

// now is the database server's clock, so that replicas agree on when a
// lease ends whatever their own clocks say.
func (pgEngine) now(ctx context.Context, tx *sql.Tx) (int64, error) {
	var us int64
	err := tx.QueryRowContext(ctx, `SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT`).Scan(&us)
	return us * 1000, err
}

// notify tells the other replicas, on commit, which channels got new
// deliveries (see Store.Listen). A payload is at most 8000 bytes: channels
// past that are found by the dispatcher's poll.
func (pgEngine) notify(ctx context.Context, tx *sql.Tx, channels []string) error {
	payload := ""
	for _, ch := range channels {
		if len(payload)+len(ch)+1 > 7900 {
			break
		}
		if payload != "" {
			payload += "\n"
		}
		payload += ch
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_notify('herald_outbox', $1)`, payload)
	return err
}

// OpenPostgres connects to the PostgreSQL database of dsn (a URL or
// key=value string, as libpq takes) and applies the embedded migrations,
// one replica at a time.
func OpenPostgres(ctx context.Context, dsn string, opts Options, logger *slog.Logger) (*Store, error) {
	opts.defaults()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message quotes the DSN with its password removed as best
		// it can; say only what is wrong.
		var pe *pgconn.ParseConfigError
		if errors.As(err, &pe) && pe.Unwrap() != nil {
			return nil, fmt.Errorf("storage.dsn: cannot parse the PostgreSQL DSN: %v", pe.Unwrap())
		}
		return nil, errors.New("storage.dsn: cannot parse the PostgreSQL DSN")
	}
	name := config.DSNForLog(dsn)
	w := stdlib.OpenDB(*cfg)
	// The writer, leases, claims and outcomes (see directTx).
	w.SetMaxOpenConns(8)
	w.SetConnMaxIdleTime(5 * time.Minute)
	r := stdlib.OpenDB(*cfg)
	r.SetMaxOpenConns(8)
	r.SetConnMaxIdleTime(5 * time.Minute)
	s := newStore(pgEngine{}, w, r, name, opts, logger)
	s.listen = dsn
	pctx, cancel := context.WithTimeout(ctx, opts.CheckTimeout)
	defer cancel()
	if err := w.PingContext(pctx); err != nil {
		s.closeDBs()
		return nil, fmt.Errorf("connect to PostgreSQL %s: %w", name, err)
	}
	locker, err := migrationLocker()
	if err != nil {
		s.closeDBs()
		return nil, err
	}
	if err := s.migrate(pctx, "migrations/postgres", locker); err != nil {
		s.closeDBs()
		return nil, fmt.Errorf("PostgreSQL %s: %w", name, err)
	}
	go s.writer()
	return s, nil
}

// migrationLocker keeps two replicas starting at once from migrating
// together: a lock row in a table of its own rather than an advisory lock,
// which a connection pooler in transaction mode would not hold.
func migrationLocker() (goose.ProviderOption, error) {
	l, err := lock.NewPostgresTableLocker(lock.WithTableName("herald_migration_lock"))
	if err != nil {
		return nil, err
	}
	return goose.WithLocker(l), nil
}

// Listen calls wake with the channels other replicas ingested deliveries
// for, as their transactions commit, until ctx is done; on SQLite, where
// one process does everything, it returns at once. A lost connection is
// reconnected with backoff; meanwhile the dispatcher's poll finds the work.
func (s *Store) Listen(ctx context.Context, wake func(channels []string)) {
	if s.listen == "" {
		return
	}
	delay := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := s.listenOnce(ctx, wake)
		if ctx.Err() != nil {
			return
		}
		s.logger.Warn("lost the wake-up connection to PostgreSQL; reconnecting (new deliveries are found by polling meanwhile)",
			"err", err, "in", delay)
		if !wait.Sleep(ctx, delay) {
			return
		}
		delay = min(2*delay, 5*time.Second)
	}
}

func (s *Store) listenOnce(ctx context.Context, wake func(channels []string)) error {
	conn, err := pgx.Connect(ctx, s.listen)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN herald_outbox"); err != nil {
		return err
	}
	// What committed while no one listened is found at once.
	wake(nil)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var chs []string
		if n.Payload != "" {
			chs = strings.Split(n.Payload, "\n")
		}
		wake(chs)
	}
}
