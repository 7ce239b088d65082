package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/loadgen"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

// consoleConfig writes a configuration whose only channel prints to the
// console (discarded in tests), so that a benchmark measures Herald alone.
func consoleConfig(b testing.TB) string {
	return writeConfig(b, b.TempDir(), "127.0.0.1:0", "", "channels:\n  - name: console\n    console: {}\n")
}

// BenchmarkWebhookIngest posts one-alert notifications from 32 clients to a
// whole Herald (HTTP, decode, route, durable group commit, with the
// dispatcher delivering to the console at the same time).
func BenchmarkWebhookIngest(b *testing.B) {
	h := startHerald(b, consoleConfig(b))
	b.ResetTimer()
	r := loadgen.Run(context.Background(), loadgen.Options{URL: h.URL + "/api/v1/alerts", Clients: 32, Total: b.N})
	b.StopTimer()
	if r.Failed > 0 {
		b.Fatalf("%d requests failed", r.Failed)
	}
	b.ReportMetric(r.PerSecond(), "notifications/s")
	b.ReportMetric(float64(r.P50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(r.P99.Microseconds())/1000, "p99-ms")
}

// BenchmarkEndToEnd measures one alert from the webhook to the fake
// Telegram's acceptance, one at a time, without charts. The fake and Herald
// get generous rate limits so that the latency measured is Herald's own.
func BenchmarkEndToEnd(b *testing.B) {
	fake := faketelegram.New(b, faketelegram.Config{Chats: []faketelegram.Chat{{ID: 4242}},
		Limits: faketelegram.Limits{Unlimited: true}})
	h := startHerald(b, writeConfig(b, b.TempDir(), "127.0.0.1:0", "", fmt.Sprintf(`telegram:
  bot_token: %s
  api_url: %s
  rate_limits: {per_chat: 100000, global: 100000}
channels:
  - name: bench
    telegram: {chat_id: 4242}
`, fake.Token(), fake.URL())))
	client := &http.Client{}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		resp, err := client.Post(h.URL+"/api/v1/alerts", "application/json",
			bytes.NewReader(loadgen.Body(t0.UnixNano(), 1, nil)))
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("post: %v %v", err, resp)
		}
		resp.Body.Close()
		if _, err := fake.WaitMessages(i+1, 10*time.Second); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	if os.Getenv("HERALD_BENCH_DEBUG") != "" {
		b.Logf("slowest: %v", lat[max(0, len(lat)-10):])
	}
}
