package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"
)

// Subscription kinds: what a subscription's Expr is.
const (
	// SubscriptionMatchers is a list of Alertmanager label matchers.
	SubscriptionMatchers = "matchers"
	// SubscriptionRegexp is a regular expression over the labels.
	SubscriptionRegexp = "regexp"
)

// ErrDuplicateSubscription is returned (wrapped) by AddSubscription for a
// subscription the chat already has.
var ErrDuplicateSubscription = errors.New("the chat already has this subscription")

// Subscription makes a Telegram chat receive the alerts that match Expr.
type Subscription struct {
	ID     int64
	ChatID int64
	// Kind is SubscriptionMatchers or SubscriptionRegexp.
	Kind string
	Expr string
	// CreatedBy is the Telegram user id of who subscribed.
	CreatedBy int64
	CreatedAt time.Time
}

// AddSubscription stores s (its ID is ignored; a zero CreatedAt is now)
// and returns it with its ID. A subscription with the same chat, kind and
// expression (byte for byte) is refused with an error wrapping
// ErrDuplicateSubscription, returned with the existing subscription.
func (s *Store) AddSubscription(ctx context.Context, sub Subscription) (Subscription, error) {
	switch {
	case sub.ChatID == 0:
		return Subscription{}, errors.New("add subscription: the chat id is missing")
	case sub.Kind != SubscriptionMatchers && sub.Kind != SubscriptionRegexp:
		return Subscription{}, fmt.Errorf("add subscription: kind %q is neither %q nor %q",
			sub.Kind, SubscriptionMatchers, SubscriptionRegexp)
	case sub.Expr == "":
		return Subscription{}, errors.New("add subscription: the expression is empty")
	}
	sub.CreatedAt = orNow(sub.CreatedAt)
	var existing *Subscription
	err := s.change(ctx, func(w *txWriter) error {
		err := w.tx.QueryRowContext(w.ctx, `INSERT INTO bot_subscriptions (chat_id, kind, expr, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (chat_id, kind, expr) DO NOTHING RETURNING id`,
			sub.ChatID, sub.Kind, sub.Expr, sub.CreatedBy, nanos(sub.CreatedAt)).Scan(&sub.ID)
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		old, err := scanSubscription(w.tx.QueryRowContext(w.ctx, `SELECT id, chat_id, kind, expr, created_by, created_at
			FROM bot_subscriptions WHERE chat_id = $1 AND kind = $2 AND expr = $3`, sub.ChatID, sub.Kind, sub.Expr))
		existing = &old
		return err
	})
	switch {
	case err != nil:
		return Subscription{}, fmt.Errorf("add subscription: %w", err)
	case existing != nil:
		return *existing, fmt.Errorf("%w (id %d)", ErrDuplicateSubscription, existing.ID)
	}
	return sub, nil
}

// Subscriptions returns the subscriptions of a chat in the order they were
// made.
func (s *Store) Subscriptions(ctx context.Context, chatID int64) ([]Subscription, error) {
	return s.subscriptions(ctx, `SELECT id, chat_id, kind, expr, created_by, created_at FROM bot_subscriptions
		WHERE chat_id = $1 ORDER BY id`, chatID)
}

// AllSubscriptions returns the subscriptions of every chat, by chat and
// then in the order they were made.
func (s *Store) AllSubscriptions(ctx context.Context) ([]Subscription, error) {
	return s.subscriptions(ctx, `SELECT id, chat_id, kind, expr, created_by, created_at FROM bot_subscriptions
		ORDER BY chat_id, id`)
}

func (s *Store) subscriptions(ctx context.Context, q string, args ...any) ([]Subscription, error) {
	out, err := func() ([]Subscription, error) {
		rows, err := s.read.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []Subscription
		for rows.Next() {
			sub, err := scanSubscription(rows)
			if err != nil {
				return nil, err
			}
			out = append(out, sub)
		}
		return out, rows.Err()
	}()
	s.noteRead(err)
	if err != nil {
		return nil, fmt.Errorf("read subscriptions: %w", err)
	}
	return out, nil
}

func scanSubscription(row interface{ Scan(...any) error }) (Subscription, error) {
	var sub Subscription
	var created int64
	err := row.Scan(&sub.ID, &sub.ChatID, &sub.Kind, &sub.Expr, &sub.CreatedBy, &created)
	sub.CreatedAt = fromNanos(created)
	return sub, err
}

// DeleteSubscription deletes the chat's subscription id and reports
// whether there was one (a subscription of another chat is not touched).
func (s *Store) DeleteSubscription(ctx context.Context, chatID, id int64) (bool, error) {
	var n int64
	err := s.change(ctx, func(w *txWriter) (err error) {
		n, err = w.exec(`DELETE FROM bot_subscriptions WHERE chat_id = $1 AND id = $2`, chatID, id)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("delete subscription %d of chat %d: %w", id, chatID, err)
	}
	return n > 0, nil
}

// DeleteSubscriptions deletes every subscription of a chat and returns how
// many there were.
func (s *Store) DeleteSubscriptions(ctx context.Context, chatID int64) (int, error) {
	var n int64
	err := s.change(ctx, func(w *txWriter) (err error) {
		n, err = w.exec(`DELETE FROM bot_subscriptions WHERE chat_id = $1`, chatID)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete subscriptions of chat %d: %w", chatID, err)
	}
	return int(n), nil
}

// Action is a change made from chat, kept for the audit.
type Action struct {
	At     time.Time
	ChatID int64
	UserID int64
	// User names the user as the bot shows them (@name).
	User string
	// Kind is what was done (subscribe, silence, ack, …), Detail on what.
	Kind   string
	Detail string
}

// RecordAction adds a to the audit (a zero At is now). Actions are kept as
// long as the notifications (storage retention).
func (s *Store) RecordAction(ctx context.Context, a Action) error {
	a.At = orNow(a.At)
	err := s.change(ctx, func(w *txWriter) error {
		_, err := w.exec(`INSERT INTO bot_actions (at, chat_id, user_id, user_name, kind, detail)
			VALUES ($1, $2, $3, $4, $5, $6)`, nanos(a.At), a.ChatID, a.UserID, a.User, a.Kind, a.Detail)
		return err
	})
	if err != nil {
		return fmt.Errorf("record action %s: %w", a.Kind, err)
	}
	return nil
}

// Actions returns the last limit actions, newest first; limit <= 0 returns
// them all.
func (s *Store) Actions(ctx context.Context, limit int) ([]Action, error) {
	if limit <= 0 {
		limit = math.MaxInt64
	}
	out, err := func() ([]Action, error) {
		rows, err := s.read.QueryContext(ctx, `SELECT at, chat_id, user_id, user_name, kind, detail FROM bot_actions
			ORDER BY at DESC, id DESC LIMIT $1`, limit)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []Action
		for rows.Next() {
			var a Action
			var at int64
			if err := rows.Scan(&at, &a.ChatID, &a.UserID, &a.User, &a.Kind, &a.Detail); err != nil {
				return nil, err
			}
			a.At = fromNanos(at)
			out = append(out, a)
		}
		return out, rows.Err()
	}()
	s.noteRead(err)
	if err != nil {
		return nil, fmt.Errorf("read actions: %w", err)
	}
	return out, nil
}

// SubscriptionsVersion changes whenever a subscription is added or
// deleted (the count and the highest id: ids are never reused), so that
// replicas that did not make a change notice it without reading them all.
func (s *Store) SubscriptionsVersion(ctx context.Context) (string, error) {
	var n, last int64
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(id), 0) FROM bot_subscriptions`).Scan(&n, &last)
	return fmt.Sprintf("%d/%d", n, last), err
}
