package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/heraldhq/herald/internal/collect/series"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/testutil"
)

// h0 is the start of an hour, so that buckets are easy to count.
var h0 = time.Date(2026, 11, 21, 4, 0, 0, 0, time.UTC)

// defaultRetention is collectors.retention's default: raw 2d, 5m 14d, 1h 400d.
var defaultRetention = config.DefaultCollectorsConfig().Retention

func cpu(container string, at time.Time, v float64) series.Sample {
	return series.Sample{Name: "cpu", Labels: map[string]string{"host": "h1", "container": container}, T: at, V: v}
}

func writeSamples(t testing.TB, s *Store, samples ...series.Sample) {
	t.Helper()
	if err := s.WriteSamples(context.Background(), samples); err != nil {
		t.Fatal(err)
	}
}

// minutes are samples of cpu{container=c} every minute from start, the
// value being f of the minute's index.
func minutes(c string, start time.Time, n int, f func(i int) float64) []series.Sample {
	out := make([]series.Sample, n)
	for i := range out {
		out[i] = cpu(c, start.Add(time.Duration(i)*time.Minute), f(i))
	}
	return out
}

func query(t *testing.T, s *Store, ms []*labels.Matcher, from, to time.Time, maxPoints int) []HistorySeries {
	t.Helper()
	got, err := s.QueryRange(context.Background(), "cpu", ms, from, to, maxPoints)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func matcher(t *testing.T, mt labels.MatchType, name, value string) *labels.Matcher {
	t.Helper()
	m, err := labels.NewMatcher(mt, name, value)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func point(at time.Time, avg, lo, hi float64) HistoryPoint {
	return HistoryPoint{T: at, Avg: avg, Min: lo, Max: hi}
}

func samePoints(a, b []HistoryPoint) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].T.Equal(b[i].T) || !sameFloat(a[i].Avg, b[i].Avg) || !sameFloat(a[i].Min, b[i].Min) ||
			!sameFloat(a[i].Max, b[i].Max) {
			return false
		}
	}
	return true
}

func sameFloat(a, b float64) bool {
	return a == b || math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) < 1e-9*math.Max(1, math.Abs(a))
}

// TestHistoryRoundTrip writes two hours of one-minute samples and reads
// them back at each resolution, maxPoints choosing which.
func TestHistoryRoundTrip(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	writeSamples(t, s, minutes("web", h0, 120, func(i int) float64 { return float64(i) })...)
	one := func(got []HistorySeries) HistorySeries {
		t.Helper()
		if len(got) != 1 || got[0].Labels["container"] != "web" || got[0].Name != "cpu" {
			t.Fatalf("got %+v, want cpu{container=web}", got)
		}
		return got[0]
	}

	raw := one(query(t, s, nil, h0.Add(10*time.Minute), h0.Add(14*time.Minute), 5))
	want := []HistoryPoint{}
	for i := 10; i <= 14; i++ {
		want = append(want, point(h0.Add(time.Duration(i)*time.Minute), float64(i), float64(i), float64(i)))
	}
	if raw.Step != 0 || !samePoints(raw.Points, want) {
		t.Errorf("raw: step %v, points %+v, want %+v", raw.Step, raw.Points, want)
	}

	// 5 points asked, 6 samples in the window: 5-minute buckets, whole.
	five := one(query(t, s, nil, h0.Add(10*time.Minute), h0.Add(15*time.Minute), 5))
	want = []HistoryPoint{point(h0.Add(10*time.Minute), 12, 10, 14), point(h0.Add(15*time.Minute), 17, 15, 19)}
	if five.Step != 5*time.Minute || !samePoints(five.Points, want) {
		t.Errorf("5m: step %v, points %+v, want %+v", five.Step, five.Points, want)
	}

	// The whole two hours in 2 points: 24 five-minute buckets are too many.
	hour := one(query(t, s, nil, h0, h0.Add(119*time.Minute), 2))
	want = []HistoryPoint{point(h0, 29.5, 0, 59), point(h0.Add(time.Hour), 89.5, 60, 119)}
	if hour.Step != time.Hour || !samePoints(hour.Points, want) {
		t.Errorf("1h: step %v, points %+v, want %+v", hour.Step, hour.Points, want)
	}

	// One point for two hours: the 1-hour buckets merge exactly.
	merged := one(query(t, s, nil, h0, h0.Add(119*time.Minute), 1))
	want = []HistoryPoint{point(h0, 59.5, 0, 119)}
	if merged.Step != 2*time.Hour || !samePoints(merged.Points, want) {
		t.Errorf("merged: step %v, points %+v, want %+v", merged.Step, merged.Points, want)
	}

	if got := query(t, s, nil, h0.Add(-time.Hour), h0.Add(-time.Minute), 0); len(got) != 0 {
		t.Errorf("a window without samples returned %+v", got)
	}
	if _, err := s.QueryRange(context.Background(), "cpu", nil, h0, h0.Add(-time.Second), 0); err == nil {
		t.Error("a window that ends before it starts was accepted")
	}
}

