package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/heraldhq/herald/internal/config"
)

// History is pruned by a method of its own rather than in Prune: its
// retention is collectors.retention, one per resolution, not
// storage.retention, and its rows go by time alone.

// historyPruneBatch bounds the rows one writer turn deletes, as pruneBatch
// does for deliveries; history rows are a few dozen bytes, deleted from
// the start of a range, so a turn takes milliseconds.
const historyPruneBatch = 5000

// historyPruneSeries bounds the series one turn visits in history_1h,
// which is ordered by series: each is a lookup, even with nothing to cut.
const historyPruneSeries = 500

// HistoryPruned counts what one PruneHistory removed.
type HistoryPruned struct {
	// Raw samples, 5-minute and 1-hour buckets.
	Raw, FiveMin, Hour int64
	// Series with no data left.
	Series int64
}

// PruneHistory deletes raw samples older than ret.Raw before now, 5-minute
// buckets older than ret.FiveMin and 1-hour buckets older than ret.Hour (a
// bucket goes once it ended before the cut), then the series that have no
// data left. A retention of 0 keeps that resolution whole. The hours that
// are over are rolled up first, so that no 5-minute bucket goes before its
// hour has it, and the cuts are recorded before rows go, so that queries
// stop choosing a resolution for times it no longer covers. Each writer
// turn deletes a bounded batch, so writes and ingests go on between them.
func (s *Store) PruneHistory(ctx context.Context, now time.Time, ret config.RetentionConfig) (HistoryPruned, error) {
	var total HistoryPruned
	if err := s.rollUp(ctx, bucket(now.Add(-rollGrace).UnixNano(), time.Hour)); err != nil {
		return total, fmt.Errorf("prune history: %w", err)
	}
	keep := [len(resolutions)]time.Duration{ret.Raw.D(), ret.FiveMin.D(), ret.Hour.D()}
	cuts, err := s.recordCuts(ctx, now, keep)
	if err != nil {
		return total, fmt.Errorf("prune history: record cuts: %w", err)
	}
	// What goes: raw samples before the cut, buckets that start before the
	// bucket the cut is in (they end by the cut).
	before := [len(resolutions)]int64{cuts[0], bucket(cuts[1], 5*time.Minute), bucket(cuts[2], time.Hour)}
	counts := [len(resolutions)]*int64{&total.Raw, &total.FiveMin, &total.Hour}
	for i, r := range resolutions {
		if keep[i] <= 0 {
			continue
		}
		if *counts[i], err = s.pruneTurns(ctx, pruneTurn(r, before[i])); err != nil {
			return total, fmt.Errorf("prune history %s: %w", r.name, err)
		}
	}
	if keep[0] <= 0 || keep[1] <= 0 || keep[2] <= 0 {
		return total, nil // a series keeps what a resolution keeps forever
	}
	// Every sample of a series is at most its latest: when that is older
	// than every cut, nothing of the series is left.
	empty := min(before[0], before[1], before[2])
	total.Series, err = s.pruneTurns(ctx, func(w *txWriter, _ int64) (int64, int64, bool, error) {
		n, err := w.pruneSeries(empty)
		return n, 0, n < historyPruneBatch, err
	})
	if err != nil {
		return total, fmt.Errorf("prune history series: %w", err)
	}
	return total, nil
}

