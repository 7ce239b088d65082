// Package e2e runs whole Herald instances against a strict fake Telegram
// and, where installed, real Alertmanager processes.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/heraldhq/herald/internal/platforms"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/app"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

const (
	opsChat = int64(-1001234567890)
	devChat = int64(-1009876543210)
)

// nastyJob is a job label value with HTML and Markdown specials, CJK,
// Cyrillic and an emoji, which must show as written; the tests of
// platforms with specials of their own use theirs.
const nastyJob = `node<&>_*日本語 Узел 🚀`

// newFake starts a fake Telegram that knows the test chats.
func newFake(t *testing.T) *faketelegram.Server {
	return faketelegram.New(t, faketelegram.Config{Chats: []faketelegram.Chat{
		{ID: opsChat, Topics: []int64{7}}, {ID: devChat},
	}})
}

// configFor writes a herald.yml that sends critical alerts to the ops chat
// (topic 7) and everything else to the dev chat.
func configFor(t *testing.T, fake *faketelegram.Server, dir, extra string) string {
	t.Helper()
	return writeConfig(t, dir, "127.0.0.1:0", "5s", fmt.Sprintf(`telegram:
  bot_token: %s
  api_url: %s
channels:
  - name: ops
    telegram:
      chat_id: %d
      message_thread_id: 7
  - name: dev
    telegram:
      chat_id: %d
routes:
  - matchers: ['severity="critical"']
    channels: [ops]
default_channel: dev
%s`, fake.Token(), fake.URL(), opsChat, devChat, extra))
}

// writeConfig writes dir/herald.yml and returns its path: Herald listens
// on listen ("127.0.0.1:0" for any free port) and keeps its data in
// dir/data; with a timeout, it retries quickly and gives each attempt
// that long (otherwise delivery has Herald's defaults); sections follow.
func writeConfig(t testing.TB, dir, listen, timeout, sections string) string {
	t.Helper()
	cfg := fmt.Sprintf("listen_address: %s\ndata_dir: %s\n", listen, filepath.Join(dir, "data"))
	if timeout != "" {
		cfg += "delivery:\n  initial_backoff: 100ms\n  max_backoff: 1s\n  timeout: " + timeout + "\n"
	}
	path := filepath.Join(dir, "herald.yml")
	if err := os.WriteFile(path, []byte(cfg+sections), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// fakePrometheus is a Prometheus API that knows no rules and answers every
// range query with one slowly rising series for the instance of the real
// payload, over the range asked at the step asked (200 points at most):
// enough for Herald to chart any alert without a real Prometheus. It
// returns its URL.
func fakePrometheus(t *testing.T) string {
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

// herald is one running instance.
type herald struct {
	URL  string
	Log  *testutil.Buffer
	stop func()
}

// startHerald runs Herald from a config file until stop or the test's end.
func startHerald(t testing.TB, cfgPath string) *herald {
	t.Helper()
	return startHeraldWith(t, cfgPath, nil)
}

// startHeraldWith is startHerald with what the notifiers share preset
// (nil: a new notify.Shared), such as a robot's limit scaled for a test.
func startHeraldWith(t testing.TB, cfgPath string, shared *notify.Shared) *herald {
	t.Helper()
	logs := &testutil.Buffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	co, err := config.NewCoordinator(cfgPath, true, os.Getenv, logger, platforms.Configs())
	if err != nil {
		t.Fatal(err)
	}
	ready := make(chan string, 1)
	a := app.New(co, app.Options{Logger: logger, Stdout: io.Discard, Shared: shared, Ready: func(addr string) { ready <- addr }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	h := &herald{Log: logs}
	select {
	case addr := <-ready:
		h.URL = "http://" + addr
	case err := <-done:
		t.Fatalf("herald stopped: %v\n%s", err, logs)
	case <-time.After(10 * time.Second):
		t.Fatal("herald did not start")
	}
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("herald: %v", err)
			}
		})
	}
	t.Cleanup(func() {
		h.stop()
		if t.Failed() {
			t.Logf("herald log:\n%s", logs)
		}
	})
	return h
}

// post sends a webhook body and returns the status code and answer.
func (h *herald) post(t *testing.T, path, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(h.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// postAlerts posts body to /api/v1/alerts n times, as Alertmanager's
// retries and an HA peer do, and fails the test, saying what was posted,
// unless Herald accepts each.
func (h *herald) postAlerts(t *testing.T, what string, n int, body string) {
	t.Helper()
	for range n {
		if code, resp := h.post(t, "/api/v1/alerts", body); code != 200 {
			t.Fatalf("%s: %d %s", what, code, resp)
		}
	}
}

// realPayload is the captured Alertmanager 0.25 webhook body, with optional
// replacements.
func realPayload(t *testing.T, replace ...string) string {
	t.Helper()
	b, err := os.ReadFile("../alert/testdata/alertmanager-0.25-webhook-firing.json")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(s, replace[i]) {
			t.Fatalf("payload has no %q", replace[i])
		}
		s = strings.ReplaceAll(s, replace[i], replace[i+1])
	}
	return s
}

// resolvedPayload is realPayload, after the optional replacements, with
// its alert resolved ten minutes after it started.
func resolvedPayload(t *testing.T, replace ...string) string {
	t.Helper()
	return realPayload(t, slices.Concat(replace, []string{`"status": "firing"`, `"status": "resolved"`,
		`"0001-01-01T00:00:00Z"`, `"2026-11-21T04:19:41.067Z"`})...)
}

// withJob is the replacement for realPayload that gives its alert the job
// label value, written into the JSON as is (a quote must be escaped):
// label values with a platform's special characters must show as written.
func withJob(value string) []string {
	return []string{`"job": "node"`, `"job": "` + value + `"`}
}

// fetchPNG gets a chart by its link, as a platform that takes images by
// URL does, and fails the test unless it is a PNG.
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

// settle waits long enough for anything still queued to arrive, so that a
// test can check that nothing more did.
func settle() { time.Sleep(1500 * time.Millisecond) }

// httpGet returns the status code of a GET.
func httpGet(url string) (int, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
