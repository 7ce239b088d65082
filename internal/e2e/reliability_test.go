package e2e

import (
	"context"
	"fmt"
	"github.com/heraldhq/herald/internal/platforms"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/app"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/testutil"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

// instancePayload is the real payload for one distinct instance: its own
// fingerprint, so that each is a separate alert event.
func instancePayload(t *testing.T, inst string) string {
	return realPayload(t, "node-2.example:9100", inst, `"b452131657f3bca1"`, `"fp-`+inst+`"`)
}

// TestNothingLostThroughFaults sends bursts of alerts through a platform
// outage, a reload with an empty file, a reload that renames the channel
// away and back, and a full disk, and checks that every alert Herald
// accepted (answered 200) is delivered exactly once, that the full disk is
// answered 503 and reported not ready, and that the outage is not hammered.
func TestNothingLostThroughFaults(t *testing.T) {
	// A private chat: one message a second, so the test is not bound by a
	// group's twenty a minute.
	const chat = int64(424242)
	fake := faketelegram.New(t, faketelegram.Config{Chats: []faketelegram.Chat{{ID: chat}}})
	dir := testutil.Tmpfs(t, 8<<20)
	// sections has a channel per name, all to the chat, the first the
	// default; storm folding is off, so each alert is one message.
	sections := func(names ...string) string {
		s := fmt.Sprintf("telegram:\n  bot_token: %s\n  api_url: %s\nchannels:\n", fake.Token(), fake.URL())
		for _, n := range names {
			s += fmt.Sprintf("  - name: %s\n    storm_threshold: 0\n    telegram:\n      chat_id: %d\n", n, chat)
		}
		return s + "default_channel: " + names[0] + "\n"
	}
	cfg := writeConfig(t, dir, "127.0.0.1:0", "2s", sections("dev"))
	h := startHerald(t, cfg)
	accepted := map[string]bool{}
	post := func(inst string) int {
		code, _ := h.post(t, "/api/v1/alerts", instancePayload(t, inst))
		if code == 200 {
			accepted[inst] = true
		}
		return code
	}

	// 1. The platform is down: alerts are accepted and wait.
	fake.FailChat(chat, faketelegram.FaultInternal)
	for i := range 10 {
		if code := post(fmt.Sprintf("outage-%d:9100", i)); code != 200 {
			t.Fatalf("during the outage: %d", code)
		}
	}

	// 2. A reload with an emptied file is refused; the channel stays.
	if err := os.WriteFile(cfg, []byte("# truncated\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, body := h.post(t, "/-/reload", ""); code != 400 || !strings.Contains(body, "configuration file is empty") {
		t.Fatalf("reload with an empty file: %d %s", code, body)
	}
	if v := metric(t, h, "herald_config_last_reload_successful"); v != "0" {
		t.Errorf("herald_config_last_reload_successful = %s after a refused reload", v)
	}
	if code := post("after-empty:9100"); code != 200 {
		t.Fatalf("after the refused reload: %d", code)
	}

	// 3. A reload renames the channel away: its deliveries wait, new
	// alerts go to the new name.
	writeConfig(t, dir, "127.0.0.1:0", "2s", sections("dev-renamed"))
	if code, body := h.post(t, "/-/reload", ""); code != 200 {
		t.Fatalf("rename reload: %d %s", code, body)
	}

	// 4. The disk fills: intake answers 503 and Herald is not ready.
	free := testutil.FillDisk(t, dir)
	refused := 0
	for i := range 10 {
		switch code := post(fmt.Sprintf("full-%d:9100", i)); code {
		case 200:
		case http.StatusServiceUnavailable:
			refused++
		default:
			t.Fatalf("on a full disk: %d", code)
		}
	}
	if refused == 0 {
		t.Fatal("no webhook was refused on a full disk")
	}
	if code, _ := httpGet(h.URL + "/-/ready"); code != http.StatusServiceUnavailable {
		t.Errorf("ready on a full disk: %d", code)
	}
	free()
	deadline := time.Now().Add(10 * time.Second)
	for code, _ := httpGet(h.URL + "/-/ready"); code != 200; code, _ = httpGet(h.URL + "/-/ready") {
		if time.Now().After(deadline) {
			t.Fatalf("not ready after space came back: %d", code)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for i := range 5 {
		if code := post(fmt.Sprintf("after-full-%d:9100", i)); code != 200 {
			t.Fatalf("after space came back: %d", code)
		}
	}

	// 5. The old name comes back (beside the new one) and the platform
	// recovers.
	writeConfig(t, dir, "127.0.0.1:0", "2s", sections("dev", "dev-renamed"))
	if code, body := h.post(t, "/-/reload", ""); code != 200 {
		t.Fatalf("restoring reload: %d %s", code, body)
	}
	if v := metric(t, h, "herald_config_last_reload_successful"); v != "1" {
		t.Errorf("herald_config_last_reload_successful = %s after a good reload", v)
	}
	if v := metric(t, h, "herald_config_last_reload_success_timestamp_seconds"); v == "" || v == "0" {
		t.Errorf("herald_config_last_reload_success_timestamp_seconds = %q", v)
	}
	fake.ClearFaults()
	if _, err := fake.WaitMessages(len(accepted), 60*time.Second); err != nil {
		t.Fatalf("%v (accepted %d)", err, len(accepted))
	}
	settle()
	seen := map[string]int{}
	for _, m := range fake.Messages() {
		for inst := range accepted {
			if strings.Contains(m.Plain, inst) {
				seen[inst]++
			}
		}
	}
	for inst := range accepted {
		if seen[inst] != 1 {
			t.Errorf("%s delivered %d times, want once", inst, seen[inst])
		}
	}
	if n := len(fake.Messages()); n != len(accepted) {
		t.Errorf("%d messages for %d accepted alerts", n, len(accepted))
	}
	// The outage was not hit by every waiting alert in turn: the fake saw
	// a few attempts, not ten a second.
	st := fake.Stats()
	if st.Injected > 40 {
		t.Errorf("%d failed requests during the outage; the channel should back off", st.Injected)
	}
	t.Logf("accepted %d alerts (%d answered 503 on the full disk), delivered %d messages, %d requests failed during the outage",
		len(accepted), refused, len(fake.Messages()), st.Injected)
}

// TestDamagedDatabaseRefusesToStart checks that Herald does not start on a
// damaged database, and says which file and what to do.
func TestDamagedDatabaseRefusesToStart(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "127.0.0.1:0", "", "channels:\n  - name: c\n    console: {}\n")
	h := startHerald(t, cfg)
	for i := range 300 {
		h.postAlerts(t, "fill", 1, instancePayload(t, fmt.Sprintf("fill-%03d-%s:9100", i, strings.Repeat("d", 300))))
	}
	h.stop()
	db := filepath.Join(dir, "data", "herald.db")
	st, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(db, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte(strings.Repeat("\xba\xad\xf0\x0d", 8192)), st.Size()/2); err != nil {
		t.Fatal(err)
	}
	f.Close()

	co, err := config.NewCoordinator(cfg, true, os.Getenv, nil, platforms.Configs())
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(co, app.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: io.Discard,
		Ready: func(string) { t.Error("Herald started on a damaged database") }})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = a.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), db) || !strings.Contains(err.Error(), "damaged") ||
		!strings.Contains(err.Error(), "recover") {
		t.Fatalf("Run on a damaged database = %v", err)
	}
}

