// Package e2e runs whole Herald instances against a strict fake Telegram
// and, where installed, real Alertmanager processes.
package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/app"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/testutil"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

const (
	opsChat = int64(-1001234567890)
	devChat = int64(-1009876543210)
)

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
	cfg := fmt.Sprintf(`listen_address: 127.0.0.1:0
data_dir: %s
telegram:
  bot_token: %s
  api_url: %s
delivery:
  initial_backoff: 100ms
  max_backoff: 1s
  timeout: 5s
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
%s`, filepath.Join(dir, "data"), fake.Token(), fake.URL(), opsChat, devChat, extra)
	path := filepath.Join(dir, "herald.yml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
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
	logs := &testutil.Buffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	co, err := config.NewCoordinator(cfgPath, true, os.Getenv, logger)
	if err != nil {
		t.Fatal(err)
	}
	ready := make(chan string, 1)
	a := app.New(co, app.Options{Logger: logger, Stdout: io.Discard, Ready: func(addr string) { ready <- addr }})
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
