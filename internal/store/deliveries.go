package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"
)

// DeliveryFilter selects deliveries for ListDeliveries.
type DeliveryFilter struct {
	// State is StatePending, StateFailed or StateSent; every state when "".
	State string
	// Channel is one channel; every channel when "".
	Channel string
	// Limit bounds the rows (default 50).
	Limit int
}

// DeliveryInfo is one delivery as an operator sees it (herald deliveries).
type DeliveryInfo struct {
	ID          int64         `json:"id"`
	Channel     string        `json:"channel"`
	Kind        string        `json:"kind"`
	State       string        `json:"state"`
	Attempts    int           `json:"attempts"`
	LastError   string        `json:"lastError,omitempty"`
	Fingerprint string        `json:"fingerprint"`
	StartsAt    time.Time     `json:"startsAt"`
	Labels      amtemplate.KV `json:"labels"`
	CreatedAt   time.Time     `json:"createdAt"`
	UpdatedAt   time.Time     `json:"updatedAt"`
	// NextAttempt is when a pending delivery is tried next; zero otherwise.
	NextAttempt time.Time `json:"nextAttempt,omitzero"`
}

// ListDeliveries lists deliveries newest first, with the labels of their
// alert. It only reads, so it may run beside a serving Herald.
func (s *Store) ListDeliveries(ctx context.Context, f DeliveryFilter) ([]DeliveryInfo, error) {
	switch f.State {
	case "", StatePending, StateFailed, StateSent:
	default:
		return nil, fmt.Errorf("unknown delivery state %q", f.State)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	rows, err := s.read.QueryContext(ctx, `
		SELECT d.id, d.channel, d.kind, d.state, d.attempts, d.last_error, d.fingerprint, d.starts_at,
		       d.created_at, d.updated_at, d.next_attempt_at, e.alert
		FROM deliveries d JOIN events e ON e.id = d.event_id
		WHERE ($1 = '' OR d.state = $1) AND ($2 = '' OR d.channel = $2)
		ORDER BY d.id DESC LIMIT $3`, f.State, f.Channel, f.Limit)
	if err != nil {
		s.noteRead(err)
		return nil, fmt.Errorf("query deliveries: %w", err)
	}
	defer rows.Close()
	var out []DeliveryInfo
	for rows.Next() {
		var d DeliveryInfo
		var starts, created, updated, next int64
		var alertJSON string
		if err := rows.Scan(&d.ID, &d.Channel, &d.Kind, &d.State, &d.Attempts, &d.LastError, &d.Fingerprint,
			&starts, &created, &updated, &next, &alertJSON); err != nil {
			return nil, fmt.Errorf("scan delivery: %w", err)
		}
		d.StartsAt, d.CreatedAt, d.UpdatedAt = fromNanos(starts), fromNanos(created), fromNanos(updated)
		if d.State == StatePending {
			d.NextAttempt = fromNanos(next)
		}
		var a amtemplate.Alert
		if err := json.Unmarshal([]byte(alertJSON), &a); err != nil {
			return nil, fmt.Errorf("delivery %d: decode alert: %w", d.ID, err)
		}
		d.Labels = a.Labels
		out = append(out, d)
	}
	err = rows.Err()
	s.noteRead(err)
	return out, err
}
