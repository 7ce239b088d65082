package e2e

import (
	"encoding/json"
	"fmt"
	"github.com/heraldhq/herald/internal/testutil"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/faketelegram"
	"github.com/heraldhq/herald/internal/testutil/realproc"
)

// The chats of the bot's end-to-end test: the admin's and a stranger's
// private chats.
const (
	adminID    = int64(1001)
	strangerID = int64(1099)
)

// TestBotNewcomer is the bot's whole story through a running Herald and a
// real Alertmanager that posts to it: a newcomer subscribes with a
// matcher and receives only those alerts, silences one with a tap (the
// silence is in Alertmanager) and undoes it, acknowledges it, gets a
// chart and /alerts lists only what belongs to the chat; a stranger gets
// one refusal and nothing else.
func TestBotNewcomer(t *testing.T) {
	t.Parallel()
	fake := faketelegram.New(t, faketelegram.Config{Chats: []faketelegram.Chat{{ID: adminID}, {ID: strangerID}}})
	fake.AddUser(faketelegram.User{ID: adminID, Username: "alice"})
	listen := realproc.FreePort(t)
	am := realproc.StartAlertmanager(t, "http://"+listen+"/api/v1/alerts")
	dir := t.TempDir()
	cfg := writeConfig(t, dir, listen, "5s", fmt.Sprintf(`telegram:
  bot_token: %s
  api_url: %s
  poll_timeout: 1s
  admins: ["@alice"]
alertmanager:
  url: %s
prometheus:
  url: %s
channels:
  - name: log
    console: {}
`, fake.Token(), fake.URL(), am.URL, fakePrometheus(t)))
	startHerald(t, cfg)

	say := func(user int64, text string) {
		t.Helper()
		fake.PushMessage(user, user, text)
	}
	say(adminID, `/subscribe severity="critical"`)
	waitMessage(t, fake, "the subscription's confirmation", func(m faketelegram.Message) bool {
		return m.ChatID == adminID && strings.Contains(m.Plain, "Subscribed (#1)")
	})

	am.Post(t,
		realproc.PostableAlert{Labels: map[string]string{"alertname": "DiskFull", "severity": "critical", "instance": "db1"},
			Annotations: map[string]string{"summary": "disk of db1 is full"}},
		realproc.PostableAlert{Labels: map[string]string{"alertname": "Noise", "severity": "warning", "instance": "web1"}})
	alert := waitMessage(t, fake, "the critical alert in the subscribed chat", func(m faketelegram.Message) bool {
		return m.ChatID == adminID && strings.Contains(m.Plain, "DiskFull") && m.ReplyMarkup != nil
	})
	for _, label := range []string{"🔕 1h", "🔕 4h", "🔕 1d", "✅ Ack", "📈 6h", "📈 1d", "📈 1w"} {
		if _, ok := alert.ReplyMarkup.Find(label); !ok {
			t.Errorf("the alert has no %q button: %v", label, alert.ReplyMarkup.Buttons())
		}
	}

	// Silence with a tap: the silence is in Alertmanager, the message says
	// who silenced it until when, and Undo expires it.
	if _, err := fake.Press(adminID, alert.ID, adminID, "🔕 1h"); err != nil {
		t.Fatal(err)
	}
	silenced := waitMessage(t, fake, "the silenced keyboard", func(m faketelegram.Message) bool {
		_, undo := m.ReplyMarkup.Find("↩️ Undo")
		return m.ID == alert.ID && m.ChatID == adminID && undo
	})
	if got := strings.Join(slices.Concat(silenced.ReplyMarkup.Buttons()...), " | "); !strings.Contains(got, "@alice until") {
		t.Errorf("the keyboard does not say who silenced until when: %s", got)
	}
	sil := silences(t, am.URL)
	if len(sil) != 1 || sil[0].Status.State != "active" || sil[0].CreatedBy != "@alice" ||
		!hasMatcher(sil[0], "alertname", "DiskFull") || !hasMatcher(sil[0], "instance", "db1") {
		t.Fatalf("silences in Alertmanager: %+v", sil)
	}
	if _, err := fake.Press(adminID, alert.ID, adminID, "↩️ Undo"); err != nil {
		t.Fatal(err)
	}
	testutil.Poll(t, 10*time.Second, "the silence to be expired", func() bool {
		s := silences(t, am.URL)
		return len(s) == 1 && s[0].Status.State == "expired"
	})

	// Acknowledge: the button shows who.
	waitMessage(t, fake, "the silence buttons back", func(m faketelegram.Message) bool {
		_, ok := m.ReplyMarkup.Find("✅ Ack")
		return m.ID == alert.ID && m.ChatID == adminID && ok
	})
	if _, err := fake.Press(adminID, alert.ID, adminID, "✅ Ack"); err != nil {
		t.Fatal(err)
	}
	waitMessage(t, fake, "the acknowledged keyboard", func(m faketelegram.Message) bool {
		_, ok := m.ReplyMarkup.Find("✅ @alice")
		return m.ID == alert.ID && m.ChatID == adminID && ok
	})

	// /alerts lists what the chat receives, not the warning.
	say(adminID, "/alerts")
	list := waitMessage(t, fake, "the /alerts answer", func(m faketelegram.Message) bool {
		return m.ChatID == adminID && strings.Contains(m.Plain, "Firing: ")
	})
	if !strings.Contains(list.Plain, "DiskFull") || strings.Contains(list.Plain, "Noise") {
		t.Errorf("/alerts lists what the chat does not receive, or not what it does:\n%s", list.Plain)
	}
	say(adminID, "/graph up 6h")
	waitMessage(t, fake, "the /graph chart", func(m faketelegram.Message) bool {
		return m.ChatID == adminID && m.Photo != nil && strings.Contains(m.Plain, "up")
	})

	// A stranger gets one refusal, with their id, and nothing else.
	say(strangerID, "/start")
	say(strangerID, "/alerts")
	waitMessage(t, fake, "the refusal", func(m faketelegram.Message) bool {
		return m.ChatID == strangerID && strings.Contains(m.Plain, fmt.Sprint(strangerID))
	})
	say(adminID, "/help") // handled after the stranger's messages: the poller keeps order
	waitMessage(t, fake, "the help", func(m faketelegram.Message) bool {
		return m.ChatID == adminID && strings.Contains(m.Plain, "/subscribe")
	})
	var toStranger, noise int
	for _, m := range fake.Messages() {
		if m.ChatID == strangerID {
			toStranger++
		}
		if strings.Contains(m.Plain, "Noise") {
			noise++
		}
	}
	if toStranger != 1 || noise != 0 {
		t.Errorf("%d messages to the stranger (want 1), %d about the warning alert (want 0)", toStranger, noise)
	}
}

// waitMessage waits until a message the bot sent satisfies ok, as the
// fake holds it now (edits applied), and returns it.
func waitMessage(t *testing.T, fake *faketelegram.Server, what string, ok func(faketelegram.Message) bool) faketelegram.Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		n := len(fake.Calls())
		for _, m := range fake.Messages() {
			if ok(m) {
				return m
			}
		}
		left := time.Until(deadline)
		if left <= 0 {
			t.Fatalf("no %s; messages: %+v", what, fake.Messages())
		}
		_, _ = fake.WaitCalls("", n+1, left)
	}
}

type amSilence struct {
	CreatedBy string `json:"createdBy"`
	Matchers  []struct {
		Name, Value string
		IsRegex     bool `json:"isRegex"`
	} `json:"matchers"`
	Status struct {
		State string `json:"state"`
	} `json:"status"`
}

// silences reads Alertmanager's silences through its API.
func silences(t *testing.T, amURL string) []amSilence {
	t.Helper()
	resp, err := http.Get(amURL + "/api/v2/silences")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []amSilence
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func hasMatcher(s amSilence, name, value string) bool {
	for _, m := range s.Matchers {
		if m.Name == name && m.Value == value && !m.IsRegex {
			return true
		}
	}
	return false
}
