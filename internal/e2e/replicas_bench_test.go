package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/loadgen"
	"github.com/heraldhq/herald/internal/testutil"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
	"github.com/heraldhq/herald/internal/testutil/realpg"
	"github.com/heraldhq/herald/internal/testutil/realproc"
)

// benchReplicas starts n herald binaries sharing one store (PostgreSQL at
// dsn, or one SQLite data directory when dsn is "" and n is 1), delivering
// to a Telegram fake without limits, and returns their base URLs.
func benchReplicas(b *testing.B, bin string, n int, dsn string, fake *faketelegram.Server) []string {
	b.Helper()
	storage := ""
	if dsn != "" {
		storage = fmt.Sprintf("storage:\n  driver: postgres\n  dsn: %q\n  lease_duration: 3s\n", dsn)
	}
	var urls []string
	for i := range n {
		dir := b.TempDir()
		addr := realproc.FreePort(b)
		cfg := writeConfig(b, dir, addr, "", storage+fmt.Sprintf(`telegram:
  bot_token: %s
  api_url: %s
  rate_limits: {per_chat: 100000, global: 100000}
channels:
  - name: bench
    telegram: {chat_id: 4242}
`, fake.Token(), fake.URL()))
		runHerald(b, bin, cfg, addr)
		urls = append(urls, "http://"+addr)
		_ = i
	}
	return urls
}

// roundRobin is a reverse proxy that spreads requests over urls in turn,
// as a load balancer in front of replicas does.
func roundRobin(b *testing.B, urls []string) string {
	b.Helper()
	var next atomic.Uint64
	targets := make([]*url.URL, len(urls))
	for i, u := range urls {
		targets[i], _ = url.Parse(u)
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(targets[next.Add(1)%uint64(len(targets))])
		},
		Transport: &http.Transport{MaxIdleConnsPerHost: 256},
	}
	addr := realproc.FreePort(b)
	srv := &http.Server{Addr: addr, Handler: proxy}
	go srv.ListenAndServe()
	b.Cleanup(func() { srv.Close() })
	return "http://" + addr
}

// BenchmarkReplicaIngest is the replicated-mode ingest table of
// docs/benchmarks.md: 32 clients for 10 s through a round-robin proxy to
// one Herald on SQLite, one on PostgreSQL and three on one PostgreSQL, each
// delivering what it takes to a fake chat meanwhile. Run it with
// -benchtime 1x; it needs the real PostgreSQL.
func BenchmarkReplicaIngest(b *testing.B) {
	bin := buildHerald(b)
	pg := realpg.Start(b)
	for _, tc := range []struct {
		name     string
		replicas int
		postgres bool
	}{{"sqlite-1", 1, false}, {"postgres-1", 1, true}, {"postgres-3", 3, true}} {
		b.Run(tc.name, func(b *testing.B) {
			fake := faketelegram.New(b, faketelegram.Config{Chats: []faketelegram.Chat{{ID: 4242}},
				Limits: faketelegram.Limits{Unlimited: true}})
			dsn := ""
			if tc.postgres {
				dsn = pg.NewDatabase(b)
			}
			proxy := roundRobin(b, benchReplicas(b, bin, tc.replicas, dsn, fake))
			b.ResetTimer()
			var r loadgen.Result
			for range b.N {
				r = loadgen.Run(context.Background(), loadgen.Options{URL: proxy + "/api/v1/alerts", Clients: 32,
					Duration: 10 * time.Second})
			}
			b.StopTimer()
			// The requests in flight when the run's time is up are cut
			// off and count as failed; more than that is a failure.
			if r.Failed > 32 {
				b.Fatalf("%d notifications refused", r.Failed)
			}
			b.ReportMetric(r.PerSecond(), "notifications/s")
			b.ReportMetric(float64(r.P50.Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(r.P99.Microseconds())/1000, "p99-ms")
			b.Logf("%s: %v", tc.name, r)
		})
	}
}

// BenchmarkReplicaEndToEnd measures webhook in → fake Telegram accepted
// with two replicas on PostgreSQL: posted to the replica that dispatches,
// and posted to the other one, whose commit wakes the dispatcher through
// LISTEN/NOTIFY.
func BenchmarkReplicaEndToEnd(b *testing.B) {
	bin := buildHerald(b)
	pg := realpg.Start(b)
	fake := faketelegram.New(b, faketelegram.Config{Chats: []faketelegram.Chat{{ID: 4242}},
		Limits: faketelegram.Limits{Unlimited: true}})
	urls := benchReplicas(b, bin, 2, pg.NewDatabase(b), fake)
	holder := -1
	testutil.Poll(b, 20*time.Second, "a replica holding the dispatch lease", func() bool {
		for i, u := range urls {
			if leaseHeld(u, "dispatch") {
				holder = i
			}
		}
		return holder >= 0
	})
	sent := 0
	for _, tc := range []struct {
		name string
		url  string
	}{{"to-the-dispatcher", urls[holder]}, {"to-the-other-replica", urls[1-holder]}} {
		b.Run(tc.name, func(b *testing.B) {
			client := &http.Client{}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				resp, err := client.Post(tc.url+"/api/v1/alerts", "application/json",
					bytes.NewReader(loadgen.Body(t0.UnixNano(), 1, nil)))
				if err != nil || resp.StatusCode != 200 {
					b.Fatalf("post: %v %v", err, resp)
				}
				resp.Body.Close()
				sent++
				if _, err := fake.WaitMessages(sent, 10*time.Second); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}

// leaseHeld reads a replica's herald_lease_held for lease.
func leaseHeld(base, lease string) bool {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	want := `herald_lease_held{lease="` + lease + `"} 1`
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == want {
			return true
		}
	}
	return false
}
