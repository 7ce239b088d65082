package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"
)

// firingWindow is how recently an alert must have been reported firing to
// count as firing now. Alertmanager repeats a firing alert every
// repeat_interval (4h by default); one that Herald has not heard of for a
// day most likely resolved while Herald missed it.
const firingWindow = 24 * time.Hour

// Firing lists the alerts whose latest event is firing and was received
// within the last day, as Herald last heard them: the bot's /alerts when
// no Alertmanager is configured.
func (s *Store) Firing(ctx context.Context) ([]amtemplate.Alert, error) {
	out, err := s.firing(ctx, time.Now().Add(-firingWindow))
	s.noteRead(err)
	if err != nil {
		return nil, fmt.Errorf("query firing alerts: %w", err)
	}
	return out, nil
}

func (s *Store) firing(ctx context.Context, since time.Time) ([]amtemplate.Alert, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT e.alert FROM events e
		JOIN (SELECT fingerprint, MAX(id) AS id FROM events GROUP BY fingerprint) l ON e.id = l.id
		JOIN notifications n ON n.id = e.notification_id
		WHERE e.status = 'firing' AND n.received_at >= $1 ORDER BY e.id`, nanos(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []amtemplate.Alert
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		var a amtemplate.Alert
		if err := json.Unmarshal([]byte(raw), &a); err != nil {
			return nil, fmt.Errorf("decode a stored alert: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
