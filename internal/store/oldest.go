package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// OldestPending is when the oldest delivery still waiting to be sent or
// retried was created; ok is false when none waits. It feeds
// herald_outbox_oldest_pending_age_seconds, which says how far behind the
// outbox is where herald_outbox_pending only says how much is in it.
func (s *Store) OldestPending(ctx context.Context) (at time.Time, ok bool, err error) {
	var created sql.NullInt64
	// The partial index deliveries_due holds only pending rows, so this
	// reads the backlog, not the history.
	err = s.read.QueryRowContext(ctx, `SELECT MIN(created_at) FROM deliveries WHERE state = 'pending'`).Scan(&created)
	s.noteRead(err)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("query oldest pending delivery: %w", err)
	}
	if !created.Valid {
		return time.Time{}, false, nil
	}
	return fromNanos(created.Int64), true, nil
}
