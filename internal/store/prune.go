package store

import (
	"context"
	"fmt"
	"time"
)

// pruneBatch bounds the rows one pruning step deletes, so that the writer,
// which ingests share, is never held for long.
const pruneBatch = 500

// Pruned counts what one Prune removed.
type Pruned struct {
	Deliveries, Events, Notifications int64
	// The bot's: acknowledgements, audit actions, button states, update ids.
	Acks, Actions, Buttons, Updates int64
}

// Prune deletes what is older than before and no longer needed: finished
// deliveries (sent or failed) of episodes that no notification received
// since before mentions, their attempts and message references, then events
// and notifications nothing refers to. An episode Alertmanager still
// reports (a long-firing alert's repeat notifications) keeps its rows, or
// the next repeat would be delivered again as new.
//
// The bot's records go too: acknowledgements made before before of
// episodes that have no event left, audit actions older than before,
// button states ButtonGrace after they expired and update ids seen
// UpdateKeep ago (these two by the clock, whatever the retention).
func (s *Store) Prune(ctx context.Context, before time.Time) (Pruned, error) {
	return s.prune(ctx, before, time.Now())
}

func (s *Store) prune(ctx context.Context, before, now time.Time) (Pruned, error) {
	var total Pruned
	cut := nanos(before)
	buttonCut, updateCut := nanos(now.Add(-ButtonGrace)), nanos(now.Add(-UpdateKeep))
	for _, step := range []struct {
		count *int64
		run   func(w *txWriter) (int64, error)
	}{
		{&total.Deliveries, func(w *txWriter) (int64, error) { return w.pruneDeliveries(cut) }},
		{&total.Events, func(w *txWriter) (int64, error) {
			return w.exec(`DELETE FROM events WHERE id IN (SELECT e.id FROM events e
				JOIN notifications n ON n.id = e.notification_id
				WHERE n.received_at < $1 AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id)
				LIMIT $2)`, cut, pruneBatch)
		}},
		{&total.Notifications, func(w *txWriter) (int64, error) {
			return w.exec(`DELETE FROM notifications WHERE id IN (SELECT n.id FROM notifications n
				WHERE n.received_at < $1 AND NOT EXISTS (SELECT 1 FROM events e WHERE e.notification_id = n.id)
				LIMIT $2)`, cut, pruneBatch)
		}},
		// An episode still reported keeps its events, so its ack stays.
		{&total.Acks, func(w *txWriter) (int64, error) {
			return w.exec(`DELETE FROM bot_acks WHERE (fingerprint, starts_at) IN (SELECT a.fingerprint, a.starts_at
				FROM bot_acks a WHERE a.acked_at < $1 AND NOT EXISTS (SELECT 1 FROM events e
					WHERE e.fingerprint = a.fingerprint AND e.starts_at = a.starts_at)
				LIMIT $2)`, cut, pruneBatch)
		}},
		{&total.Actions, func(w *txWriter) (int64, error) {
			return w.exec(`DELETE FROM bot_actions WHERE id IN (SELECT id FROM bot_actions WHERE at < $1 LIMIT $2)`,
				cut, pruneBatch)
		}},
		{&total.Buttons, func(w *txWriter) (int64, error) {
			return w.exec(`DELETE FROM bot_buttons WHERE id IN (SELECT id FROM bot_buttons WHERE expires_at < $1 LIMIT $2)`,
				buttonCut, pruneBatch)
		}},
		{&total.Updates, func(w *txWriter) (int64, error) {
			return w.exec(`DELETE FROM bot_updates WHERE update_id IN (SELECT update_id FROM bot_updates
				WHERE seen_at < $1 LIMIT $2)`, updateCut, pruneBatch)
		}},
	} {
		for {
			var n int64
			err := s.submit(ctx, func(w *txWriter) (err error) {
				n, err = step.run(w)
				return err
			})
			if err != nil {
				return total, fmt.Errorf("prune: %w", err)
			}
			*step.count += n
			if n < pruneBatch {
				break
			}
		}
	}
	return total, nil
}

// pruneDeliveries deletes one batch of finished deliveries of dead episodes
// with their attempts and message references.
func (w *txWriter) pruneDeliveries(cut int64) (int64, error) {
	ids, err := w.ids(`SELECT d.id FROM deliveries d
		WHERE d.state <> 'pending' AND d.updated_at < $1
		AND NOT EXISTS (SELECT 1 FROM events e JOIN notifications n ON n.id = e.notification_id
			WHERE e.fingerprint = d.fingerprint AND e.starts_at = d.starts_at AND n.received_at >= $1)
		AND NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.fingerprint = d.fingerprint
			AND p.starts_at = d.starts_at AND p.channel = d.channel AND p.state = 'pending')
		LIMIT $2`, cut, pruneBatch)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		for _, q := range []string{
			`DELETE FROM delivery_attempts WHERE delivery_id = $1`,
			`DELETE FROM sent_messages WHERE delivery_id = $1`,
			`DELETE FROM deliveries WHERE id = $1`,
		} {
			if _, err := w.tx.ExecContext(w.ctx, q, id); err != nil {
				return 0, err
			}
		}
	}
	return int64(len(ids)), nil
}

func (w *txWriter) exec(q string, args ...any) (int64, error) {
	res, err := w.tx.ExecContext(w.ctx, w.eng.rebind(q), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// ids runs a query of one integer column in the writer's transaction and
// returns its values; the rows are closed before the caller writes.
func (w *txWriter) ids(query string, args ...any) ([]int64, error) {
	rows, err := w.tx.QueryContext(w.ctx, w.eng.rebind(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
