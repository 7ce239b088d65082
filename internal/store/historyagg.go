package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"github.com/prometheus/prometheus/model/labels"
)

// Aggregate summarises each series called name ("": any) whose labels
// match matchers over its samples between from and to (both included; a
// zero from is the beginning of the history, a zero to has no end). It
// reads the finest resolution whose retention covers from: a window
// reaching past what raw samples keep is answered from 5-minute buckets,
// the whole history from 1-hour ones. Buckets count whole (those starting
// in [from rounded down to the bucket, to]). NaN and infinite samples are
// not counted; series without a sample counted are left out.
func (s *Store) Aggregate(ctx context.Context, name string, matchers []*labels.Matcher,
	from, to time.Time) ([]HistoryStat, error) {
	f, t := nanos(from), nanos(to)
	if to.IsZero() {
		t = math.MaxInt64 - int64(time.Hour) // room to round up to a bucket's end
	}
	if t < f {
		return nil, fmt.Errorf("aggregate history of %s: the window from %s to %s is empty", name, from, to)
	}
	var out []HistoryStat
	err := s.historyQuery(ctx, name, matchers, func(r *histReader) error {
		res := resolutions[len(resolutions)-1]
		for _, c := range resolutions {
			if r.marks["cut "+c.name] <= f {
				res = c
				break
			}
		}
		parts, err := r.partials(res, f, t)
		if err != nil {
			return err
		}
		for _, ref := range r.refs {
			p := parts[ref.id]
			if p == nil {
				continue
			}
			st := HistoryStat{Name: ref.name, Labels: ref.labels, Avg: p.sum / float64(p.n), Min: p.min, Max: p.max,
				Count: int(p.n), FirstAt: fromNanos(p.firstT), LastAt: fromNanos(p.lastT), Step: res.step}
			if st.First, err = r.valueAt(p.firstIn, ref.id, p.firstT, "first_v"); err != nil {
				return fmt.Errorf("first value: %w", err)
			}
			if st.Last, err = r.valueAt(p.lastIn, ref.id, p.lastT, "last_v"); err != nil {
				return fmt.Errorf("last value: %w", err)
			}
			out = append(out, st)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("aggregate history of %s: %w", name, err)
	}
	return out, nil
}

// partial is a series' aggregate over a window, computed by the database
// without its first and last values, which firstIn and lastIn hold.
type partial struct {
	agg
	firstIn, lastIn string
}

func (p *partial) merge(q partial) {
	if p.n == 0 || q.n > 0 && q.firstT < p.firstT {
		p.firstIn = q.firstIn
	}
	if p.n == 0 || q.n > 0 && q.lastT > p.lastT {
		p.lastIn = q.lastIn
	}
	p.agg.merge(q.agg)
}

// partials aggregates the window [f, t] of each series at res in SQL.
func (r *histReader) partials(res resolution, f, t int64) (map[int64]*partial, error) {
	out := map[int64]*partial{}
	add := func(table string) func(rows *sql.Rows) error {
		return func(rows *sql.Rows) error {
			var id int64
			var sum, lo, hi sql.NullFloat64
			p := partial{firstIn: table, lastIn: table}
			if err := rows.Scan(&id, &p.n, &sum, &lo, &hi, &p.firstT, &p.lastT); err != nil {
				return err
			}
			p.sum, p.min, p.max = value(sum), value(lo), value(hi)
			if out[id] == nil {
				out[id] = &partial{}
			}
			out[id].merge(p)
			return nil
		}
	}
	const buckets = "r.series_id, SUM(r.n), SUM(r.sum_v), MIN(r.min_v), MAX(r.max_v), MIN(r.first_t), MAX(r.last_t)"
	const group = " GROUP BY r.series_id"
	five := func(lo, hi int64) error {
		return r.clustered(buckets, "history_5m", "t", 5*time.Minute, lo, hi, "", nil, group, add("history_5m"))
	}
	switch res.step {
	case 0:
		// Only finite values, as in the rollups; the bounds are parameters
		// because SQLite and PostgreSQL spell infinity differently.
		err := r.clustered("r.series_id, COUNT(*), SUM(r.v), MIN(r.v), MAX(r.v), MIN(r.t), MAX(r.t)",
			"history_raw", "b", rawPart, bucket(f, rawPart), bucket(t, rawPart),
			" AND r.t >= ? AND r.t <= ? AND r.v >= ? AND r.v <= ?", []any{f, t, -math.MaxFloat64, math.MaxFloat64},
			group, add("history_raw"))
		return out, err
	case 5 * time.Minute:
		return out, five(bucket(f, 5*time.Minute), t)
	}
	lo, rolled := bucket(f, time.Hour), r.marks["rolled"]
	err := chunks(len(r.refs), func(a, b int) error {
		ids := r.ids(a, b)
		rows, err := r.query(`SELECT `+buckets+` FROM history_1h r WHERE r.series_id IN `+
			tuple(len(ids))+` AND r.t >= ? AND r.t <= ? AND r.t < ?`+group, append(ids, lo, t, rolled)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		each := add("history_1h")
		for rows.Next() {
			if err := each(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err == nil && bucket(t, time.Hour) >= rolled {
		// The hours not rolled up yet, whole, from their 5-minute buckets.
		err = five(max(lo, rolled), bucket(t, time.Hour)+int64(time.Hour-5*time.Minute))
	}
	return out, err
}

// valueAt reads the value at time at of series id from table: a raw
// sample's, or col (first_v, last_v) of the bucket at is in.
func (r *histReader) valueAt(table string, id, at int64, col string) (float64, error) {
	var v sql.NullFloat64
	var err error
	switch table {
	case "history_raw":
		err = r.queryRow(`SELECT v FROM history_raw WHERE b = $1 AND series_id = $2 AND t = $3`,
			bucket(at, rawPart), id, at).Scan(&v)
	case "history_5m":
		err = r.queryRow(`SELECT `+col+` FROM history_5m WHERE t = $1 AND series_id = $2`,
			bucket(at, 5*time.Minute), id).Scan(&v)
	default:
		err = r.queryRow(`SELECT `+col+` FROM history_1h WHERE series_id = $1 AND t = $2`,
			id, bucket(at, time.Hour)).Scan(&v)
	}
	return value(v), err
}
