package store

import (
	"context"
	"fmt"
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

// dbBytes is the size of the database's pages (the WAL's included, since
// page_count counts pages the WAL holds).
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

// BenchmarkWriteSamples writes 100 hosts × 20 containers × 15 metrics =
// 30,000 samples a batch, each batch the next minute of series that exist
// already (the steady state), and reports the cost and the disk taken per
// sample.
func BenchmarkWriteSamples(b *testing.B) {
	s := openTest(b, "")
	ctx := context.Background()
	if err := s.WriteSamples(ctx, fleet(100, h0, 0)); err != nil { // the series are made once
		b.Fatal(err)
	}
	batches := make([][]series.Sample, b.N)
	for i := range batches {
		batches[i] = fleet(100, h0.Add(time.Duration(i+1)*time.Minute), i+1)
	}
	size := dbBytes(b, s)
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
}
