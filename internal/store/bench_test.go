package store

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
)

// BenchmarkIngest measures durable ingest of one-alert notifications from
// many concurrent webhooks (group commit, synchronous=FULL).
func BenchmarkIngest(b *testing.B) {
	s := openTest(b, "")
	ingestParallel(b, s)
}

// BenchmarkIngestWhileDelivering is BenchmarkIngest with a delivery loop
// taking and recording messages at the same time, as in a running Herald.
func BenchmarkIngestWhileDelivering(b *testing.B) {
	s := openTest(b, "")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		sent := 0
		for ctx.Err() == nil {
			ds, err := s.Ready(ctx, "ops", time.Now(), 1)
			if err != nil || len(ds) == 0 {
				time.Sleep(time.Millisecond)
				continue
			}
			_ = s.Record(context.Background(), Outcome{Deliveries: ds, State: StateSent, At: time.Now()})
			sent++
		}
		done <- sent
	}()
	ingestParallel(b, s)
	cancel()
	b.ReportMetric(float64(<-done)/b.Elapsed().Seconds(), "delivered/s")
}

// ingestParallel stores b.N one-alert notifications, each a new episode,
// from 16 goroutines per core, and reports the rate.
func ingestParallel(b *testing.B, s *Store) {
	var seq atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			a := mkAlert(fmt.Sprint(n), "firing", time.Unix(n, 0))
			_, err := s.Ingest(context.Background(), &Ingest{Notification: notification("firing", a),
				Targets: [][]alert.Target{{{Channel: "ops", SendResolved: true}}}, ReceivedAt: time.Now()})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "notifications/s")
}
