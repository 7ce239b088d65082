package fakeslack

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestWebhook(t *testing.T) {
	t.Parallel()
	s := newTestFake(t, Limits{Unlimited: true})
	post := func(u, contentType, body string) (int, string) {
		resp, err := http.Post(u, contentType, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	tests := []struct {
		name, url, contentType, body, answer string
		status                               int
	}{
		{name: "ok", url: s.WebhookURL(), contentType: "application/json", body: `{"text":"<!here> a &amp; b"}`, status: 200, answer: "ok"},
		{name: "wrong path", url: s.WebhookURL() + "x", contentType: "application/json", body: `{"text":"x"}`, status: 404, answer: "no_service"},
		{name: "not json", url: s.WebhookURL(), contentType: "application/json", body: `{`, status: 400, answer: "invalid_payload"},
		{name: "no text", url: s.WebhookURL(), contentType: "application/json", body: `{"text":" "}`, status: 400, answer: "no_text"},
		{name: "bad blocks", url: s.WebhookURL(), contentType: "application/json", body: `{"blocks":[{"type":"header","text":{"type":"mrkdwn","text":"x"}}]}`, status: 400, answer: "invalid_blocks"},
		{name: "form payload", url: s.WebhookURL(), contentType: "application/x-www-form-urlencoded", body: "payload=" + url.QueryEscape(`{"text":"form"}`), status: 200, answer: "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, answer := post(tt.url, tt.contentType, tt.body)
			if status != tt.status || answer != tt.answer {
				t.Errorf("%d %q, want %d %q", status, answer, tt.status, tt.answer)
			}
		})
	}
	msgs := s.Messages()
	if len(msgs) != 2 || !msgs[0].Webhook || msgs[0].Plain != "@here a & b" || len(msgs[0].Mentions) != 1 {
		t.Errorf("messages %+v", msgs)
	}
}

func TestFaultsAndWaiting(t *testing.T) {
	t.Parallel()
	s := newTestFake(t, Limits{Unlimited: true})
	s.FailNext(1, FaultInternal)
	if a := callJSON(t, s, "chat.postMessage", s.Token(), map[string]any{"channel": "C0OPS0001", "text": "x"}); a.status != 500 || a.Error != "internal_error" {
		t.Errorf("injected 500: %+v", a)
	}
	s.FailWith("chat.postMessage", "fatal_error", 1)
	if a := callJSON(t, s, "chat.postMessage", s.Token(), map[string]any{"channel": "C0OPS0001", "text": "x"}); a.status != 200 || a.Error != "fatal_error" {
		t.Errorf("planned error: %+v", a)
	}
	if _, err := s.WaitMessages(1, 50*time.Millisecond); err == nil {
		t.Error("WaitMessages did not time out")
	}
	// A message posted while the test waits for it (fakehttp's Log tests
	// the wake-up itself). The call must end before the test does: the
	// fake records the message before the client has read the answer.
	done := make(chan struct{})
	go func() {
		defer close(done)
		callJSON(t, s, "chat.postMessage", s.Token(), map[string]any{"channel": "C0OPS0001", "text": "x"})
	}()
	if msgs, err := s.WaitMessages(1, 5*time.Second); err != nil || len(msgs) != 1 {
		t.Errorf("WaitMessages: %v %v", msgs, err)
	}
	<-done
}

func TestRender(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"a &amp; b &lt;c&gt;":               "a & b <c>",
		"see <https://x.example/a|the doc>": "see the doc",
		"<https://x.example/a>":             "https://x.example/a",
		"<!here> <!channel> <@U123>":        "@here @channel @U123",
		"<#C123|ops>":                       "#ops",
		"1 < 2":                             "1 < 2",
		"&lt;!channel&gt;":                  "<!channel>",
	}
	for in, want := range tests {
		if got := render(in); got != want {
			t.Errorf("render(%q) = %q, want %q", in, got, want)
		}
	}
	if m := mentions("&lt;!channel&gt; <!here> <https://x|y> <@U1>"); len(m) != 2 {
		t.Errorf("mentions = %v", m)
	}
}
