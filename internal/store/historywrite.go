package store

import (
	"cmp"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// writeSamples is WriteSamples in the writer's transaction. It returns the
// 'rolled' mark it saw.
func (w *txWriter) writeSamples(b *sampleBatch) (int64, error) {
	st := newStmtCache(w)
	defer st.close()
	ids, err := w.seriesIDs(st, b.series)
	if err != nil {
		return 0, err
	}
	rolled, err := w.mark("rolled")
	if err != nil {
		return 0, err
	}
	rolling, err := w.mark("rolling")
	if err != nil {
		return 0, err
	}
	fresh, err := w.insertRaw(st, b, ids)
	if err != nil {
		return 0, err
	}
	five, hour := map[[2]int64]*agg{}, map[[2]int64]*agg{}
	latest := map[int64]rawSample{}
	for _, s := range fresh {
		if l, ok := latest[s.id]; !ok || s.t > l.t {
			latest[s.id] = s
		}
		if !rollable(s.v) {
			continue
		}
		addTo(five, [2]int64{bucket(s.t, 5*time.Minute), s.id}, s)
		if h := bucket(s.t, time.Hour); rolledUp(h, s.id, rolled, rolling) { // a late sample
			addTo(hour, [2]int64{s.id, h}, s)
		}
	}
	if err := w.upsertBuckets(st, "history_5m", "t, series_id", five); err != nil {
		return 0, err
	}
	if err := w.upsertBuckets(st, "history_1h", "series_id, t", hour); err != nil {
		return 0, err
	}
	return rolled, w.upsertLatest(st, latest)
}

// rawSample is a sample as stored.
type rawSample struct {
	id, t int64
	v     float64
}

func addTo(m map[[2]int64]*agg, key [2]int64, s rawSample) {
	a := m[key]
	if a == nil {
		a = &agg{}
		m[key] = a
	}
	a.add(s.t, s.v)
}

// seriesIDs returns the id of each series, creating those that are new.
func (w *txWriter) seriesIDs(st *stmtCache, ss []*seriesSamples) ([]int64, error) {
	ids := make([]int64, len(ss))
	index := make(map[string]int, len(ss))
	for i, s := range ss {
		index[s.key] = i
	}
	scan := func(rows *sql.Rows) error {
		defer rows.Close()
		for rows.Next() {
			var id int64
			var key string
			if err := rows.Scan(&id, &key); err != nil {
				return err
			}
			ids[index[key]] = id
		}
		return rows.Err()
	}
	err := chunks(len(ss), func(lo, hi int) error {
		args := make([]any, 0, hi-lo)
		for _, s := range ss[lo:hi] {
			args = append(args, s.key)
		}
		rows, err := st.query(`SELECT id, key FROM history_series WHERE key IN `+tuple(hi-lo), args...)
		if err != nil {
			return fmt.Errorf("find series: %w", err)
		}
		return scan(rows)
	})
	if err != nil {
		return nil, err
	}
	var missing []*seriesSamples
	for i, id := range ids {
		if id == 0 {
			missing = append(missing, ss[i])
		}
	}
	err = chunks(len(missing), func(lo, hi int) error {
		args := make([]any, 0, 3*(hi-lo))
		for _, s := range missing[lo:hi] {
			labels := s.labels
			if labels == nil {
				labels = map[string]string{}
			}
			js, err := json.Marshal(labels)
			if err != nil {
				return fmt.Errorf("series %s: %w", s.key, err)
			}
			args = append(args, s.name, s.key, string(js))
		}
		rows, err := st.query(`INSERT INTO history_series (name, key, labels) VALUES `+rowsOf(hi-lo, 3)+
			` RETURNING id, key`, args...)
		if err != nil {
			return fmt.Errorf("add series: %w", err)
		}
		return scan(rows)
	})
	return ids, err
}

// insertRaw inserts the batch's samples in key order and returns those
// that were not stored already: only they count in the rollups.
func (w *txWriter) insertRaw(st *stmtCache, b *sampleBatch, ids []int64) ([]rawSample, error) {
	all := make([]rawSample, 0, b.n)
	for i, s := range b.series {
		for _, p := range s.points {
			all = append(all, rawSample{ids[i], p.t, p.v})
		}
	}
	slices.SortFunc(all, func(a, b rawSample) int {
		return cmp.Or(cmp.Compare(bucket(a.t, rawPart), bucket(b.t, rawPart)), cmp.Compare(a.id, b.id), cmp.Compare(a.t, b.t))
	})
	fresh := make([]rawSample, 0, len(all))
	err := chunks(len(all), func(lo, hi int) error {
		args := make([]any, 0, 4*(hi-lo))
		for _, s := range all[lo:hi] {
			args = append(args, bucket(s.t, rawPart), s.id, s.t, sqlValue(s.v))
		}
		rows, err := st.query(`INSERT INTO history_raw (b, series_id, t, v) VALUES `+rowsOf(hi-lo, 4)+
			` ON CONFLICT DO NOTHING RETURNING series_id, t, v`, args...)
		if err != nil {
			return fmt.Errorf("insert samples: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var s rawSample
			var v sql.NullFloat64
			if err := rows.Scan(&s.id, &s.t, &v); err != nil {
				return err
			}
			s.v = value(v)
			fresh = append(fresh, s)
		}
		return rows.Err()
	})
	return fresh, err
}

// upsertBuckets merges aggs (by key, in the order of the table's primary
// key) into table's buckets. The comparisons are CASE expressions rather
// than SQLite's two-argument min and max (PostgreSQL's LEAST and
// GREATEST), so that the statement is the same on both.
func (w *txWriter) upsertBuckets(st *stmtCache, table, key string, aggs map[[2]int64]*agg) error {
	keys := sortedAggs(aggs)
	q := `INSERT INTO ` + table + ` (` + key + `, n, sum_v, min_v, max_v, first_t, first_v, last_t, last_v) VALUES %s
		ON CONFLICT (` + key + `) DO UPDATE SET n = T.n + excluded.n, sum_v = T.sum_v + excluded.sum_v,
		min_v = CASE WHEN excluded.min_v < T.min_v THEN excluded.min_v ELSE T.min_v END,
		max_v = CASE WHEN excluded.max_v > T.max_v THEN excluded.max_v ELSE T.max_v END,
		first_t = CASE WHEN excluded.first_t < T.first_t THEN excluded.first_t ELSE T.first_t END,
		first_v = CASE WHEN excluded.first_t < T.first_t THEN excluded.first_v ELSE T.first_v END,
		last_t = CASE WHEN excluded.last_t > T.last_t THEN excluded.last_t ELSE T.last_t END,
		last_v = CASE WHEN excluded.last_t > T.last_t THEN excluded.last_v ELSE T.last_v END`
	q = strings.ReplaceAll(q, "T.", table+".")
	return chunks(len(keys), func(lo, hi int) error {
		args := make([]any, 0, 10*(hi-lo))
		for _, k := range keys[lo:hi] {
			a := aggs[k]
			args = append(args, k[0], k[1], a.n, a.sum, a.min, a.max, a.firstT, a.firstV, a.lastT, a.lastV)
		}
		if _, err := st.exec(fmt.Sprintf(q, rowsOf(hi-lo, 10)), args...); err != nil {
			return fmt.Errorf("roll up into %s: %w", table, err)
		}
		return nil
	})
}

// upsertLatest keeps the newest sample of each series.
func (w *txWriter) upsertLatest(st *stmtCache, latest map[int64]rawSample) error {
	ids := make([]int64, 0, len(latest))
	for id := range latest {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return chunks(len(ids), func(lo, hi int) error {
		args := make([]any, 0, 3*(hi-lo))
		for _, id := range ids[lo:hi] {
			args = append(args, id, latest[id].t, sqlValue(latest[id].v))
		}
		_, err := st.exec(`INSERT INTO history_latest (series_id, t, v) VALUES `+rowsOf(hi-lo, 3)+`
			ON CONFLICT (series_id) DO UPDATE SET t = excluded.t, v = excluded.v
			WHERE excluded.t > history_latest.t`, args...)
		if err != nil {
			return fmt.Errorf("latest samples: %w", err)
		}
		return nil
	})
}
