package store

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/heraldhq/herald/internal/collect/series"
)

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
		want := agg{n: n, sum: sum, min: lo, max: hi, firstT: firstAt.UnixNano(), firstV: first,
			lastT: lastAt.UnixNano(), lastV: last}
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
		more, err = w.rollStep(h0.Add(time.Hour).UnixNano(), 1, 1) // series a only
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
	rows, err := s.read.Query(`SELECT s.key, h.n, h.sum_v, h.max_v FROM history_1h h
		JOIN history_series s ON s.id = h.series_id ORDER BY s.key`)
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
