package store

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/collect/series"
)

// fleet is one minute's samples of hosts hosts running 20 containers with
// 15 metrics each, as the Docker collector gathers them.
func fleet(hosts int, at time.Time, minute int) []series.Sample {
	out := make([]series.Sample, 0, hosts*20*15)
	for h := range hosts {
		for c := range 20 {
			for m := range 15 {
				out = append(out, series.Sample{Name: fmt.Sprintf("herald_container_metric_%02d", m),
					Labels: map[string]string{"host": fmt.Sprintf("host-%03d", h), "container": fmt.Sprintf("app-%02d", c)},
					T:      at, V: float64((h*31+c*7+m+minute)%1000) / 10})
			}
		}
	}
	return out
}

// dbBytes is the size of the database's pages (page_count counts the pages
// the WAL holds too).
func dbBytes(tb testing.TB, s *Store) int64 {
	tb.Helper()
	var pages, size int64
	if err := s.write.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		tb.Fatal(err)
	}
	if err := s.write.QueryRow(`PRAGMA page_size`).Scan(&size); err != nil {
		tb.Fatal(err)
	}
	return pages * size
}

// written is what this process has written to files so far (wchar of
// /proc/self/io: the WAL, the checkpoints into the database), or -1 where
// there is no such file.
func written() int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "wchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return -1
}

// writeMinutes writes b.N batches of the next minutes of hosts hosts from
// start and reports the cost per sample, the disk it took and what was
// written to files for it.
func writeMinutes(b *testing.B, s *Store, hosts int, start time.Time) {
	ctx := context.Background()
	batches := make([][]series.Sample, b.N)
	for i := range batches {
		batches[i] = fleet(hosts, start.Add(time.Duration(i)*time.Minute), i)
	}
	size, w := dbBytes(b, s), written()
	b.ResetTimer()
	for i := range b.N {
		if err := s.WriteSamples(ctx, batches[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	n := float64(b.N * len(batches[0]))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/sample")
	b.ReportMetric(float64(dbBytes(b, s)-size)/n, "disk-B/sample")
	if w >= 0 {
		b.ReportMetric(float64(written()-w)/n, "written-B/sample")
	}
}

// BenchmarkWriteSamples writes 100 hosts × 20 containers × 15 metrics =
// 30,000 samples a batch, each batch the next minute of series that exist
// already.
func BenchmarkWriteSamples(b *testing.B) {
	s := openTest(b, "")
	if err := s.WriteSamples(context.Background(), fleet(100, h0, 0)); err != nil { // the series are made once
		b.Fatal(err)
	}
	writeMinutes(b, s, 100, h0.Add(time.Minute))
}

// BenchmarkWriteSamplesAged is BenchmarkWriteSamples for 10 hosts on a
// store that already holds a day of raw samples, two days of 5-minute
// and two weeks of 1-hour buckets of them (400 MiB), where each series has
// pages of its own in every table. -benchtime 70x crosses an hour, which
// is rolled up.
func BenchmarkWriteSamplesAged(b *testing.B) {
	s := openTest(b, "")
	ctx := context.Background()
	if err := s.WriteSamples(ctx, fleet(10, h0, 0)); err != nil {
		b.Fatal(err)
	}
	// Made by the database itself, in key order: writing them as samples
	// would take long.
	n := h0.UnixNano()
	for _, q := range []string{
		`INSERT INTO history_raw (b, series_id, t, v)
		 SELECT $1 - m.i * 60000000000, s.id, $1 - m.i * 60000000000, (s.id * 7 + m.i) % 1000 / 10.0
		 FROM (WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1440) SELECT i FROM c) m,
		 history_series s ORDER BY 1, 2, 3`,
		`INSERT INTO history_5m (t, series_id, n, sum_v, min_v, max_v, first_t, first_v, last_t, last_v)
		 SELECT $1 - m.i * 300000000000, s.id, 5, 250.5, 1.5, 99.5, $1 - m.i * 300000000000, 3.25,
		 $1 - m.i * 300000000000 + 240000000000, 7.75
		 FROM (WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 576) SELECT i FROM c) m,
		 history_series s ORDER BY 1, 2`,
		`INSERT INTO history_1h (series_id, t, n, sum_v, min_v, max_v, first_t, first_v, last_t, last_v)
		 SELECT s.id, $1 - m.i * 3600000000000, 60, 2500.5, 1.5, 99.5, $1 - m.i * 3600000000000, 3.25,
		 $1 - m.i * 3600000000000 + 3540000000000, 7.75
		 FROM history_series s,
		 (WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 336) SELECT i FROM c) m ORDER BY 1, 2`,
		`INSERT INTO history_marks (name, t) VALUES ('rolled', $1) ON CONFLICT (name) DO UPDATE SET t = excluded.t`,
	} {
		if _, err := s.write.ExecContext(ctx, q, n); err != nil {
			b.Fatal(err)
		}
	}
	writeMinutes(b, s, 10, h0.Add(time.Minute))
}

// BenchmarkRollUpHour rolls up an hour of 30,000 series (360,000 5-minute
// buckets) into 1-hour buckets, in turns of rollSeries series.
func BenchmarkRollUpHour(b *testing.B) {
	s := openTest(b, "")
	ctx := context.Background()
	b.StopTimer()
	for i := range b.N {
		h := h0.Add(time.Duration(2*i) * time.Hour)
		for m := 0; m < 60; m += 5 {
			if err := s.WriteSamples(ctx, fleet(100, h.Add(time.Duration(m)*time.Minute), m)); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		if err := s.rollUp(ctx, h.Add(time.Hour).UnixNano()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/(30000/rollSeries), "ms/turn")
}
