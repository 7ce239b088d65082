package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AckRequest acknowledges an alert episode: no more reminders are made for
// it, on any channel. The episode is the alert's fingerprint and start, the
// key ingest deduplicates deliveries by: every message Herald sends
// (Delivery.Fingerprint and Delivery.StartsAt, the alert of a keyboard)
// carries it, it does not depend on a delivery row that pruning may have
// removed, and a new episode of the same alert (a new start) is not
// acknowledged by an old ack.
type AckRequest struct {
	Fingerprint string
	StartsAt    time.Time
	// By names who acknowledged (the bot's @name).
	By string
	// At is when; zero is now.
	At time.Time
}

// Ack acknowledges an episode. The first acknowledgement stands: when the
// episode was already acknowledged, nothing changes and Ack returns who did
// it first; it returns "" when this request acknowledged it. An episode
// Herald has not heard of can be acknowledged too (it then gets no
// reminders if it comes).
func (s *Store) Ack(ctx context.Context, r AckRequest) (prev string, err error) {
	switch {
	case r.Fingerprint == "":
		return "", errors.New("acknowledge: the alert fingerprint is missing")
	case r.StartsAt.IsZero():
		return "", errors.New("acknowledge: the alert start is missing")
	case r.By == "":
		return "", errors.New("acknowledge: who acknowledges is missing")
	}
	r.At = orNow(r.At)
	err = s.change(ctx, func(w *txWriter) error {
		n, err := w.exec(`INSERT INTO bot_acks (fingerprint, starts_at, acked_by, acked_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (fingerprint, starts_at) DO NOTHING`, r.Fingerprint, nanos(r.StartsAt), r.By, nanos(r.At))
		if err != nil || n == 1 {
			return err
		}
		return w.tx.QueryRowContext(w.ctx, `SELECT acked_by FROM bot_acks WHERE fingerprint = $1 AND starts_at = $2`,
			r.Fingerprint, nanos(r.StartsAt)).Scan(&prev)
	})
	if err != nil {
		return "", fmt.Errorf("acknowledge %s: %w", r.Fingerprint, err)
	}
	return prev, nil
}

// Acked reports whether the episode (fingerprint and start) is
// acknowledged, by whom and when.
func (s *Store) Acked(ctx context.Context, fingerprint string, startsAt time.Time) (by string, at time.Time, ok bool, err error) {
	var n int64
	err = s.read.QueryRowContext(ctx, `SELECT acked_by, acked_at FROM bot_acks WHERE fingerprint = $1 AND starts_at = $2`,
		fingerprint, nanos(startsAt)).Scan(&by, &n)
	s.noteRead(err)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", time.Time{}, false, nil
	case err != nil:
		return "", time.Time{}, false, fmt.Errorf("read acknowledgement of %s: %w", fingerprint, err)
	}
	return by, fromNanos(n), true, nil
}

// acked reports, inside the writer, whether an episode is acknowledged.
func (w *txWriter) acked(fingerprint string, startsAt int64) (bool, error) {
	var n int
	if err := w.isAcked.QueryRowContext(w.ctx, fingerprint, startsAt).Scan(&n); err != nil {
		return false, fmt.Errorf("check acknowledgement: %w", err)
	}
	return n > 0, nil
}
