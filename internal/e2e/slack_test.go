package e2e

import (
	"bytes"
	"fmt"
	"image/png"
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
	return writeConfig(t, t.TempDir(), addr, "10s", fmt.Sprintf(`channels:
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
%s`, fake.WebhookURL(), fake.Token(), slackAlerts, fake.URL(), extra))
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
		addr, fakePrometheus(t))))
	nasty := `node <!channel> & <https://evil.example|click> 日本語 🚀`
	h.postAlerts(t, "firing", 3, realPayload(t, withJob(nasty)...))
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
		// The value reads as written, give or take the invisible breaks
		// that keep it from becoming a link or a mention.
		for _, want := range []string{"node-2.example:9100", nasty, "started"} {
			if !strings.Contains(fakeslack.Fold(m.Plain), want) {
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

	h.postAlerts(t, "resolved", 2, resolvedPayload(t, withJob(nasty)...))
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