// TestHistoryRollupMaths writes one 5-minute bucket in several batches,
// out of order, with NaN, infinite and repeated samples, and checks what
// the bucket and the queries make of it.
func TestHistoryRollupMaths(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	ctx := context.Background()
	at := func(sec int) time.Time { return h0.Add(time.Duration(sec) * time.Second) }
	for _, batch := range [][]series.Sample{
		{cpu("db", at(60), 4), cpu("db", at(120), math.NaN())},
		{cpu("db", at(30), 10), cpu("db", at(30), 99)}, // the first of two at the same time wins
		{cpu("db", at(240), math.Inf(1)), cpu("db", at(180), -2)},
		{cpu("db", at(60), 1000)}, // already stored: ignored
		{cpu("db", at(299), 7), cpu("db", at(0), 1)},
	} {
		writeSamples(t, s, batch...)
	}
	// Finite samples: 1@0 10@30 4@60 -2@180 7@299.
	bucketIs := func(q string, n int64, sum, lo, hi, first float64, firstAt time.Time, last float64, lastAt time.Time) {
		t.Helper()
		var a agg
		err := s.read.QueryRowContext(ctx, `SELECT n, sum_v, min_v, max_v, first_t, first_v, last_t, last_v FROM `+q).
			Scan(&a.n, &a.sum, &a.min, &a.max, &a.firstT, &a.firstV, &a.lastT, &a.lastV)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		want := agg{n: n, sum: sum, min: lo, max: hi, firstT: firstAt.UnixNano(), firstV: first, lastT: lastAt.UnixNano(), lastV: last}
		if a != want {
			t.Errorf("%s: %+v, want %+v", q, a, want)
		}
	}
	bucketIs("history_5m", 5, 20, -2, 10, 1, at(0), 7, at(299))
	var hours int
	if err := s.read.QueryRow(`SELECT COUNT(*) FROM history_1h`).Scan(&hours); err != nil || hours != 0 {
		t.Fatalf("%d 1-hour buckets (%v) before the hour is over", hours, err)
	}
	// A sample after the hour and its grace rolls the hour up; a sample
	// that comes later still is merged into both.
	writeSamples(t, s, cpu("db", h0.Add(time.Hour+rollGrace), 50))
	bucketIs("history_1h WHERE t = "+fmt.Sprint(h0.UnixNano()), 5, 20, -2, 10, 1, at(0), 7, at(299))
	writeSamples(t, s, cpu("db", at(200), -3))
	bucketIs("history_1h WHERE t = "+fmt.Sprint(h0.UnixNano()), 6, 17, -3, 10, 1, at(0), 7, at(299))
	bucketIs("history_5m WHERE t = "+fmt.Sprint(h0.UnixNano()), 6, 17, -3, 10, 1, at(0), 7, at(299))
	writeSamples(t, s, cpu("db", at(299), 1000)) // already stored: ignored
	bucketIs("history_1h WHERE t = "+fmt.Sprint(h0.UnixNano()), 6, 17, -3, 10, 1, at(0), 7, at(299))
	if got := query(t, s, nil, h0, h0.Add(time.Hour), 1); len(got) != 1 || got[0].Step != 2*time.Hour ||
		!samePoints(got[0].Points, []HistoryPoint{point(h0, 67.0/7, -3, 50)}) {
		t.Fatalf("1h: %+v, want the rolled-up hour and the next one merged", got)
	}
	raw := query(t, s, nil, at(0), at(299), 0)
	if len(raw) != 1 || len(raw[0].Points) != 8 || !math.IsNaN(raw[0].Points[3].Avg) {
		t.Fatalf("raw: %+v, want 8 samples, the fourth NaN", raw)
	}
	five := query(t, s, nil, at(0), at(299), 1)
	if want := []HistoryPoint{point(h0, 17.0/6, -3, 10)}; len(five) != 1 || !samePoints(five[0].Points, want) {
		t.Fatalf("5m: %+v, want %+v", five, want)
	}
	stats, err := s.Aggregate(ctx, "cpu", nil, at(0), at(299))
	if err != nil {
		t.Fatal(err)
	}
	want := HistoryStat{Name: "cpu", Avg: 17.0 / 6, Min: -3, Max: 10, First: 1, Last: 7, Count: 6,
		FirstAt: at(0), LastAt: at(299)}
	if len(stats) != 1 || !sameStat(stats[0], want) {
		t.Fatalf("aggregate: %+v, want %+v", stats, want)
	}
}

func sameStat(a, b HistoryStat) bool {
	return a.Name == b.Name && sameFloat(a.Avg, b.Avg) && a.Min == b.Min && a.Max == b.Max && a.First == b.First &&
		a.Last == b.Last && a.Count == b.Count && a.FirstAt.Equal(b.FirstAt) && a.LastAt.Equal(b.LastAt) &&
		a.Step == b.Step
}