// recordCuts records where each resolution with a retention is cut and
// returns the cuts (0 for the others). A cut never moves back: a longer
// retention brings nothing back.
func (s *Store) recordCuts(ctx context.Context, now time.Time, keep [len(resolutions)]time.Duration) (
	[len(resolutions)]int64, error) {
	var cuts [len(resolutions)]int64
	err := s.change(ctx, func(w *txWriter) error {
		for i, r := range resolutions {
			if keep[i] <= 0 {
				continue
			}
			cuts[i] = now.Add(-keep[i]).UnixNano()
			if _, err := w.exec(`INSERT INTO history_marks (name, t) VALUES ($1, $2) ON CONFLICT (name)
				DO UPDATE SET t = CASE WHEN excluded.t > history_marks.t THEN excluded.t ELSE history_marks.t END`,
				"cut "+r.name, cuts[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return cuts, err
}

// turnFunc is one writer turn of pruning: it starts after after and
// returns what it deleted, where the next turn starts and whether all is
// done.
type turnFunc func(w *txWriter, after int64) (n, next int64, done bool, err error)

// pruneTurn deletes a batch of r's rows before before. The tables ordered
// by time lose the start of their range; history_1h goes series by series.
func pruneTurn(r resolution, before int64) turnFunc {
	switch r.step {
	case 0:
		return func(w *txWriter, _ int64) (int64, int64, bool, error) {
			n, err := w.exec(`DELETE FROM history_raw WHERE (b, series_id, t) IN (SELECT b, series_id, t FROM history_raw
				WHERE b <= $1 AND t < $2 ORDER BY b, series_id, t LIMIT $3)`, bucket(before, rawPart), before, historyPruneBatch)
			return n, 0, n < historyPruneBatch, err
		}
	case 5 * time.Minute:
		return func(w *txWriter, _ int64) (int64, int64, bool, error) {
			n, err := w.exec(`DELETE FROM history_5m WHERE (t, series_id) IN (SELECT t, series_id FROM history_5m
				WHERE t < $1 ORDER BY t, series_id LIMIT $2)`, before, historyPruneBatch)
			return n, 0, n < historyPruneBatch, err
		}
	}
	return func(w *txWriter, after int64) (int64, int64, bool, error) { return w.pruneHours(before, after) }
}

// pruneTurns runs turn in writer turns until it is done and adds up what
// it deleted.
func (s *Store) pruneTurns(ctx context.Context, turn turnFunc) (int64, error) {
	var total, after int64
	for done := false; !done; {
		var n int64
		err := s.change(ctx, func(w *txWriter) (err error) {
			n, after, done, err = turn(w, after)
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// pruneHours deletes 1-hour buckets starting before before, series by
// series from the first with an id above after, until historyPruneBatch
// rows are gone or historyPruneSeries series were visited. It returns
// where the next turn starts and whether every series was done.
func (w *txWriter) pruneHours(before, after int64) (deleted, next int64, done bool, err error) {
	ids, err := w.seriesAfter(after)
	if err != nil {
		return 0, after, false, err
	}
	for _, id := range ids {
		left := historyPruneBatch - deleted
		// The row left rows in, if there is one, bounds this turn's share
		// of a series with more to delete than the turn may.
		bound := before
		err := w.tx.QueryRowContext(w.ctx, `SELECT t FROM history_1h WHERE series_id = $1 AND t < $2
			ORDER BY t LIMIT 1 OFFSET $3`, id, before, left).Scan(&bound)
		full := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return deleted, after, false, err
		}
		n, err := w.exec(`DELETE FROM history_1h WHERE series_id = $1 AND t < $2`, id, bound)
		if err != nil {
			return deleted, after, false, err
		}
		deleted += n
		if full {
			return deleted, id - 1, false, nil // the next turn goes on with this series
		}
		after = id
	}
	return deleted, after, len(ids) < historyPruneSeries, nil
}

// seriesAfter returns the ids of the next historyPruneSeries series after
// after.
func (w *txWriter) seriesAfter(after int64) ([]int64, error) {
	return w.ids(`SELECT id FROM history_series WHERE id > $1 ORDER BY id LIMIT $2`, after, historyPruneSeries)
}

// pruneSeries deletes up to historyPruneBatch series whose latest sample
// is older than before.
func (w *txWriter) pruneSeries(before int64) (int64, error) {
	found, err := w.ids(`SELECT series_id FROM history_latest WHERE t < $1 LIMIT $2`, before, historyPruneBatch)
	if err != nil {
		return 0, err
	}
	ids := make([]any, len(found))
	for i, id := range found {
		ids[i] = id
	}
	err = chunks(len(ids), func(lo, hi int) error {
		for _, table := range []string{"history_latest WHERE series_id", "history_series WHERE id"} {
			if _, err := w.exec(`DELETE FROM `+table+` IN `+tuple(hi-lo), ids[lo:hi]...); err != nil {
				return err
			}
		}
		return nil
	})
	return int64(len(ids)), err
}
