package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is returned (wrapped) for a bot record that does not exist or
// was pruned.
var ErrNotFound = errors.New("not found")

// BotKeySize is the length of the key BotKey returns.
const BotKeySize = 32

// UpdateKeep is how long a handled update id is remembered. Telegram keeps
// an update it could not deliver for 24 hours at most
// (https://core.telegram.org/bots/api#getting-updates), so no redelivery
// comes later than that.
const UpdateKeep = 48 * time.Hour

// change runs fn in the writer's group commit, as ingests do, so that a
// bot write costs no commit of its own and its faults count for the
// store's health.
func (s *Store) change(ctx context.Context, fn func(w *txWriter) error) error {
	if err := s.checkDamaged(); err != nil {
		return err
	}
	return s.submit(ctx, fn)
}

// orNow is t, or the current time when t is zero.
func orNow(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

// BotState returns the value kept under key, and whether there is one.
func (s *Store) BotState(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := s.read.QueryRowContext(ctx, `SELECT value FROM bot_state WHERE key = $1`, key).Scan(&v)
	s.noteRead(err)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("read bot state %q: %w", key, err)
	}
	return v, true, nil
}

// SetBotState keeps value under key, replacing what was there.
func (s *Store) SetBotState(ctx context.Context, key, value string) error {
	if key == "" {
		return errors.New("set bot state: the key is empty")
	}
	err := s.change(ctx, func(w *txWriter) error {
		_, err := w.exec(`INSERT INTO bot_state (key, value, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			key, value, time.Now().UnixNano())
		return err
	})
	if err != nil {
		return fmt.Errorf("set bot state %q: %w", key, err)
	}
	return nil
}

// MarkUpdate records that the update with this id is being handled. It
// returns true the first time only: an update delivered again (a webhook
// retried, a poll repeated after a crash) returns false and changes
// nothing. Ids are remembered for UpdateKeep.
func (s *Store) MarkUpdate(ctx context.Context, updateID int64) (first bool, err error) {
	return s.markUpdate(ctx, updateID, time.Now())
}

func (s *Store) markUpdate(ctx context.Context, updateID int64, at time.Time) (bool, error) {
	var n int64
	err := s.change(ctx, func(w *txWriter) (err error) {
		n, err = w.exec(`INSERT INTO bot_updates (update_id, seen_at) VALUES ($1, $2)
			ON CONFLICT (update_id) DO NOTHING`, updateID, nanos(at))
		return err
	})
	if err != nil {
		return false, fmt.Errorf("mark update %d: %w", updateID, err)
	}
	return n == 1, nil
}

// BotKey returns the bot's secret key (BotKeySize random bytes), made the
// first time it is asked for and the same ever after, across restarts and
// concurrent first calls. The bot signs button ids with it.
func (s *Store) BotKey(ctx context.Context) ([]byte, error) {
	var key []byte
	err := s.read.QueryRowContext(ctx, `SELECT key FROM bot_key WHERE id = 1`).Scan(&key)
	s.noteRead(err)
	switch {
	case err == nil:
		return key, nil
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("read bot key: %w", err)
	}
	fresh := make([]byte, BotKeySize)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("make bot key: %w", err)
	}
	err = s.change(ctx, func(w *txWriter) error {
		if _, err := w.exec(`INSERT INTO bot_key (id, key, created_at) VALUES (1, $1, $2)
			ON CONFLICT (id) DO NOTHING`, fresh, time.Now().UnixNano()); err != nil {
			return err
		}
		// Another caller may have made it first: its key is the one.
		return w.tx.QueryRowContext(w.ctx, `SELECT key FROM bot_key WHERE id = 1`).Scan(&key)
	})
	if err != nil {
		return nil, fmt.Errorf("save bot key: %w", err)
	}
	return key, nil
}

// ChatLanguage returns the language set for a chat, and whether one is.
func (s *Store) ChatLanguage(ctx context.Context, chatID int64) (string, bool, error) {
	var lang string
	err := s.read.QueryRowContext(ctx, `SELECT language FROM bot_chats WHERE chat_id = $1`, chatID).Scan(&lang)
	s.noteRead(err)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("read language of chat %d: %w", chatID, err)
	}
	return lang, true, nil
}

// SetChatLanguage sets a chat's language; "" removes the setting, so that
// ChatLanguage reports none.
func (s *Store) SetChatLanguage(ctx context.Context, chatID int64, lang string) error {
	err := s.change(ctx, func(w *txWriter) error {
		if lang == "" {
			_, err := w.exec(`DELETE FROM bot_chats WHERE chat_id = $1`, chatID)
			return err
		}
		_, err := w.exec(`INSERT INTO bot_chats (chat_id, language, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (chat_id) DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at`,
			chatID, lang, time.Now().UnixNano())
		return err
	})
	if err != nil {
		return fmt.Errorf("set language of chat %d: %w", chatID, err)
	}
	return nil
}
