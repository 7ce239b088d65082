package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
)

// Delivery states.
const (
	StatePending = "pending"
	StateSent    = "sent"
	StateFailed  = "failed"
)

// Delivery is one pending outbox row with the data its message needs.
type Delivery struct {
	ID          int64
	Channel     string
	Kind        alert.Kind
	Seq         int
	Fingerprint string
	StartsAt    time.Time
	Attempts    int
	SentParts   int
	CreatedAt   time.Time
	Alert       amtemplate.Alert
	Common      Common
}

// Ready returns up to limit deliveries of channel that are due at now,
// oldest first.
func (s *Store) Ready(ctx context.Context, channel string, now time.Time, limit int) ([]*Delivery, error) {
	rows, err := s.read.QueryContext(ctx, `
		SELECT d.id, d.channel, d.kind, d.seq, d.fingerprint, d.starts_at, d.attempts, d.sent_parts,
		       d.created_at, e.alert, n.common
		FROM deliveries d
		JOIN events e ON e.id = d.event_id
		JOIN notifications n ON n.id = e.notification_id
		WHERE d.state = 'pending' AND d.channel = $1 AND d.next_attempt_at <= $2
		ORDER BY d.id LIMIT $3`, channel, nanos(now), limit)
	if err != nil {
		s.noteRead(err)
		return nil, fmt.Errorf("query ready deliveries: %w", err)
	}
	defer rows.Close()
	out, err := scanDeliveries(rows)
	s.noteRead(err)
	return out, err
}

