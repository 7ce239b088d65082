package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/heraldhq/herald/internal/collect/series"
)

// seriesRef is a stored series that a query selected.
type seriesRef struct {
	id     int64
	name   string
	labels map[string]string
}

// selectSeries returns the series called name ("": of any name) whose
// labels match every matcher, in the order of their keys. A matcher on
// __name__ applies to the name. Matching is done here rather than in SQL
// because regular expressions are not portable; reading and decoding the
// labels of 2000 series takes a few milliseconds.
func selectSeries(ctx context.Context, tx *sql.Tx, name string, matchers []*labels.Matcher) ([]seriesRef, error) {
	q, args := `SELECT id, name, labels FROM history_series ORDER BY key`, []any(nil)
	if name != "" {
		q, args = `SELECT id, name, labels FROM history_series WHERE name = $1 ORDER BY key`, []any{name}
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find series: %w", err)
	}
	defer rows.Close()
	var out []seriesRef
	for rows.Next() {
		var r seriesRef
		var js string
		if err := rows.Scan(&r.id, &r.name, &js); err != nil {
			return nil, fmt.Errorf("find series: %w", err)
		}
		if err := json.Unmarshal([]byte(js), &r.labels); err != nil {
			return nil, fmt.Errorf("series %d: decode labels: %w", r.id, err)
		}
		if matchAll(r, matchers) {
			out = append(out, r)
		}
	}
	return out, rows.Err()
}

func matchAll(r seriesRef, matchers []*labels.Matcher) bool {
	for _, m := range matchers {
		v := r.labels[m.Name] // a missing label matches as "", as in Prometheus
		if m.Name == labels.MetricName {
			v = r.name
		}
		if !m.Matches(v) {
			return false
		}
	}
	return true
}

// QueryRange returns the points of the series called name ("": any, then
// a matcher on __name__ may choose) whose labels match matchers, between
// from and to (both included). It reads the finest resolution whose
// retention covers from (it was not pruned past from) and that gives each
// series at most maxPoints points: raw samples, else 5-minute buckets,
// else 1-hour buckets; when even these are more than maxPoints,
// consecutive ones are merged (exactly) into buckets of as many hours as
// needed. maxPoints <= 0 sets no limit. A bucket is a point at its start
// and counts whole, so the first may start before from. NaN samples are
// points with NaN values (gaps); series without points in the window are
// left out.
func (s *Store) QueryRange(ctx context.Context, name string, matchers []*labels.Matcher, from, to time.Time,
	maxPoints int) ([]HistorySeries, error) {
	if from.IsZero() || to.Before(from) {
		return nil, fmt.Errorf("query history of %s: the window from %s to %s is empty", name, from, to)
	}
	f, t := from.UnixNano(), to.UnixNano()
	var out []HistorySeries
	err := s.historyQuery(ctx, name, matchers, func(r *histReader) error {
		for i, res := range resolutions {
			coarsest := i == len(resolutions)-1
			if !coarsest && r.marks["cut "+res.name] > f {
				continue
			}
			if res.step == 0 {
				pts, err := r.rawPoints(f, t, maxPoints)
				if errors.Is(err, errTooManyPoints) {
					continue
				}
				out = historySeries(r.refs, pts, 0)
				return err
			}
			lo, hi := bucket(f, res.step), bucket(t, res.step)
			n := int((hi-lo)/int64(res.step)) + 1
			if !coarsest && maxPoints > 0 && n > maxPoints {
				continue
			}
			step := res.step
			if maxPoints > 0 && n > maxPoints {
				step *= time.Duration((n + maxPoints - 1) / maxPoints)
			}
			bs, err := r.buckets(res, lo, hi)
			out = historySeries(r.refs, points(bs, step), step)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("query history of %s: %w", name, err)
	}
	return out, nil
}

// points merges each series' buckets (by time) into points step apart.
func points(bs map[int64][]timedAgg, step time.Duration) map[int64][]HistoryPoint {
	out := make(map[int64][]HistoryPoint, len(bs))
	for id, b := range bs {
		var pts []HistoryPoint
		var cur agg
		var at int64
		flush := func() {
			if cur.n > 0 {
				pts = append(pts, HistoryPoint{T: fromNanos(at), Avg: cur.sum / float64(cur.n), Min: cur.min, Max: cur.max})
			}
		}
		for _, x := range b {
			if start := bucket(x.t, step); cur.n == 0 || start != at {
				flush()
				cur, at = agg{}, start
			}
			cur.merge(x.agg)
		}
		flush()
		out[id] = pts
	}
	return out
}

func historySeries(refs []seriesRef, pts map[int64][]HistoryPoint, step time.Duration) []HistorySeries {
	var out []HistorySeries
	for _, r := range refs {
		if p := pts[r.id]; len(p) > 0 {
			out = append(out, HistorySeries{Name: r.name, Labels: r.labels, Step: step, Points: p})
		}
	}
	return out
}

// Latest returns the newest sample of each series called name ("": any)
// whose labels match matchers; its value is NaN when it had none.
func (s *Store) Latest(ctx context.Context, name string, matchers []*labels.Matcher) ([]series.Sample, error) {
	var out []series.Sample
	err := s.historyQuery(ctx, name, matchers, func(r *histReader) error {
		latest := map[int64]series.Sample{}
		err := chunks(len(r.refs), func(lo, hi int) error {
			rows, err := r.query(`SELECT series_id, t, v FROM history_latest WHERE series_id IN `+
				tuple(hi-lo), r.ids(lo, hi)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id, at int64
				var v sql.NullFloat64
				if err := rows.Scan(&id, &at, &v); err != nil {
					return err
				}
				latest[id] = series.Sample{T: fromNanos(at), V: value(v)}
			}
			return rows.Err()
		})
		for _, ref := range r.refs {
			if l, ok := latest[ref.id]; ok {
				l.Name, l.Labels = ref.name, ref.labels
				out = append(out, l)
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("latest of %s: %w", name, err)
	}
	return out, nil
}
