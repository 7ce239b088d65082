package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/prometheus/prometheus/model/labels"
)

// seekCost is how many rows of a time range one key lookup is worth: a
// query visits each (time, series) key when it wants fewer than
// 1/seekCost of all series, and scans the time range otherwise.
const seekCost = 8

// histReader reads one snapshot of the history for a query.
type histReader struct {
	ctx   context.Context
	tx    *sql.Tx
	eng   engine
	refs  []seriesRef
	marks map[string]int64
	// seek visits keys rather than scanning time ranges.
	seek  bool
	stmts map[string]*sql.Stmt
}

// historyQuery runs fn on the series called name that match matchers (not
// at all when there are none), in one read transaction.
func (s *Store) historyQuery(ctx context.Context, name string, matchers []*labels.Matcher,
	fn func(r *histReader) error) error {
	return s.historyRead(ctx, func(tx *sql.Tx) error {
		refs, err := selectSeries(ctx, tx, name, matchers)
		if err != nil || len(refs) == 0 {
			return err
		}
		marks, err := readMarks(ctx, tx)
		if err != nil {
			return err
		}
		var total int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM history_latest`).Scan(&total); err != nil {
			return fmt.Errorf("count series: %w", err)
		}
		r := &histReader{ctx: ctx, tx: tx, eng: s.eng, refs: refs, marks: marks, seek: len(refs)*seekCost < total,
			stmts: map[string]*sql.Stmt{}}
		defer func() {
			for _, st := range r.stmts {
				st.Close()
			}
		}()
		return fn(r)
	})
}

// queryRow runs a statement prepared once per query.
func (r *histReader) queryRow(q string, args ...any) *sql.Row {
	st := r.stmts[q]
	if st == nil {
		var err error
		if st, err = r.tx.PrepareContext(r.ctx, r.eng.rebind(q)); err != nil {
			return r.tx.QueryRowContext(r.ctx, r.eng.rebind(q), args...) // reports the same error
		}
		r.stmts[q] = st
	}
	return st.QueryRowContext(r.ctx, args...)
}

// query runs a statement of the snapshot.
func (r *histReader) query(q string, args ...any) (*sql.Rows, error) {
	return r.tx.QueryContext(r.ctx, r.eng.rebind(q), args...)
}

// ids are the ids of refs[lo:hi].
func (r *histReader) ids(lo, hi int) []any {
	ids := make([]any, 0, hi-lo)
	for _, ref := range r.refs[lo:hi] {
		ids = append(ids, ref.id)
	}
	return ids
}

// clustered calls each on the rows r of table, a table ordered by col (a
// time, a multiple of step) then series_id, whose col is in [lo, hi] and
// whose series is selected. sel are the columns, cond more conditions
// (" AND …" with condArgs), group a GROUP BY clause. With few series it
// visits each (col, series) key; the recursive CTE lists the times to
// visit (CAST so that PostgreSQL knows the parameter's type).
func (r *histReader) clustered(sel, table, col string, step time.Duration, lo, hi int64, cond string,
	condArgs []any, group string, each func(rows *sql.Rows) error) error {
	// Keys exist between the first and the last: a window reaching far
	// back (the whole history) visits no empty times.
	var first, last sql.NullInt64
	if err := r.queryRow(`SELECT MIN(`+col+`), MAX(`+col+`) FROM `+table).Scan(&first, &last); err != nil {
		return err
	}
	lo, hi = max(lo, first.Int64), min(hi, last.Int64)
	if !first.Valid || lo > hi {
		return nil
	}
	return chunks(len(r.refs), func(a, b int) error {
		ids := r.ids(a, b)
		var q string
		var args []any
		if r.seek {
			q = `WITH RECURSIVE k(b) AS (SELECT CAST(? AS BIGINT) UNION ALL SELECT b + ? FROM k WHERE b + ? <= ?)
				SELECT ` + sel + ` FROM k JOIN ` + table + ` r ON r.` + col + ` = k.b WHERE r.series_id IN ` + tuple(len(ids))
			args = append([]any{lo, int64(step), int64(step), hi}, ids...)
		} else {
			q = `SELECT ` + sel + ` FROM ` + table + ` r WHERE r.` + col + ` >= ? AND r.` + col + ` <= ?
				AND r.series_id IN ` + tuple(len(ids))
			args = append([]any{lo, hi}, ids...)
		}
		rows, err := r.query(q+cond+group, append(args, condArgs...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := each(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

var errTooManyPoints = errors.New("too many points")

// rawPoints reads the raw samples in [f, t] of each series. It gives up
// with errTooManyPoints as soon as one series has more than maxPoints (> 0).
func (r *histReader) rawPoints(f, t int64, maxPoints int) (map[int64][]HistoryPoint, error) {
	pts := map[int64][]HistoryPoint{}
	err := r.clustered("r.series_id, r.t, r.v", "history_raw", "b", rawPart,
		bucket(f, rawPart), bucket(t, rawPart), " AND r.t >= ? AND r.t <= ?", []any{f, t}, "",
		func(rows *sql.Rows) error {
			var id, at int64
			var v sql.NullFloat64
			if err := rows.Scan(&id, &at, &v); err != nil {
				return err
			}
			if maxPoints > 0 && len(pts[id]) == maxPoints {
				return errTooManyPoints
			}
			x := value(v)
			pts[id] = append(pts[id], HistoryPoint{T: fromNanos(at), Avg: x, Min: x, Max: x})
			return nil
		})
	for _, p := range pts {
		slices.SortFunc(p, func(a, b HistoryPoint) int { return a.T.Compare(b.T) })
	}
	return pts, err
}

// timedAgg is a bucket starting at t.
type timedAgg struct {
	t int64
	agg
}

// buckets returns each series' buckets of res that start in [lo, hi], by
// time, without their first and last values. 1-hour buckets not rolled up
// yet are summed up from 5-minute ones.
func (r *histReader) buckets(res resolution, lo, hi int64) (map[int64][]timedAgg, error) {
	out := map[int64][]timedAgg{}
	var err error
	if res.step == 5*time.Minute {
		err = r.fiveMin(lo, hi, func(id, t int64, a agg) { out[id] = append(out[id], timedAgg{t, a}) })
	} else {
		rolled := r.marks["rolled"]
		err = r.hours(lo, min(hi, rolled-1), func(id, t int64, a agg) { out[id] = append(out[id], timedAgg{t, a}) })
		if err == nil && hi >= rolled {
			open := map[[2]int64]*agg{}
			err = r.fiveMin(max(lo, rolled), hi+int64(time.Hour-5*time.Minute), func(id, t int64, a agg) {
				k := [2]int64{id, bucket(t, time.Hour)}
				if open[k] == nil {
					open[k] = &agg{}
				}
				open[k].merge(a)
			})
			for k, a := range open {
				out[k[0]] = append(out[k[0]], timedAgg{k[1], *a})
			}
		}
	}
	for _, b := range out {
		slices.SortFunc(b, func(x, y timedAgg) int { return cmp.Compare(x.t, y.t) })
	}
	return out, err
}

// pointCols are what a point needs of a bucket.
const pointCols = "r.series_id, r.t, r.n, r.sum_v, r.min_v, r.max_v"

// scanPoint scans pointCols.
func scanPoint(rows *sql.Rows, id, t *int64, a *agg) error {
	var sum, lo, hi sql.NullFloat64
	if err := rows.Scan(id, t, &a.n, &sum, &lo, &hi); err != nil {
		return err
	}
	a.sum, a.min, a.max = value(sum), value(lo), value(hi)
	return nil
}

// fiveMin calls each on the 5-minute buckets starting in [lo, hi].
func (r *histReader) fiveMin(lo, hi int64, each func(id, t int64, a agg)) error {
	return r.clustered(pointCols, "history_5m", "t", 5*time.Minute, lo, hi, "", nil, "",
		func(rows *sql.Rows) error {
			var id, t int64
			var a agg
			if err := scanPoint(rows, &id, &t, &a); err != nil {
				return err
			}
			each(id, t, a)
			return nil
		})
}

// hours calls each on the rolled-up 1-hour buckets starting in [lo, hi].
// history_1h is ordered by series: each series' window is one range.
func (r *histReader) hours(lo, hi int64, each func(id, t int64, a agg)) error {
	if lo > hi {
		return nil
	}
	return chunks(len(r.refs), func(a, b int) error {
		ids := r.ids(a, b)
		rows, err := r.query(`SELECT `+pointCols+` FROM history_1h r
			WHERE r.series_id IN `+tuple(len(ids))+` AND r.t >= ? AND r.t <= ?`, append(ids, lo, hi)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, t int64
			var x agg
			if err := scanPoint(rows, &id, &t, &x); err != nil {
				return err
			}
			each(id, t, x)
		}
		return rows.Err()
	})
}
