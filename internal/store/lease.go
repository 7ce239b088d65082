package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// LeaseToken names one holding of a lease: the lease, its holder (one
// process) and the epoch, which grows with every new holder and fences off
// a holder that lost the lease without noticing.
type LeaseToken struct {
	Name   string
	Holder string
	Epoch  int64
}

func (t LeaseToken) String() string { return t.Holder + "/" + strconv.FormatInt(t.Epoch, 10) }

// LeaseInfo is a lease as the store records it.
type LeaseInfo struct {
	LeaseToken
	Expires  time.Time
	Acquired time.Time
}

// AcquireLease takes the lease name for holder until ttl from now (the
// database's clock), when it is free, its holder let it expire, or holder
// has it already (an earlier attempt committed after its caller gave up
// waiting); ok is false while another holder has it. Taking it starts a
// new epoch, which fences off any earlier holding.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (tok LeaseToken, ok bool, err error) {
	err = s.directTx(ctx, func(w *txWriter) error {
		now, err := w.eng.now(w.ctx, w.tx)
		if err != nil {
			return err
		}
		var epoch int64
		err = w.tx.QueryRowContext(w.ctx, `INSERT INTO leases (name, holder, epoch, expires_at, acquired_at)
			VALUES ($1, $2, 1, $3, $4)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, epoch = leases.epoch + 1,
				expires_at = excluded.expires_at, acquired_at = excluded.acquired_at
			WHERE leases.expires_at <= excluded.acquired_at OR leases.holder = excluded.holder
			RETURNING epoch`, name, holder, now+int64(ttl), now).Scan(&epoch)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil
		case err != nil:
			return fmt.Errorf("acquire lease %s: %w", name, err)
		}
		tok, ok = LeaseToken{Name: name, Holder: holder, Epoch: epoch}, true
		return nil
	})
	return tok, ok, err
}

// RenewLease extends a lease its holder still has to ttl from now; false
// when it expired or another holder took it meanwhile (then it is lost:
// the holder must stop and acquire it anew).
func (s *Store) RenewLease(ctx context.Context, tok LeaseToken, ttl time.Duration) (bool, error) {
	var n int64
	err := s.directTx(ctx, func(w *txWriter) error {
		now, err := w.eng.now(w.ctx, w.tx)
		if err != nil {
			return err
		}
		n, err = w.exec(`UPDATE leases SET expires_at = $1 WHERE name = $2 AND holder = $3 AND epoch = $4 AND expires_at > $5`,
			now+int64(ttl), tok.Name, tok.Holder, tok.Epoch, now)
		return err
	})
	return n == 1, err
}

// ReleaseLease ends a holding at once, so that another process need not
// wait for it to expire; a lost holding is left alone.
func (s *Store) ReleaseLease(ctx context.Context, tok LeaseToken) error {
	return s.directTx(ctx, func(w *txWriter) error {
		_, err := w.exec(`UPDATE leases SET expires_at = 0 WHERE name = $1 AND holder = $2 AND epoch = $3`,
			tok.Name, tok.Holder, tok.Epoch)
		return err
	})
}

// Leases lists the leases, for status and tests.
func (s *Store) Leases(ctx context.Context) ([]LeaseInfo, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT name, holder, epoch, expires_at, acquired_at FROM leases ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LeaseInfo
	for rows.Next() {
		var l LeaseInfo
		var exp, acq int64
		if err := rows.Scan(&l.Name, &l.Holder, &l.Epoch, &exp, &acq); err != nil {
			return nil, err
		}
		l.Expires, l.Acquired = fromNanos(exp), fromNanos(acq)
		out = append(out, l)
	}
	return out, rows.Err()
}

