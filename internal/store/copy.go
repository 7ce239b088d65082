package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// copyTables are the tables `herald migrate-store` copies, parents before
// children. Leases and the health probe's row are the running processes'
// own and are not copied.
var copyTables = []string{
	"notifications", "events", "deliveries", "delivery_attempts", "sent_messages",
	"bot_subscriptions", "bot_actions", "bot_buttons", "bot_key", "bot_state", "bot_updates", "bot_chats", "bot_acks",
	"history_series", "history_latest", "history_raw", "history_5m", "history_1h", "history_marks",
}

// CopyReport says what CopyTo copied.
type CopyReport struct {
	// Rows are the rows copied per table, in copyTables' order.
	Rows []TableRows
	// Pending are the pending deliveries among them.
	Pending int
}

// TableRows is one table's row count.
type TableRows struct {
	Table string
	Rows  int64
}

// ErrNotEmpty is returned by CopyTo when the target already holds alerts.
var ErrNotEmpty = errors.New("the target database already holds notifications")

// CopyTo copies everything of s (a SQLite store) into to (an empty
// PostgreSQL store) in one transaction: what is copied is one snapshot of
// s, and either all of it arrives or nothing does. Pending deliveries stay
// pending, dedup state, subscriptions, bot state and the collected history
// come along, and the identity sequences continue after the copied ids.
// s's Herald must be stopped, or what it accepts meanwhile stays behind.
func (s *Store) CopyTo(ctx context.Context, to *Store) (CopyReport, error) {
	var rep CopyReport
	if s.eng.name() != "sqlite" || to.eng.name() != "postgres" {
		return rep, fmt.Errorf("copy from %s to %s: only SQLite to PostgreSQL is supported", s.eng.name(), to.eng.name())
	}
	var n int
	if err := to.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications`).Scan(&n); err != nil {
		return rep, fmt.Errorf("read the target: %w", err)
	}
	if n > 0 {
		return rep, fmt.Errorf("%w (%d): copy into an empty database", ErrNotEmpty, n)
	}
	src, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return rep, fmt.Errorf("read %s: %w", s.path, err)
	}
	defer src.Rollback()
	if err := src.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries WHERE state = 'pending'`).Scan(&rep.Pending); err != nil {
		return rep, fmt.Errorf("read %s: %w", s.path, err)
	}
	conn, err := to.write.Conn(ctx)
	if err != nil {
		return rep, fmt.Errorf("connect to %s: %w", to.path, err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		for _, table := range copyTables {
			n, err := copyTable(ctx, src, tx, table)
			if err != nil {
				return fmt.Errorf("copy %s: %w", table, err)
			}
			rep.Rows = append(rep.Rows, TableRows{Table: table, Rows: n})
		}
		return tx.Commit(ctx)
	})
	if err != nil {
		return CopyReport{}, err
	}
	return rep, nil
}

// column is one of a target table's columns and its PostgreSQL type.
type column struct{ name, typ string }

func copyTable(ctx context.Context, src *sql.Tx, tx pgx.Tx, table string) (int64, error) {
	rows, err := tx.Query(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, table)
	if err != nil {
		return 0, err
	}
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (column, error) {
		var c column
		err := r.Scan(&c.name, &c.typ)
		return c, err
	})
	if err != nil {
		return 0, err
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	q := `SELECT ` + strings.Join(names, ", ") + ` FROM ` + table
	rs, err := src.QueryContext(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rs.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	source := pgx.CopyFromFunc(func() ([]any, error) {
		if !rs.Next() {
			return nil, rs.Err()
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]any, len(cols))
		for i, c := range cols {
			row[i] = convert(vals[i], c.typ)
		}
		return row, nil
	})
	n, err := tx.CopyFrom(ctx, pgx.Identifier{table}, names, source)
	if err != nil {
		return n, err
	}
	if slices.Contains(names, "id") {
		if err := continueIdentity(ctx, tx, table); err != nil {
			return n, fmt.Errorf("continue the ids: %w", err)
		}
	}
	return n, nil
}

// convert turns what SQLite returns into what the PostgreSQL column
// takes: booleans are integers in SQLite, text may come as bytes.
func convert(v any, typ string) any {
	switch typ {
	case "boolean":
		switch b := v.(type) {
		case int64:
			return b != 0
		case bool:
			return b
		}
	case "text":
		if b, ok := v.([]byte); ok {
			return string(b)
		}
	case "bytea":
		if s, ok := v.(string); ok {
			return []byte(s)
		}
	}
	return v
}

// continueIdentity moves an identity id's sequence past the copied ids.
func continueIdentity(ctx context.Context, tx pgx.Tx, table string) error {
	var seq *string
	if err := tx.QueryRow(ctx, `SELECT pg_get_serial_sequence($1, 'id')`, table).Scan(&seq); err != nil || seq == nil {
		return err
	}
	_, err := tx.Exec(ctx, `SELECT setval($1, COALESCE((SELECT MAX(id) FROM `+pgx.Identifier{table}.Sanitize()+`), 0) + 1, false)`, *seq)
	return err
}
