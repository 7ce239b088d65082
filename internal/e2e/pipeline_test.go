package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

func TestFiringAndResolvedDeliveredOnce(t *testing.T) {
	fake := newFake(t)
	h := startHerald(t, configFor(t, fake, t.TempDir(), ""))
	h.postAlerts(t, "firing", 3, realPayload(t, withJob(nastyJob)...))
	msgs, err := fake.WaitMessages(1, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	first := msgs[0]
	if first.ChatID != opsChat || first.ThreadID != 7 || first.ParseMode != "HTML" {
		t.Fatalf("firing went to chat %d topic %d mode %q", first.ChatID, first.ThreadID, first.ParseMode)
	}
	for _, want := range []string{"HostMemoryLow", "node-2.example:9100", nastyJob} {
		if !strings.Contains(first.Plain, want) {
			t.Errorf("firing message lacks %q:\n%s", want, first.Plain)
		}
	}
	h.postAlerts(t, "resolved", 2, resolvedPayload(t, withJob(nastyJob)...))
	msgs, err = fake.WaitMessages(2, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	settle()
	msgs = fake.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want firing and resolved once each", len(msgs))
	}
	if msgs[1].ReplyTo != first.ID {
		t.Errorf("resolved message replies to %d, want %d", msgs[1].ReplyTo, first.ID)
	}
	if !strings.Contains(strings.ToUpper(msgs[1].Plain), "RESOLVED") {
		t.Errorf("resolved message:\n%s", msgs[1].Plain)
	}
	if len(msgs[0].Edits) != 1 || !strings.Contains(strings.ToUpper(msgs[0].Plain), "RESOLVED") {
		t.Errorf("firing message not edited to resolved: edits %d, now:\n%s", len(msgs[0].Edits), msgs[0].Plain)
	}
	if strings.Contains(h.Log.String(), fake.Token()) {
		t.Error("the bot token appears in the log")
	}
}

func TestNamedChannelAndUnknownChannel(t *testing.T) {
	fake := newFake(t)
	h := startHerald(t, configFor(t, fake, t.TempDir(), ""))
	if code, _ := h.post(t, "/api/v1/alerts/dev", realPayload(t)); code != 200 {
		t.Fatalf("named channel: %d", code)
	}
	if code, body := h.post(t, "/api/v1/alerts/nope", realPayload(t)); code != 404 {
		t.Fatalf("unknown channel: %d %s", code, body)
	}
	msgs, err := fake.WaitMessages(1, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if msgs[0].ChatID != devChat {
		t.Fatalf("critical alert posted to /dev went to chat %d", msgs[0].ChatID)
	}
}

// A delivery cut off by a stop (the platform hung) is delivered after the
// restart, once.
func TestRestartMidDeliveryDeliversOnce(t *testing.T) {
	fake := newFake(t)
	dir := t.TempDir()
	cfg := configFor(t, fake, dir, "")
	fake.FailChat(devChat, faketelegram.FaultHang)
	h := startHerald(t, cfg)
	for _, inst := range []string{"a:9100", "b:9100", "c:9100"} {
		body := realPayload(t, "node-2.example:9100", inst, `"critical"`, `"warning"`, `"b452131657f3bca1"`, `"`+inst+`"`)
		if code, resp := h.post(t, "/api/v1/alerts", body); code != 200 {
			t.Fatalf("%d %s", code, resp)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for fake.Stats().Injected == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no delivery attempt reached the fake")
		}
		time.Sleep(20 * time.Millisecond)
	}
	h.stop()
	fake.ClearFaults()
	if n := len(fake.Messages()); n != 0 {
		t.Fatalf("%d messages before restart", n)
	}
	startHerald(t, cfg)
	if _, err := fake.WaitMessages(3, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	settle()
	seen := map[string]int{}
	for _, m := range fake.Messages() {
		for _, inst := range []string{"a:9100", "b:9100", "c:9100"} {
			if strings.Contains(m.Plain, inst) {
				seen[inst]++
			}
		}
	}
	if len(fake.Messages()) != 3 || seen["a:9100"] != 1 || seen["b:9100"] != 1 || seen["c:9100"] != 1 {
		t.Fatalf("after restart: %d messages %v", len(fake.Messages()), seen)
	}
}

func TestReloadKeepsRunningConfigOnError(t *testing.T) {
	fake := newFake(t)
	dir := t.TempDir()
	cfg := configFor(t, fake, dir, "")
	h := startHerald(t, cfg)
	configFor(t, fake, dir, "bogus_key: 1\n")
	if code, body := h.post(t, "/-/reload", ""); code != 400 || !strings.Contains(body, `unknown field \"bogus_key\"`) {
		t.Fatalf("bad reload: %d %s", code, body)
	}
	if code, _ := h.post(t, "/api/v1/alerts/ops", realPayload(t)); code != 200 {
		t.Fatal("the running config was dropped")
	}
	configFor(t, fake, dir, "")
	if code, body := h.post(t, "/-/reload", ""); code != 200 {
		t.Fatalf("good reload: %d %s", code, body)
	}
}