// Claim marks deliveries as being sent under tok, provided tok still holds
// its lease for at least margin more (by the database's clock) and the
// deliveries are still pending. It reports whether all of them were
// claimed; when not, nothing is: the caller reads the outbox again. This is
// the fence of sending: a holder paused past its lease (another took over,
// or will within margin) claims nothing, and what another holder already
// sent is pending no more.
func (s *Store) Claim(ctx context.Context, tok LeaseToken, margin time.Duration, ids []int64) (bool, error) {
	ok := false
	err := s.directTx(ctx, func(w *txWriter) error {
		now, err := w.eng.now(w.ctx, w.tx)
		if err != nil {
			return err
		}
		var held int
		if err := w.tx.QueryRowContext(w.ctx, `SELECT COUNT(*) FROM leases
			WHERE name = $1 AND holder = $2 AND epoch = $3 AND expires_at > $4`,
			tok.Name, tok.Holder, tok.Epoch, now+int64(margin)).Scan(&held); err != nil {
			return fmt.Errorf("check lease: %w", err)
		}
		if held == 0 || len(ids) == 0 {
			ok = held > 0
			return nil
		}
		args := []any{tok.String()}
		for _, id := range ids {
			args = append(args, id)
		}
		n, err := w.exec(`UPDATE deliveries SET claimed_by = ? WHERE state = 'pending' AND id IN `+tuple(len(ids)), args...)
		if err != nil {
			return fmt.Errorf("claim deliveries: %w", err)
		}
		if int(n) != len(ids) {
			return errUnclaimed
		}
		ok = true
		return nil
	})
	if errors.Is(err, errUnclaimed) {
		return false, nil
	}
	return ok, err
}

// errUnclaimed rolls back a claim that did not get every delivery.
var errUnclaimed = errors.New("some deliveries are no longer pending")

// RecentSends returns when the requests of channel's sends since since
// were answered at the latest: one per message part sent, one per failed
// attempt (a folded message is one request, though each of its deliveries
// records it), each at the end of its attempt. A process that takes over a
// channel counts them in its rate limits, and a window counts a request
// until a period after its answer: the attempt's start would be too early,
// since an attempt waits for the rate limit before its first request and
// between its parts (about a second each to one Telegram chat).
func (s *Store) RecentSends(ctx context.Context, channel string, since time.Time) ([]time.Time, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT m.answered FROM (SELECT DISTINCT m.sent_at + a.duration_ns AS answered, m.part
			FROM sent_messages m JOIN delivery_attempts a ON a.delivery_id = m.delivery_id AND a.attempted_at = m.sent_at
			WHERE m.channel = $1 AND m.sent_at >= $2) AS m
		UNION ALL
		SELECT f.answered FROM (SELECT DISTINCT a.attempted_at + a.duration_ns AS answered FROM delivery_attempts a
			JOIN deliveries d ON d.id = a.delivery_id
			WHERE d.channel = $1 AND a.attempted_at >= $2 AND a.outcome <> 'sent') AS f`, channel, nanos(since))
	if err != nil {
		return nil, fmt.Errorf("read recent sends: %w", err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			return nil, err
		}
		out = append(out, fromNanos(at))
	}
	return out, rows.Err()
}

// directTx runs fn in a transaction of its own on PostgreSQL, beside the
// writer's group commit: lease renewals, claims and delivery outcomes must
// not wait behind a batch of ingests, which may itself wait for another
// replica's batch. A renewal that waits longer than a quarter of a lease
// loses the lease under load; an outcome that waits is an outcome a crash
// loses, and the next holder sends the message again. On SQLite the one
// writer connection is the writer's: fn goes through it.
func (s *Store) directTx(ctx context.Context, fn func(w *txWriter) error) error {
	if !s.eng.shared() {
		return s.submit(ctx, fn)
	}
	err := s.runDirect(ctx, fn)
	if err == nil || s.eng.fault(err) {
		s.noteWrite(err)
	}
	return err
}

func (s *Store) runDirect(ctx context.Context, fn func(w *txWriter) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(&txWriter{ctx: ctx, tx: tx, eng: s.eng}); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
