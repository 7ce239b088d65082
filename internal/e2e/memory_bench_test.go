package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/faketelegram"
	"github.com/heraldhq/herald/internal/testutil/realproc"
)

// bigNotification is one Alertmanager notification of n alerts shaped like
// a real node alert (five labels, summary, description, a generator URL):
// about 600 bytes an alert, plus a label of extra bytes when extra > 0.
func bigNotification(n, extra int) []byte {
	type alertJSON struct {
		Status       string            `json:"status"`
		Labels       map[string]string `json:"labels"`
		Annotations  map[string]string `json:"annotations"`
		StartsAt     string            `json:"startsAt"`
		EndsAt       string            `json:"endsAt"`
		GeneratorURL string            `json:"generatorURL"`
		Fingerprint  string            `json:"fingerprint"`
	}
	alerts := make([]alertJSON, n)
	for i := range alerts {
		host := fmt.Sprintf("node-%05d.example:9100", i)
		alerts[i] = alertJSON{Status: "firing",
			Labels: map[string]string{"alertname": "HostHighCpuLoad", "instance": host, "job": "node",
				"severity": "warning", "team": "infra"},
			Annotations: map[string]string{"summary": "CPU load is high on " + host,
				"description": "CPU load is above 90% on " + host + " for 5 minutes (current value 93.2%)"},
			StartsAt: "2026-11-21T04:09:41.067Z", EndsAt: "0001-01-01T00:00:00Z",
			GeneratorURL: "http://prometheus.example:9090/graph?g0.expr=100+-+avg+by%28instance%29%28rate%28node_cpu_seconds_total%7Bmode%3D%22idle%22%7D%5B5m%5D%29%29+%2A+100+%3E+90&g0.tab=1",
			Fingerprint:  fmt.Sprintf("%016x", i)}
		if extra > 0 {
			alerts[i].Labels["extra"] = strings.Repeat("x", extra)
		}
	}
	b, _ := json.Marshal(map[string]any{"version": "4", "status": "firing", "receiver": "herald",
		"groupKey": `{}:{alertname="HostHighCpuLoad"}`, "groupLabels": map[string]string{"alertname": "HostHighCpuLoad"},
		"commonLabels": map[string]string{"alertname": "HostHighCpuLoad", "job": "node"}, "commonAnnotations": map[string]string{},
		"externalURL": "http://alertmanager.example:9093", "truncatedAlerts": 0, "alerts": alerts})
	return b
}

// BenchmarkNotification10kAlerts measures the herald binary receiving one
// notification of 10,000 alerts (6 MB, and 21 MB with a long label each) routed to two Telegram chats, from
// the webhook until every alert is delivered: its peak RSS (VmHWM, the
// figure in docs/benchmarks.md), the accept time and the delivery time.
// Each iteration starts a fresh Herald on an empty data directory.
func BenchmarkNotification10kAlerts(b *testing.B) {
	bin := buildHerald(b)
	for _, size := range []struct {
		name  string
		extra int
	}{{"6MB", 0}, {"21MB", 1500}} {
		b.Run(size.name, func(b *testing.B) { benchNotification(b, bin, bigNotification(10000, size.extra)) })
	}
}

func benchNotification(b *testing.B, bin string, body []byte) {
	const n = 10000
	const chatA, chatB = int64(515151), int64(525252)
	for i := 0; i < b.N; i++ {
		fake := faketelegram.New(b, faketelegram.Config{Chats: []faketelegram.Chat{{ID: chatA}, {ID: chatB}},
			Limits: faketelegram.Limits{Unlimited: true}})
		dir := b.TempDir()
		cfg := writeConfig(b, dir, "127.0.0.1:0", "", fmt.Sprintf(`webhook:
  max_body_size: 32MiB
telegram:
  bot_token: %s
  api_url: %s
  rate_limits: {per_chat: 1000, global: 1000}
channels:
  - name: a
    telegram: {chat_id: %d}
  - name: b
    telegram: {chat_id: %d}
routes:
  - matchers: ['alertname="HostHighCpuLoad"']
    channels: [a, b]
`, fake.Token(), fake.URL(), chatA, chatB))
		addr := realproc.FreePort(b)
		proc := runHerald(b, bin, filepath.Clean(cfg), addr)
		idle := procKiB(proc.Pid, "VmRSS")
		start := time.Now()
		resp, err := http.Post("http://"+addr+"/api/v1/alerts", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("webhook: %d", resp.StatusCode)
		}
		accepted := time.Since(start)
		inst := regexp.MustCompile(`node-\d{5}\.example:9100`)
		for {
			seen := map[string]bool{}
			for _, m := range fake.Messages() {
				for _, s := range inst.FindAllString(m.Plain, -1) {
					seen[fmt.Sprint(m.ChatID, s)] = true
				}
			}
			if len(seen) >= 2*n {
				break
			}
			if time.Since(start) > 5*time.Minute {
				b.Fatalf("%d of %d deliveries after %v", len(seen), 2*n, time.Since(start))
			}
			time.Sleep(200 * time.Millisecond)
		}
		delivered := time.Since(start)
		hwm := procKiB(proc.Pid, "VmHWM")
		b.ReportMetric(float64(hwm)/1024, "VmHWM-MiB")
		b.ReportMetric(float64(idle)/1024, "idle-RSS-MiB")
		b.ReportMetric(accepted.Seconds(), "accept-s")
		b.ReportMetric(delivered.Seconds(), "delivered-s")
		b.Logf("10,000 alerts (%d bytes) × 2 channels: accepted in %v, delivered in %v in %d messages; idle RSS %d KiB, VmHWM %d KiB",
			len(body), accepted.Round(time.Millisecond), delivered.Round(time.Millisecond), len(fake.Messages()), idle, hwm)
		proc.Kill()
	}
}