// TestHistoryRestart checks that history is still there after a restart.
func TestHistoryRestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "herald.db")
	s := openTest(t, path)
	writeSamples(t, s, minutes("web", h0, 10, func(i int) float64 { return float64(i) })...)
	before := query(t, s, nil, h0, h0.Add(time.Hour), 0)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, path)
	after := query(t, s, nil, h0, h0.Add(time.Hour), 0)
	if len(after) != 1 || !samePoints(after[0].Points, before[0].Points) || len(after[0].Points) != 10 {
		t.Fatalf("after a restart: %+v, want %+v", after, before)
	}
	// The series is found again, not made twice; its rollups go on.
	writeSamples(t, s, minutes("web", h0.Add(10*time.Minute), 5, func(i int) float64 { return 10 + float64(i) })...)
	var n int
	if err := s.read.QueryRow(`SELECT COUNT(*) FROM history_series`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d series (%v), want 1", n, err)
	}
	if got := query(t, s, nil, h0, h0.Add(14*time.Minute), 1); len(got) != 1 || got[0].Points[0].Avg != 7 {
		t.Fatalf("1h after a restart: %+v, want an average of 0..14", got)
	}
}

// TestHistoryHealth checks that history writes fail like ingests on a
// damaged store and on a full disk, and that the store recovers.
func TestHistoryHealth(t *testing.T) {
	t.Run("damaged", func(t *testing.T) {
		t.Parallel()
		s := openTest(t, "")
		s.health.damaged = errors.New("database disk image is malformed")
		if err := s.WriteSamples(context.Background(), []series.Sample{cpu("a", h0, 1)}); !errors.Is(err, ErrDamaged) {
			t.Fatalf("WriteSamples on a damaged store = %v, want ErrDamaged", err)
		}
	})
	t.Run("disk full", func(t *testing.T) {
		dir := testutil.Tmpfs(t, 4<<20)
		s, err := Open(context.Background(), filepath.Join(dir, "herald.db"), Options{ProbeEvery: time.Nanosecond},
			slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		ctx := context.Background()
		writeSamples(t, s, cpu("a", h0, 1))
		free := testutil.FillDisk(t, dir)
		var werr error
		for i := 0; i < 50 && werr == nil; i++ {
			werr = s.WriteSamples(ctx, minutes("a", h0.Add(time.Duration(i)*24*time.Hour), 1000,
				func(i int) float64 { return float64(i) }))
		}
		if werr == nil || !storageFault(werr) {
			t.Fatalf("WriteSamples on a full disk: %v, want a storage fault", werr)
		}
		if err := s.Ping(ctx); err == nil {
			t.Fatal("Ping on a full disk: ready")
		}
		free()
		if err := s.Ping(ctx); err != nil {
			t.Fatalf("Ping after space came back: %v", err)
		}
		writeSamples(t, s, cpu("a", h0.Add(-time.Hour), 1))
	})
}

// TestHistoryRollUpInProgress checks that samples arriving while an hour
// is being rolled up, series by series, count once in it, whether their
// series was rolled up already or not.
func TestHistoryRollUpInProgress(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	ctx := context.Background()
	for _, c := range []string{"a", "b", "c"} { // ids 1, 2, 3
		writeSamples(t, s, minutes(c, h0, 60, func(i int) float64 { return float64(i) })...)
	}
	var more bool
	err := s.change(ctx, func(w *txWriter) (err error) {
		more, err = w.rollStep(h0.Add(time.Hour).UnixNano(), 1) // series a only
		return err
	})
	if err != nil || !more {
		t.Fatalf("rollStep = %v, %v", more, err)
	}
	late := h0.Add(30*time.Minute + time.Second)
	writeSamples(t, s, cpu("a", late, 1000), cpu("c", late, 1000))
	// Queries take the hour from its 5-minute buckets until it is done.
	want := []HistoryPoint{point(h0, (1770+1000)/61.0, 0, 1000)}
	for _, c := range []string{"a", "c"} {
		got := query(t, s, []*labels.Matcher{matcher(t, labels.MatchEqual, "container", c)}, h0, h0.Add(59*time.Minute), 1)
		if len(got) != 1 || got[0].Step != time.Hour || !samePoints(got[0].Points, want) {
			t.Fatalf("%s during the roll-up: %+v, want %+v", c, got, want)
		}
	}
	if err := s.rollUp(ctx, h0.Add(time.Hour).UnixNano()); err != nil {
		t.Fatal(err)
	}
	rows, err := s.read.Query(`SELECT s.key, h.n, h.sum_v, h.max_v FROM history_1h h JOIN history_series s ON s.id = h.series_id
		ORDER BY s.key`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var key string
		var n int
		var sum, hi float64
		if err := rows.Scan(&key, &n, &sum, &hi); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %d %g %g", key, n, sum, hi))
	}
	wantRows := []string{`cpu{container="a",host="h1"} 61 2770 1000`, `cpu{container="b",host="h1"} 60 1770 59`,
		`cpu{container="c",host="h1"} 61 2770 1000`}
	if !slices.Equal(got, wantRows) {
		t.Fatalf("1-hour buckets:\n%q\nwant\n%q", got, wantRows)
	}
}
