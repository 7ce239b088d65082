package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ButtonGrace is how long a button's state is kept after it expires, so
// that a late press still finds it and is answered "expired" with the
// right context rather than as unknown.
const ButtonGrace = 24 * time.Hour

// Button is the state behind the buttons of an inline keyboard. Telegram's
// callback_data holds 64 bytes at most
// (https://core.telegram.org/bots/api#inlinekeyboardbutton), so a button
// carries only the id of its state (signed with BotKey), and the state is
// kept here.
type Button struct {
	// Kind says what Data is (the bot's own names).
	Kind   string
	ChatID int64
	// MessageID is the message the buttons are on; 0 until SetButtonMessage.
	MessageID int64
	Data      []byte
	// ExpiresAt is required. The store keeps an expired button for
	// ButtonGrace and does not check expiry itself: Button returns an
	// expired one until it is pruned.
	ExpiresAt time.Time
}

// SaveButton stores the state of a button set and returns its id. Ids are
// never given twice, even after the state was pruned.
func (s *Store) SaveButton(ctx context.Context, b Button) (int64, error) {
	if b.ExpiresAt.IsZero() {
		return 0, errors.New("save button: no expiry")
	}
	if b.Data == nil {
		b.Data = []byte{}
	}
	var id int64
	err := s.change(ctx, func(w *txWriter) error {
		return w.tx.QueryRowContext(w.ctx, `INSERT INTO bot_buttons (kind, chat_id, message_id, data, expires_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, b.Kind, b.ChatID, b.MessageID, b.Data, nanos(b.ExpiresAt)).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("save button: %w", err)
	}
	return id, nil
}

// Button returns the state saved under id, or an error wrapping
// ErrNotFound when there is none (never saved, or pruned).
func (s *Store) Button(ctx context.Context, id int64) (Button, error) {
	var b Button
	var expires int64
	err := s.read.QueryRowContext(ctx, `SELECT kind, chat_id, message_id, data, expires_at FROM bot_buttons
		WHERE id = $1`, id).Scan(&b.Kind, &b.ChatID, &b.MessageID, &b.Data, &expires)
	s.noteRead(err)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Button{}, fmt.Errorf("button %d: %w", id, ErrNotFound)
	case err != nil:
		return Button{}, fmt.Errorf("read button %d: %w", id, err)
	}
	b.ExpiresAt = fromNanos(expires)
	return b, nil
}

// SetButtonMessage records the message that the buttons ids are on: the
// state is saved before the message is sent, so the message id comes
// after. Ids that do not exist are reported in an error wrapping
// ErrNotFound; the others are set all the same.
func (s *Store) SetButtonMessage(ctx context.Context, ids []int64, messageID int64) error {
	if len(ids) == 0 {
		return nil
	}
	var missing []int64
	err := s.change(ctx, func(w *txWriter) error {
		missing = missing[:0]
		for _, id := range ids {
			n, err := w.exec(`UPDATE bot_buttons SET message_id = $1 WHERE id = $2`, messageID, id)
			if err != nil {
				return err
			}
			if n == 0 {
				missing = append(missing, id)
			}
		}
		return nil
	})
	switch {
	case err != nil:
		return fmt.Errorf("set message of buttons %v: %w", ids, err)
	case len(missing) > 0:
		return fmt.Errorf("set message of buttons: buttons %v: %w", missing, ErrNotFound)
	}
	return nil
}
