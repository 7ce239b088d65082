package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakediscord"
)

// discordProm is a Prometheus API that knows no rules and answers every
// range query with one slowly rising series, so that Herald draws a chart
// of the alert's expression without a real Prometheus.
func discordProm(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v1/rules":
			fmt.Fprint(w, `{"status":"success","data":{"groups":[]}}`)
		case "/api/v1/query_range":
			_ = r.ParseForm()
			start, _ := strconv.ParseFloat(r.Form.Get("start"), 64)
			end, _ := strconv.ParseFloat(r.Form.Get("end"), 64)
			step, _ := strconv.ParseFloat(r.Form.Get("step"), 64)
			step = max(step, (end-start)/200, 1)
			var values [][2]any
			for ts, v := start, 10.0; ts <= end; ts, v = ts+step, v+0.5 {
				values = append(values, [2]any{ts, strconv.FormatFloat(v, 'f', 1, 64)})
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"status": "success", "data": map[string]any{
				"resultType": "matrix",
				"result":     []any{map[string]any{"metric": map[string]string{"instance": "node-2.example:9100"}, "values": values}},
			}})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// discordConfig writes a herald.yml whose only channel is the fake's webhook.
func discordConfig(t *testing.T, fake *fakediscord.Server, promURL string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := fmt.Sprintf(`listen_address: 127.0.0.1:0
data_dir: %s
prometheus:
  url: %s
graph:
  timeout: 5s
delivery:
  initial_backoff: 100ms
  max_backoff: 1s
  timeout: 10s
channels:
  - name: discord-ops
    discord:
      url: %s
      username: Herald
default_channel: discord-ops
`, filepath.Join(dir, "data"), promURL, fake.URL())
	path := filepath.Join(dir, "herald.yml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The real Alertmanager payload reaches the fake Discord as an embed with
// its chart uploaded; the resolution edits that message (green, the
// resolved chart in place of the firing one) and posts a short note. Each
// is delivered once although Alertmanager sent them several times.
func TestDiscordFiringAndResolved(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Config{})
	h := startHerald(t, discordConfig(t, fake, discordProm(t)))
	firing := realPayload(t, `"job": "node"`, `"job": "node<&>_*@everyone 日本語"`)
	for range 3 {
		if code, body := h.post(t, "/api/v1/alerts", firing); code != 200 {
			t.Fatalf("firing: %d %s", code, body)
		}
	}
	msgs, err := fake.WaitMessages(1, 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	first := msgs[0]
	if first.Username != "Herald" || len(first.Embeds) != 1 || first.AllowedMentions == nil || len(first.AllowedMentions.Parse) != 0 {
		t.Fatalf("firing message: %+v", first)
	}
	e := first.Embeds[0]
	if !strings.Contains(e.Title, "HostMemoryLow") || !strings.Contains(e.Title, "node-2.example:9100") || e.Color != 0xE74C3C {
		t.Errorf("firing embed: %q colour %06x", e.Title, e.Color)
	}
	if !strings.Contains(first.Text(), "node<&>_*@everyone 日本語") {
		t.Errorf("the job label is missing:\n%s", first.Text())
	}
	firingChart := first.Image()
	if firingChart == nil {
		t.Fatalf("no chart attached: %+v", first.Attachments)
	}
	if _, err := png.Decode(bytes.NewReader(firingChart)); err != nil {
		t.Fatalf("the chart is not a PNG: %v", err)
	}

	resolved := realPayload(t, `"job": "node"`, `"job": "node<&>_*@everyone 日本語"`,
		`"status": "firing"`, `"status": "resolved"`, `"0001-01-01T00:00:00Z"`, `"2026-11-21T04:19:41.067Z"`)
	for range 2 {
		if code, body := h.post(t, "/api/v1/alerts", resolved); code != 200 {
			t.Fatalf("resolved: %d %s", code, body)
		}
	}
	if _, err := fake.WaitMessages(2, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	settle()
	msgs = fake.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want the firing one and the resolved note", len(msgs))
	}
	edited := msgs[0]
	if len(edited.Edits) != 1 || !strings.Contains(edited.Embeds[0].Title, "RESOLVED") || edited.Embeds[0].Color != 0x2ECC71 {
		t.Errorf("the firing message was not edited to resolved: %d edits, %q", len(edited.Edits), edited.Embeds[0].Title)
	}
	if img := edited.Image(); img == nil || bytes.Equal(img, firingChart) || len(edited.Attachments) != 1 {
		t.Errorf("the resolved chart did not replace the firing one (%d attachments)", len(edited.Attachments))
	}
	if note := msgs[1].Embeds[0]; !strings.Contains(note.Description, "resolved after 10m") {
		t.Errorf("resolved note: %q", note.Description)
	}
	if st := fake.Stats(); st.TooManyRequests != 0 || st.Errors != 0 {
		t.Errorf("fake stats %+v", st)
	}
	if strings.Contains(h.Log.String(), fakediscord.DefaultToken) {
		t.Error("the webhook token appears in the log")
	}
}
