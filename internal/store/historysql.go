package store

import (
	"database/sql"
	"strings"
)

// sqlChunk bounds the rows of one multi-row statement and the ids of one
// IN list: 256 rows of at most 10 values stay far below the parameters
// SQLite (32766) and PostgreSQL (65535) take, while one statement does the
// work of 256.
const sqlChunk = 256

// chunks calls fn on [lo, hi) ranges of at most sqlChunk of n items.
func chunks(n int, fn func(lo, hi int) error) error {
	for lo := 0; lo < n; lo += sqlChunk {
		if err := fn(lo, min(lo+sqlChunk, n)); err != nil {
			return err
		}
	}
	return nil
}

// Statements whose parameters grow with the batch (VALUES lists, IN
// lists) are written with SQLite's anonymous ? parameters, which bind in
// order as $1…$n would: the driver looks each $n up by name in a list as
// long as the statement's, so binding n of them costs n² (with 256 rows
// of 10 values, 70% of a batch's time). A PostgreSQL store writes $n in
// these helpers and in the statements that use them.

// tuple is "(?, ?, …)" with n parameters.
func tuple(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

// rowsOf is the VALUES list of rows rows of cols parameters each.
func rowsOf(rows, cols int) string {
	return strings.TrimSuffix(strings.Repeat(tuple(cols)+", ", rows), ", ")
}

// stmtCache prepares each statement text once per transaction: a batch
// runs the same full-chunk statements many times.
type stmtCache struct {
	w *txWriter
	m map[string]*sql.Stmt
}

func newStmtCache(w *txWriter) *stmtCache { return &stmtCache{w: w, m: map[string]*sql.Stmt{}} }

func (c *stmtCache) stmt(q string) (*sql.Stmt, error) {
	if st, ok := c.m[q]; ok {
		return st, nil
	}
	st, err := c.w.tx.PrepareContext(c.w.ctx, c.w.eng.rebind(q))
	if err != nil {
		return nil, err
	}
	c.m[q] = st
	return st, nil
}

func (c *stmtCache) query(q string, args ...any) (*sql.Rows, error) {
	st, err := c.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(c.w.ctx, args...)
}

func (c *stmtCache) exec(q string, args ...any) (sql.Result, error) {
	st, err := c.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(c.w.ctx, args...)
}

func (c *stmtCache) close() {
	for _, st := range c.m {
		st.Close()
	}
}
