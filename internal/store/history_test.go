package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"path/filepath"
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
	// Other series, so that reading one series visits its keys rather than
	// scanning the time range (TestHistoryMonth scans).
	for i := range 10 {
		writeSamples(t, s, series.Sample{Name: "cpu", Labels: map[string]string{"host": "h2", "container": fmt.Sprint(i)},
			T: h0.Add(time.Hour), V: 1})
	}
	web := []*labels.Matcher{matcher(t, labels.MatchEqual, "host", "h1")}
	query := func(t *testing.T, s *Store, _ []*labels.Matcher, from, to time.Time, maxPoints int) []HistorySeries {
		t.Helper()
		return query(t, s, web, from, to, maxPoints)
	}
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
	// The whole history, never pruned: raw samples, and no time visited
	// before the first (a minute at a time since 1970 would not end).
	all := one(query(t, s, nil, time.Unix(1, 0), h0.Add(10*time.Hour), 0))
	if all.Step != 0 || len(all.Points) != 120 {
		t.Errorf("all history: step %v, %d points", all.Step, len(all.Points))
	}
	stats, err := s.Aggregate(context.Background(), "cpu", web, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if want := (HistoryStat{Name: "cpu", Avg: 59.5, Min: 0, Max: 119, First: 0, Last: 119, Count: 120, FirstAt: h0,
		LastAt: h0.Add(119 * time.Minute)}); len(stats) != 1 || !sameStat(stats[0], want) {
		t.Errorf("aggregate of all history: %+v, want %+v", stats, want)
	}
	if _, err := s.QueryRange(context.Background(), "cpu", nil, h0, h0.Add(-time.Second), 0); err == nil {
		t.Error("a window that ends before it starts was accepted")
	}
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
		if werr == nil || !s.eng.fault(werr) {
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
