package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// PutImage keeps a chart PNG under id until expires (images.Blobs); the
// same chart published again keeps the later expiry.
func (s *Store) PutImage(ctx context.Context, id string, png []byte, expires time.Time) error {
	now := time.Now()
	return s.directTx(ctx, func(w *txWriter) error {
		_, err := w.exec(`INSERT INTO chart_images (id, png, saved_at, expires_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at
			WHERE excluded.expires_at > chart_images.expires_at`, id, png, nanos(now), nanos(expires))
		if err != nil {
			return fmt.Errorf("save chart image: %w", err)
		}
		return nil
	})
}

// Image returns the chart PNG kept under id; ok is false when there is
// none (never kept, or pruned).
func (s *Store) Image(ctx context.Context, id string) (png []byte, saved time.Time, ok bool, err error) {
	var at int64
	err = s.read.QueryRowContext(ctx, `SELECT png, saved_at FROM chart_images WHERE id = $1`, id).Scan(&png, &at)
	s.noteRead(err)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, time.Time{}, false, nil
	case err != nil:
		return nil, time.Time{}, false, fmt.Errorf("read chart image: %w", err)
	}
	return png, fromNanos(at), true, nil
}

// PruneImages removes the chart images whose links expired before before.
func (s *Store) PruneImages(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.submit(ctx, func(w *txWriter) (err error) {
		n, err = w.exec(`DELETE FROM chart_images WHERE expires_at < $1`, nanos(before))
		return err
	})
	return n, err
}
