package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakeslack"
	"github.com/heraldhq/herald/internal/testutil/realproc"
)

const slackAlerts = "C0ALERTS01"

// slackConfig writes a herald.yml that listens on addr and sends every
// alert to two Slack channels: "hook" through the fake's incoming webhook
// and "bot" with its bot token, both into #alerts.
func slackConfig(t *testing.T, fake *fakeslack.Server, addr, extra string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := fmt.Sprintf(`listen_address: %s
data_dir: %s
delivery:
  initial_backoff: 100ms
  max_backoff: 1s
  timeout: 10s
channels:
  - name: hook
    slack:
      webhook_url: %s
  - name: bot
    slack:
      bot_token: %s
      channel: %s
      api_url: %s
routes:
  - matchers: []
    channels: [hook, bot]
default_channel: hook
%s`, addr, filepath.Join(dir, "data"), fake.WebhookURL(), fake.Token(), slackAlerts, fake.URL(), extra)
	path := filepath.Join(dir, "herald.yml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// slackProm is a Prometheus that knows no rules and answers every range
// query with a line for the instance of the real payload, enough for
// Herald to draw the alert's chart.
func slackProm(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v1/rules":
			fmt.Fprint(w, `{"status":"success","data":{"groups":[]}}`)
		case "/api/v1/query_range":
			start, _ := strconv.ParseFloat(r.Form.Get("start"), 64)
			end, _ := strconv.ParseFloat(r.Form.Get("end"), 64)
			step := max(1, func() float64 { s, _ := strconv.ParseFloat(r.Form.Get("step"), 64); return s }())
			var values [][2]any
			for ts, i := start, 0; ts <= end; ts, i = ts+step, i+1 {
				values = append(values, [2]any{ts, strconv.Itoa(30 + i%25)})
			}
			res := map[string]any{"resultType": "matrix", "result": []any{map[string]any{
				"metric": map[string]string{"instance": "node-2.example:9100", "job": "node"}, "values": values}}}
			_ = json.NewEncoder(w).Encode(map[string]any{"status": "success", "data": res})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// The real Alertmanager payload, posted several times as Alertmanager
// retries do, reaches Slack once per channel: through the webhook as a
// Block Kit message with the chart as an image by Herald's signed link,
// and with the bot token as a message plus its chart uploaded with the
// files API. Its resolution arrives once too: a new
// message through the webhook; with the bot, a reply in the firing
// message's thread with the resolved chart, and the firing message updated
// to show it resolved. Label values with Slack's control characters show
// as written and ping nobody.
func TestSlackFiringAndResolved(t *testing.T) {
	fake := fakeslack.New(t, fakeslack.Config{WebhookChannel: slackAlerts,
		Channels: []fakeslack.Channel{{ID: slackAlerts, Name: "alerts"}}})
	// Herald serves the charts of the webhook channel at its external URL,
	// so its port is chosen first.
	addr := realproc.FreePort(t)
	h := startHerald(t, slackConfig(t, fake, addr, fmt.Sprintf("external_url: http://%s\nprometheus:\n  url: %s\ngraph:\n  timeout: 5s\n",
		addr, slackProm(t))))
	nasty := `node <!channel> & <https://evil.example|click> 日本語 🚀`
	firing := realPayload(t, `"job": "node"`, `"job": "`+nasty+`"`)
	for range 3 {
		if code, body := h.post(t, "/api/v1/alerts", firing); code != 200 {
			t.Fatalf("firing: %d %s", code, body)
		}
	}
	msgs, err := fake.WaitMessages(2, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitFiles(1, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	var hook, bot fakeslack.Message
	for _, m := range msgs {
		if m.Webhook {
			hook = m
		} else {
			bot = m
		}
	}
	for _, m := range []fakeslack.Message{hook, bot} {
		if m.Channel != slackAlerts || m.Header != "🔥 HostMemoryLow · critical" {
			t.Errorf("firing message %+v", m)
		}
		for _, want := range []string{"node-2.example:9100", nasty, "started"} {
			if !strings.Contains(m.Plain, want) {
				t.Errorf("firing message lacks %q:\n%s", want, m.Plain)
			}
		}
		if len(m.Mentions) != 0 || len(m.Links) != 0 {
			t.Errorf("a label value became a mention %v or a link %v", m.Mentions, m.Links)
		}
		if len(m.Buttons) < 2 || m.Buttons[0].Text != "Source" || !strings.HasPrefix(m.Buttons[1].URL, "http://alertmanager.example:9093/#/silences/new?") {
			t.Errorf("buttons %+v", m.Buttons)
		}
	}
	files := fake.Files()
	if len(files) != 1 || files[0].Channel != slackAlerts || files[0].ThreadTS != "" {
		t.Fatalf("firing chart: %+v", files)
	}
	if _, err := png.Decode(bytes.NewReader(files[0].Bytes)); err != nil {
		t.Errorf("the uploaded chart is not a PNG: %v", err)
	}
	if len(hook.Images) != 1 || !strings.HasPrefix(hook.Images[0].URL, "http://"+addr+"/images/") {
		t.Fatalf("webhook chart: %+v", hook.Images)
	}
	if img := fetchPNG(t, hook.Images[0].URL); !bytes.Equal(img, files[0].Bytes) {
		t.Error("the chart by URL and the uploaded chart differ")
	}

	resolved := realPayload(t, `"job": "node"`, `"job": "`+nasty+`"`,
		`"status": "firing"`, `"status": "resolved"`, `"0001-01-01T00:00:00Z"`, `"2026-11-21T04:19:41.067Z"`)
	for range 2 {
		if code, body := h.post(t, "/api/v1/alerts", resolved); code != 200 {
			t.Fatalf("resolved: %d %s", code, body)
		}
	}
	if _, err := fake.WaitMessages(4, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitFiles(2, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	settle()
	msgs = fake.Messages()
	if len(msgs) != 4 || len(fake.Files()) != 2 {
		t.Fatalf("%d messages and %d files, want firing and resolved once per channel", len(msgs), len(fake.Files()))
	}
	hookResolved, botResolved := msgs[2], msgs[3]
	if !hookResolved.Webhook {
		hookResolved, botResolved = botResolved, hookResolved
	}
	if !strings.HasPrefix(hookResolved.Header, "✅ RESOLVED") || hookResolved.ThreadTS != "" {
		t.Errorf("webhook resolution %+v", hookResolved)
	}
	if !strings.HasPrefix(botResolved.Header, "✅ RESOLVED") || botResolved.ThreadTS != bot.TS {
		t.Errorf("bot resolution is not a reply in the firing message's thread: %+v", botResolved)
	}
	if updated, _ := fake.Message(slackAlerts, bot.TS); len(updated.Edits) != 1 || !strings.HasPrefix(updated.Header, "✅ RESOLVED") {
		t.Errorf("the firing message was not updated to resolved: %+v", updated)
	}
	if f := fake.Files()[1]; f.ThreadTS != bot.TS {
		t.Errorf("the resolved chart is not in the thread: %+v", f)
	}
	if st := fake.Stats(); st.TooManyRequests != 0 || st.Errors != 0 {
		t.Errorf("Slack refused something: %+v", st)
	}
	log := h.Log.String()
	for _, secret := range []string{fake.Token(), fake.WebhookURL(), fake.WebhookURL()[strings.LastIndex(fake.WebhookURL(), "/")+1:]} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds a secret %q", secret)
		}
	}
}

// fetchPNG gets a chart by its link, as Slack does for an image block.
func fetchPNG(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET chart: %d %s", resp.StatusCode, b)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Fatalf("the chart link does not give a PNG: %v", err)
	}
	return b
}
