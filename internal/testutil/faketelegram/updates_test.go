package faketelegram

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestNewerPollTerminatesOlder: as on Telegram, a second getUpdates ends a
// waiting one with 409, so that two copies of a bot show up in tests.
func TestNewerPollTerminatesOlder(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Limits{Unlimited: true})
	waiting := s.Polling()
	older := make(chan answer, 1)
	go func() {
		// Not call: t.Fatal must not run outside the test's goroutine.
		var a answer
		resp, err := http.Post(s.URL()+"/bot"+s.Token()+"/getUpdates", "application/json", strings.NewReader(`{"timeout":30}`))
		if err == nil {
			a.Status = resp.StatusCode
			_ = json.NewDecoder(resp.Body).Decode(&a)
			resp.Body.Close()
		}
		older <- a
	}()
	<-waiting
	s.PushMessage(userChat, 5, "hi") // the newer poll takes it
	newer := call(t, s, "getUpdates", map[string]any{"timeout": 30})
	if !newer.OK || !strings.Contains(string(newer.Result), `"text":"hi"`) {
		t.Errorf("newer poll: %+v", newer)
	}
	// The older one may have taken the update before the newer one came.
	if a := <-older; !(a.OK && strings.Contains(string(a.Result), `"hi"`)) &&
		(a.Status != http.StatusConflict || !strings.Contains(a.Description, "terminated by other getUpdates request")) {
		t.Errorf("older poll: %+v", a)
	}
}

func TestWebhookInfo(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Limits{Unlimited: true})
	if a := call(t, s, "setWebhook", map[string]any{"url": "https://bot.example/hook", "secret_token": "abc_DEF-1", "max_connections": 5}); !a.OK {
		t.Fatalf("setWebhook: %+v", a)
	}
	a := call(t, s, "getWebhookInfo", nil)
	if !a.OK || !strings.Contains(string(a.Result), `"url":"https://bot.example/hook"`) || strings.Contains(string(a.Result), "abc_DEF-1") {
		t.Errorf("getWebhookInfo (must not show the secret): %+v", a)
	}
	if a := call(t, s, "setWebhook", map[string]any{"url": "https://bot.example/hook", "max_connections": 101}); a.OK {
		t.Errorf("max_connections 101 accepted")
	}
}
