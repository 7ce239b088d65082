package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/collect/series"
	"github.com/heraldhq/herald/internal/config"
)

func count(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.read.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPruneHistory checks what each retention removes, in batches of many
// turns, and the series left with nothing.
func TestPruneHistory(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	ctx := context.Background()
	day := 24 * time.Hour
	// 600 series (more than a turn visits) with one sample 500 days ago.
	old := make([]series.Sample, 600)
	for i := range old {
		old[i] = series.Sample{Name: "disk", Labels: map[string]string{"dev": fmt.Sprint(i)}, T: h0.Add(-500 * day), V: 1}
	}
	writeSamples(t, s, old...)
	// 20 days of one sample every 5 minutes.
	for d := range 20 {
		var day []series.Sample
		for m := 0; m < 1440; m += 5 {
			day = append(day, cpu("web", h0.Add(time.Duration(d)*24*time.Hour+time.Duration(m)*time.Minute), 1))
		}
		writeSamples(t, s, day...)
	}
	now := h0.Add(20 * day)
	got, err := s.PruneHistory(ctx, now, defaultRetention)
	if err != nil {
		t.Fatal(err)
	}
	// raw: before now-2d; 5m: before now-14d; 1h: before now-400d.
	want := HistoryPruned{Raw: 18*288 + 600, FiveMin: 6*288 + 600, Hour: 600, Series: 600}
	if got != want {
		t.Fatalf("pruned %+v, want %+v", got, want)
	}
	// The last hour ended at now: it is rolled up rollGrace later.
	for table, n := range map[string]int{"history_raw": 2 * 288, "history_5m": 14 * 288, "history_1h": 20*24 - 1,
		"history_series": 1, "history_latest": 1} {
		if c := count(t, s, table); c != n {
			t.Errorf("%s has %d rows, want %d", table, c, n)
		}
	}
	if again, err := s.PruneHistory(ctx, now, defaultRetention); again != (HistoryPruned{}) || err != nil {
		t.Fatalf("a second prune removed %+v (%v)", again, err)
	}

	// A longer retention brings nothing back: 5 days ago is still past raw.
	longer := defaultRetention
	longer.Raw = config.Duration(10 * day)
	if _, err := s.PruneHistory(ctx, now, longer); err != nil {
		t.Fatal(err)
	}
	if got := query(t, s, nil, now.Add(-5*day), now, 100000); len(got) != 1 || got[0].Step != 5*time.Minute {
		t.Fatalf("5 days after raw was cut at 2: %+v, want 5-minute buckets", got)
	}
}

// TestPruneHistoryKeepsForever checks that a retention of 0 keeps its
// resolution, and so every series.
func TestPruneHistoryKeepsForever(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	writeSamples(t, s, cpu("old", h0, 1), cpu("old", h0.Add(2*time.Hour), 2))
	ret := defaultRetention
	ret.Raw = 0
	got, err := s.PruneHistory(context.Background(), h0.Add(1000*24*time.Hour), ret)
	if err != nil {
		t.Fatal(err)
	}
	if want := (HistoryPruned{FiveMin: 2, Hour: 2}); got != want {
		t.Fatalf("pruned %+v, want %+v", got, want)
	}
	if count(t, s, "history_raw") != 2 || count(t, s, "history_series") != 1 {
		t.Fatal("raw samples kept forever were pruned, or their series")
	}
}