func scanDeliveries(rows *sql.Rows) ([]*Delivery, error) {
	var out []*Delivery
	for rows.Next() {
		d := &Delivery{}
		var kind, alertJSON, commonJSON string
		var starts, created int64
		if err := rows.Scan(&d.ID, &d.Channel, &kind, &d.Seq, &d.Fingerprint, &starts, &d.Attempts,
			&d.SentParts, &created, &alertJSON, &commonJSON); err != nil {
			return nil, fmt.Errorf("scan delivery: %w", err)
		}
		d.Kind, d.StartsAt, d.CreatedAt = alert.Kind(kind), fromNanos(starts), fromNanos(created)
		if err := json.Unmarshal([]byte(alertJSON), &d.Alert); err != nil {
			return nil, fmt.Errorf("delivery %d: decode alert: %w", d.ID, err)
		}
		if err := json.Unmarshal([]byte(commonJSON), &d.Common); err != nil {
			return nil, fmt.Errorf("delivery %d: decode notification: %w", d.ID, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Pending is what waits for one channel.
type Pending struct {
	// Due is when the earliest pending delivery is due.
	Due time.Time
	// Count is the number of pending deliveries.
	Count int
}

// PendingChannels lists the channels that have pending deliveries, with
// when the earliest of them is due and how many there are.
func (s *Store) PendingChannels(ctx context.Context) (map[string]Pending, error) {
	out, err := s.pendingChannels(ctx)
	s.noteRead(err)
	return out, err
}

func (s *Store) pendingChannels(ctx context.Context) (map[string]Pending, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT channel, MIN(next_attempt_at), COUNT(*) FROM deliveries
		WHERE state = 'pending' GROUP BY channel`)
	if err != nil {
		return nil, fmt.Errorf("query pending channels: %w", err)
	}
	defer rows.Close()
	out := map[string]Pending{}
	for rows.Next() {
		var ch string
		var due int64
		var n int
		if err := rows.Scan(&ch, &due, &n); err != nil {
			return nil, err
		}
		out[ch] = Pending{Due: fromNanos(due), Count: n}
	}
	return out, rows.Err()
}

// Expire gives up on the pending deliveries of channel created before
// before, recording reason; it returns how many it gave up. The dispatcher
// uses it for a channel that is no longer configured, whose deliveries wait
// for it to come back until delivery.max_age.
func (s *Store) Expire(ctx context.Context, channel string, before, at time.Time, reason string) (int64, error) {
	var n int64
	err := s.submit(ctx, func(w *txWriter) (err error) {
		n, err = w.exec(`UPDATE deliveries SET state = 'failed', updated_at = $1, last_error = $2
			WHERE state = 'pending' AND channel = $3 AND created_at < $4`, nanos(at), reason, channel, nanos(before))
		return err
	})
	return n, err
}

// PendingCount is the number of deliveries not yet sent or given up.
func (s *Store) PendingCount(ctx context.Context) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries WHERE state = 'pending'`).Scan(&n)
	return n, err
}

// Outcome is the result of one attempt to send one message, which may carry
// several deliveries (folded).
type Outcome struct {
	Deliveries []*Delivery
	// State is StateSent, StatePending (retry at NextAttempt) or StateFailed.
	State       string
	NextAttempt time.Time
	At          time.Time
	Duration    time.Duration
	// Refs are the parts sent by this attempt.
	Refs []notify.Ref
	// Resumable says that a retry resumes after the parts in Refs. A folded
	// message is not resumable: its retry may hold other alerts, so it is
	// sent whole again.
	Resumable bool
	// Error is the reason of a failure, already free of secrets.
	Error string
}

// Record stores the outcome of an attempt. On SQLite it shares the
// writer's group commit with ingests, so recording never costs a commit of
// its own; on PostgreSQL it commits on its own, without waiting behind
// ingests (see directTx).
func (s *Store) Record(ctx context.Context, o Outcome) error {
	if err := s.checkDamaged(); err != nil {
		return err
	}
	return s.directTx(ctx, func(w *txWriter) error { return w.record(o) })
}

func (w *txWriter) record(o Outcome) error {
	outcome := o.State
	if outcome == StatePending {
		outcome = "retry"
	}
	at := nanos(o.At)
	advance := 0
	if o.Resumable {
		advance = len(o.Refs)
	}
	for _, d := range o.Deliveries {
		if _, err := w.tx.ExecContext(w.ctx, `UPDATE deliveries SET state = $1, attempts = attempts + 1,
			sent_parts = sent_parts + $2, next_attempt_at = $3, updated_at = $4, last_error = $5 WHERE id = $6`,
			o.State, advance, nanos(o.NextAttempt), at, o.Error, d.ID); err != nil {
			return fmt.Errorf("update delivery %d: %w", d.ID, err)
		}
		if _, err := w.tx.ExecContext(w.ctx, `INSERT INTO delivery_attempts (delivery_id, attempted_at, duration_ns, outcome, error)
			VALUES ($1, $2, $3, $4, $5)`, d.ID, at, o.Duration.Nanoseconds(), outcome, o.Error); err != nil {
			return fmt.Errorf("insert attempt: %w", err)
		}
		for _, r := range o.Refs {
			if _, err := w.tx.ExecContext(w.ctx, `INSERT INTO sent_messages (delivery_id, channel, fingerprint, starts_at,
				kind, part, chat_id, thread_id, message_id, folded, media, sent_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
				d.ID, d.Channel, d.Fingerprint, nanos(d.StartsAt), string(d.Kind), r.Part, r.ChatID, r.ThreadID,
				r.MessageID, r.Folded, r.Media, at); err != nil {
				return fmt.Errorf("insert sent message: %w", err)
			}
		}
	}
	return nil
}

// FiringRefs returns the messages sent for the firing event of an episode on
// a channel, by part.
func (s *Store) FiringRefs(ctx context.Context, channel, fingerprint string, startsAt time.Time) ([]notify.Ref, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT part, chat_id, thread_id, message_id, folded, media FROM sent_messages
		WHERE channel = $1 AND fingerprint = $2 AND starts_at = $3 AND kind = 'firing' ORDER BY part, id`,
		channel, fingerprint, nanos(startsAt))
	if err != nil {
		return nil, fmt.Errorf("query sent messages: %w", err)
	}
	defer rows.Close()
	var out []notify.Ref
	for rows.Next() {
		var r notify.Ref
		if err := rows.Scan(&r.Part, &r.ChatID, &r.ThreadID, &r.MessageID, &r.Folded, &r.Media); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Counts returns the number of deliveries per state, for tests and status.
func (s *Store) Counts(ctx context.Context) (map[string]int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT state, COUNT(*) FROM deliveries GROUP BY state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}
