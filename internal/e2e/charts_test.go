package e2e

import (
	"bytes"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/faketelegram"
	"github.com/heraldhq/herald/internal/testutil/realproc"
)

// exporter serves one gauge whose value the test sets.
func exporter(t *testing.T, v *atomic.Int64) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "# TYPE herald_test_queue_depth gauge\nherald_test_queue_depth %d\n", v.Load())
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// Real Prometheus scraping node_exporter and two instances of a small
// exporter, a rule that fires for one instance, real Alertmanager sending to
// Herald, and the fake Telegram receiving a photo of the failing instance's
// metric; the resolution edits the photo.
func TestChartsWithRealPrometheus(t *testing.T) {
	node := realproc.StartNodeExporter(t)
	var hot, cold atomic.Int64
	hot.Store(50)
	cold.Store(3)
	hotAddr, coldAddr := exporter(t, &hot), exporter(t, &cold)

	rules := `groups:
  - name: herald-e2e
    rules:
      - alert: QueueTooDeep
        expr: herald_test_queue_depth > 10
        for: 2s
        labels: {severity: critical}
        annotations: {summary: "queue depth {{ $value }} on {{ $labels.instance }}"}
      - alert: NodeMemoryVisible
        expr: (node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100) < 101
        for: 1s
        labels: {severity: warning}
`
	// Herald needs Prometheus' URL, Prometheus Alertmanager's, Alertmanager
	// Herald's: reserve Prometheus' port first.
	promAddr := realproc.FreePort(t)
	fake := newFake(t)
	h := startHerald(t, configFor(t, fake, t.TempDir(), fmt.Sprintf("prometheus:\n  url: http://%s\ngraph:\n  timeout: 5s\n", promAddr)))
	am := realproc.StartAlertmanager(t, h.URL+"/api/v1/alerts")
	realproc.StartPrometheus(t, promAddr, map[string][]string{"queue": {hotAddr, coldAddr}, "node": {node}}, rules, am.URL)

	// The firing alert of the hot instance arrives as a photo.
	var photo []byte
	deadline := time.Now().Add(60 * time.Second)
	for photo == nil {
		for _, m := range fake.Messages() {
			if strings.Contains(m.Plain, "QueueTooDeep") && m.Photo != nil {
				photo = m.Photo
				if !strings.Contains(m.Plain, hotAddr) || strings.Contains(m.Plain, coldAddr) {
					t.Fatalf("the firing message is not about the hot instance only:\n%s", m.Plain)
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no chart for QueueTooDeep; messages: %d\n", len(fake.Messages()))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if dir := os.Getenv("HERALD_SAVE_CHARTS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "queue-too-deep.png"), photo, 0o644)
	}
	img, err := png.Decode(bytes.NewReader(photo))
	if err != nil || img.Bounds().Dx() != 1200 || img.Bounds().Dy() != 600 {
		t.Fatalf("chart: %v %v", err, img.Bounds())
	}
	// The chart's query selected the failing instance only.
	if log := h.Log.String(); !strings.Contains(log, `herald_test_queue_depth{instance=\"`+hotAddr+`\"}`) {
		t.Fatalf("the chart query does not select the failing instance:\n%s", grepLines(log, "chart"))
	}
	// A rule on node_exporter's metrics is charted too.
	deadline = time.Now().Add(30 * time.Second)
	for !hasPhoto(fake.Messages(), "NodeMemoryVisible") {
		if time.Now().After(deadline) {
			t.Fatal("no chart for NodeMemoryVisible")
		}
		time.Sleep(200 * time.Millisecond)
	}

	// Resolve: the firing photo is edited to the resolved chart.
	hot.Store(1)
	deadline = time.Now().Add(60 * time.Second)
	for {
		resolved := false
		for _, m := range fake.Messages() {
			if strings.Contains(m.Plain, "QueueTooDeep") && m.Photo != nil && len(m.Edits) > 0 &&
				strings.Contains(strings.ToUpper(m.Plain), "RESOLVED") {
				resolved = true
			}
		}
		if resolved {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the QueueTooDeep photo was not edited to resolved")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func hasPhoto(msgs []faketelegram.Message, name string) bool {
	for _, m := range msgs {
		if strings.Contains(m.Plain, name) && m.Photo != nil {
			return true
		}
	}
	return false
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