// TestHugeAlertTakesFewMessages checks that one alert with 2,000 labels
// (2.2 MiB) cannot hold a chat: it arrives in at most two messages, with
// the note that says what was left out.
func TestHugeAlertTakesFewMessages(t *testing.T) {
	const chat = int64(434343)
	fake := faketelegram.New(t, faketelegram.Config{Chats: []faketelegram.Chat{{ID: chat}}})
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "127.0.0.1:0", "5s", fmt.Sprintf(
		"telegram:\n  bot_token: %s\n  api_url: %s\nchannels:\n  - name: c\n    telegram:\n      chat_id: %d\n",
		fake.Token(), fake.URL(), chat))
	h := startHerald(t, cfg)
	var labels strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&labels, `"label_%04d": "%s", `, i, strings.Repeat("v", 1100))
	}
	body := realPayload(t, `"job": "node",
                "severity"`, `"job": "node", `+labels.String()+`
                "severity"`)
	if len(body) < 2<<20 {
		t.Fatalf("payload is %d bytes, want over 2 MiB", len(body))
	}
	h.postAlerts(t, "huge alert", 1, body)
	if _, err := fake.WaitMessages(1, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	settle()
	msgs := fake.Messages()
	if len(msgs) > 2 {
		t.Fatalf("one alert took %d messages", len(msgs))
	}
	var all strings.Builder
	for _, m := range msgs {
		all.WriteString(m.Plain)
	}
	if !strings.Contains(all.String(), "labels and 0 annotations not shown") {
		t.Errorf("no truncation note in %q", all.String())
	}
	t.Logf("a %d-byte alert with 2,000 labels arrived in %d message(s) of %d characters", len(body), len(msgs), len(all.String()))
}

// metric returns the value of an unlabelled metric on /metrics, "" when
// it is not there.
func metric(t *testing.T, h *herald, name string) string {
	t.Helper()
	resp, err := http.Get(h.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	return ""
}
