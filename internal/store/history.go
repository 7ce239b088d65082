package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/heraldhq/herald/internal/collect/series"
)

// The history of what the collectors gather is kept at three resolutions:
// raw samples, 5-minute and 1-hour rollups (migration 00006 says how the
// tables are laid out, and why). The 5-minute buckets are updated as
// samples are written, in the same transaction; the 1-hour ones are rolled
// up from them once the hour is over (plus rollGrace for late samples) by
// the next write, and queries take the hours not rolled up yet from the
// 5-minute buckets, so both are always current. A bucket keeps the sum and
// the count rather than the average, so that partial buckets merge
// exactly, and the times of its first and last samples, so that samples
// arriving out of order still leave the right first and last values.

// rollGrace is how long after an hour ends its samples may still arrive
// before it is rolled up; a later one is merged into its rolled-up hour.
const rollGrace = 5 * time.Minute

// rawPart is the time part of a raw sample's key (history_raw.b): a
// minute, so that a collector's round, one sample a series at about the
// same time, is written in key order at the end of the table, where pages
// fill up once. A query visits a key per minute and series.
const rawPart = time.Minute

// resolution is one resolution of the history.
type resolution struct {
	// name is its name in RetentionConfig and in history_marks ("cut "+name).
	name string
	// step is the bucket width; 0 for raw samples.
	step time.Duration
}

// resolutions are the history's resolutions, finest first.
var resolutions = [...]resolution{{"raw", 0}, {"5m", 5 * time.Minute}, {"1h", time.Hour}}

// HistoryPoint is one point of a series over time: a raw sample (Avg, Min
// and Max are its value) or a bucket starting at T.
type HistoryPoint struct {
	T             time.Time
	Avg, Min, Max float64
}

// HistorySeries is one series' points over a window.
type HistorySeries struct {
	Name   string
	Labels map[string]string
	// Step is the resolution of the points: 0 for raw samples, else the
	// width of a bucket (a multiple of 1h when even 1-hour buckets were
	// more than the points asked for).
	Step   time.Duration
	Points []HistoryPoint
}

// HistoryStat summarises one series over a window. NaN and infinite
// samples are not counted.
type HistoryStat struct {
	Name   string
	Labels map[string]string
	Avg    float64
	Min    float64
	Max    float64
	// First and Last are the first and last values counted, taken at
	// FirstAt and LastAt.
	First, Last     float64
	FirstAt, LastAt time.Time
	// Count is the number of samples counted.
	Count int
	// Step is the resolution that answered (0: raw samples).
	Step time.Duration
}

// WriteSamples stores samples and updates their rollups, in one
// transaction through the writer, as ingests are written. A sample whose
// series already has a sample at the same time is ignored, so a batch
// written twice counts once (while its raw samples are kept). NaN values
// are kept as raw samples (no value) but left out of the rollups, as are
// infinities, which would make a bucket's average meaningless. When the
// samples start a new hour (by their median time, so that one sample far
// off, from a clock ahead or a stale timestamp, neither rolls up an hour
// still open nor holds rolling back), the hours before it are rolled up
// afterwards, in writer turns of their own.
func (s *Store) WriteSamples(ctx context.Context, samples []series.Sample) error {
	if len(samples) == 0 {
		return nil
	}
	b, err := newSampleBatch(samples)
	if err != nil {
		return fmt.Errorf("write samples: %w", err)
	}
	var rolled int64
	err = s.change(ctx, func(w *txWriter) (err error) {
		rolled, err = w.writeSamples(b)
		return err
	})
	if err != nil {
		return fmt.Errorf("write %d samples: %w", len(samples), err)
	}
	if until := bucket(b.midT-int64(rollGrace), time.Hour); until > rolled {
		if err := s.rollUp(ctx, until); err != nil && ctx.Err() == nil {
			// The samples are stored; the next write rolls up again.
			s.logger.Warn("cannot roll up the history's 1-hour buckets", "err", err)
		}
	}
	return nil
}

// sampleBatch is a WriteSamples batch grouped by series, made before it
// reaches the writer so that the writer does only database work.
type sampleBatch struct {
	series []*seriesSamples
	n      int
	// midT is the median time of the samples.
	midT int64
}

// seriesSamples are a batch's samples of one series, by time, one per time.
type seriesSamples struct {
	name, key string
	labels    map[string]string
	points    []rawPoint
}

type rawPoint struct {
	t int64
	v float64
}

func newSampleBatch(samples []series.Sample) (*sampleBatch, error) {
	byKey := make(map[string]*seriesSamples)
	b := &sampleBatch{}
	times := make([]int64, len(samples))
	for i, sm := range samples {
		switch {
		case sm.Name == "":
			return nil, fmt.Errorf("sample %d has no name", i)
		case sm.T.IsZero():
			return nil, fmt.Errorf("sample %d (%s) has no time", i, sm.Name)
		}
		key := sm.Key()
		ss := byKey[key]
		if ss == nil {
			ss = &seriesSamples{name: sm.Name, key: key, labels: sm.Labels}
			byKey[key] = ss
			b.series = append(b.series, ss)
		}
		times[i] = sm.T.UnixNano()
		ss.points = append(ss.points, rawPoint{t: times[i], v: sm.V})
	}
	slices.Sort(times)
	b.midT = times[len(times)/2]
	for _, ss := range b.series {
		// The first of two samples at the same time wins, as it does
		// against a sample already stored.
		slices.SortStableFunc(ss.points, func(a, b rawPoint) int { return cmp.Compare(a.t, b.t) })
		ss.points = slices.CompactFunc(ss.points, func(a, b rawPoint) bool { return a.t == b.t })
		b.n += len(ss.points)
	}
	return b, nil
}

// agg is what a bucket, or a window, holds of finite samples. Two merge
// exactly, whatever the order.
type agg struct {
	n             int64
	sum, min, max float64
	firstT, lastT int64
	firstV, lastV float64
}

func (a *agg) add(t int64, v float64) {
	a.merge(agg{n: 1, sum: v, min: v, max: v, firstT: t, firstV: v, lastT: t, lastV: v})
}

func (a *agg) merge(b agg) {
	switch {
	case b.n == 0:
		return
	case a.n == 0:
		*a = b
		return
	}
	a.n, a.sum = a.n+b.n, a.sum+b.sum
	a.min, a.max = min(a.min, b.min), max(a.max, b.max)
	if b.firstT < a.firstT {
		a.firstT, a.firstV = b.firstT, b.firstV
	}
	if b.lastT > a.lastT {
		a.lastT, a.lastV = b.lastT, b.lastV
	}
}

// bucket is the start of the bucket of width step that t (nanoseconds) is
// in, buckets being aligned on the Unix epoch.
func bucket(t int64, step time.Duration) int64 {
	d := int64(step)
	b := t - t%d
	if t < 0 && t%d != 0 {
		b -= d
	}
	return b
}

// rollable says whether v goes into the rollups.
func rollable(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// sqlValue is v as stored: NULL for NaN, which SQLite would store as NULL
// anyway and PostgreSQL as a NaN that no aggregate skips.
func sqlValue(v float64) any {
	if math.IsNaN(v) {
		return nil
	}
	return v
}

// value is a stored value read back: NULL is NaN.
func value(v sql.NullFloat64) float64 {
	if !v.Valid {
		return math.NaN()
	}
	return v.Float64
}

// historyRead runs fn in one read transaction, so that what it reads is
// one snapshot, and notes the store's read health as every read does.
func (s *Store) historyRead(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err == nil {
		err = fn(tx)
		_ = tx.Rollback()
	}
	s.noteRead(err)
	return err
}
