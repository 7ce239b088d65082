package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// A roll-up turn does at most rollSeries series of an hour and goes on
// with the next hours while it has read fewer than rollRows 5-minute
// buckets, so that neither 30,000 series (360,000 buckets an hour) nor
// hours piled up while no sample came hold the writer, which ingests
// share, for long.
const (
	rollSeries = 2000
	rollRows   = 12 * rollSeries
)

// rollUp rolls the 5-minute buckets of every hour before until that has
// not been rolled up yet into 1-hour buckets, in writer turns, so that
// ingests go on between them. An hour is rolled up once: that writes each
// series' 1-hour bucket once, where updating it with every sample would
// rewrite one page per series every minute.
func (s *Store) rollUp(ctx context.Context, until int64) error {
	for {
		var more bool
		err := s.change(ctx, func(w *txWriter) (err error) {
			more, err = w.rollStep(until, rollSeries, rollRows)
			return err
		})
		if err != nil {
			return fmt.Errorf("roll up history: %w", err)
		}
		if !more {
			return nil
		}
	}
}

// rollStep rolls up, chunk series at a time, the hours before until that
// have 5-minute buckets and were not rolled up, until it read budget
// buckets; it says whether there is more to do. Two marks say how far
// rolling went: 'rolled', the hour before which all is rolled up, and
// 'rolling', the last series id rolled up of that hour. They move in the
// same transaction as the buckets, so a sample written before lands in the
// 5-minute bucket that the roll-up reads, and one written after goes into
// both (writeSamples): every sample counts once in its hour.
func (w *txWriter) rollStep(until, chunk int64, budget int) (bool, error) {
	rolled, err := w.mark("rolled")
	if err != nil || rolled >= until {
		return false, err
	}
	done, err := w.mark("rolling")
	if err != nil {
		return false, err
	}
	var last int64
	if err := w.tx.QueryRowContext(w.ctx, `SELECT COALESCE(MAX(id), 0) FROM history_series`).Scan(&last); err != nil {
		return false, err
	}
	st := newStmtCache(w)
	defer st.close()
	for read := 0; rolled < until && read < budget; {
		var next sql.NullInt64
		if err := w.tx.QueryRowContext(w.ctx, `SELECT MIN(t) FROM history_5m WHERE t >= $1`, rolled).Scan(&next); err != nil {
			return false, err
		}
		if !next.Valid || bucket(next.Int64, time.Hour) >= until {
			rolled, done = until, 0 // nothing before until to roll up
			break
		}
		if h := bucket(next.Int64, time.Hour); h > rolled {
			rolled, done = h, 0 // the hours between have no buckets
		}
		upto := done + chunk
		hour, n, err := w.hourOf5m(rolled, done, upto)
		if err != nil {
			return false, err
		}
		if err := w.upsertBuckets(st, "history_1h", "series_id, t", hour); err != nil {
			return false, err
		}
		read += max(n, 12) // a chunk with few buckets still costs its queries
		if done = upto; upto >= last {
			rolled, done = rolled+int64(time.Hour), 0
		}
	}
	if err := w.setMark("rolled", rolled); err != nil {
		return false, err
	}
	return rolled < until, w.setMark("rolling", done)
}

// hourOf5m sums up by series the 5-minute buckets of the hour starting at
// h of the series with ids in (after, upto], and says how many it read.
func (w *txWriter) hourOf5m(h, after, upto int64) (map[[2]int64]*agg, int, error) {
	rows, err := w.tx.QueryContext(w.ctx, `SELECT series_id, n, sum_v, min_v, max_v, first_t, first_v, last_t, last_v
		FROM history_5m WHERE t >= $1 AND t < $2 AND series_id > $3 AND series_id <= $4`,
		h, h+int64(time.Hour), after, upto)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	hour := map[[2]int64]*agg{}
	n := 0
	for rows.Next() {
		var id int64
		var a agg
		if err := scanAgg(rows, &a, &id); err != nil {
			return nil, 0, err
		}
		n++
		k := [2]int64{id, h}
		if hour[k] == nil {
			hour[k] = &agg{}
		}
		hour[k].merge(a)
	}
	return hour, n, rows.Err()
}

// rolledUp says whether the 1-hour bucket h of series id is rolled up.
func rolledUp(h, id, rolled, rolling int64) bool {
	return h < rolled || h == rolled && id <= rolling
}

// scanAgg scans a row of keys, then n, sum_v, min_v, max_v, first_t,
// first_v, last_t, last_v.
func scanAgg(rows *sql.Rows, a *agg, keys ...any) error {
	var sum, lo, hi, first, last sql.NullFloat64
	if err := rows.Scan(append(keys, &a.n, &sum, &lo, &hi, &a.firstT, &first, &a.lastT, &last)...); err != nil {
		return err
	}
	a.sum, a.min, a.max, a.firstV, a.lastV = value(sum), value(lo), value(hi), value(first), value(last)
	return nil
}

// mark returns the value kept under name in history_marks (0: none).
func (w *txWriter) mark(name string) (int64, error) {
	var t int64
	err := w.tx.QueryRowContext(w.ctx, `SELECT t FROM history_marks WHERE name = $1`, name).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return t, err
}

func (w *txWriter) setMark(name string, t int64) error {
	_, err := w.tx.ExecContext(w.ctx, `INSERT INTO history_marks (name, t) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET t = excluded.t`, name, t)
	return err
}

// readMarks returns every mark, for a query's snapshot.
func readMarks(ctx context.Context, tx *sql.Tx) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, t FROM history_marks`)
	if err != nil {
		return nil, fmt.Errorf("read history marks: %w", err)
	}
	defer rows.Close()
	marks := map[string]int64{}
	for rows.Next() {
		var name string
		var t int64
		if err := rows.Scan(&name, &t); err != nil {
			return nil, err
		}
		marks[name] = t
	}
	return marks, rows.Err()
}

// sortedAggs are the buckets of m as (key, t) pairs in key order.
func sortedAggs(m map[[2]int64]*agg) [][2]int64 {
	keys := make([][2]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]int64) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	return keys
}
