package fakemattermost

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// post sends body to the webhook and returns the status, the answer and
// its headers.
func post(t *testing.T, s *Server, body string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Post(s.WebhookURL(), "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestChecks(t *testing.T) {
	t.Parallel()
	s := New(t, Config{Channels: []string{"town-square", "ops"}, MaxPostSize: 1000, Limits: Limits{Unlimited: true}})
	long := strings.Repeat("é", 1001)
	for _, tt := range []struct {
		name, body string
		status     int
		id         string
	}{
		{"ok", `{"text":"hi","channel":"ops","attachments":[{"fallback":"f","color":"#FF0000","title":"t","title_link":"https://x/y","fields":[{"title":"a","value":"b","short":true},{"title":"n","value":3}],"image_url":"https://x/i.png"}],"props":{"card":"c"}}`, 200, ""},
		{"unknown key", `{"text":"hi","blocks":[]}`, 400, "web.incoming_webhook.parse.app_error"},
		{"unknown attachment key", `{"attachments":[{"fallback":"f","colour":"red"}]}`, 400, "web.incoming_webhook.parse.app_error"},
		{"empty", `{"text":" "}`, 400, "web.incoming_webhook.text.app_error"},
		{"colour", `{"attachments":[{"fallback":"f","color":"red"}]}`, 400, "model.post.is_valid.attachments.app_error"},
		{"title link alone", `{"attachments":[{"fallback":"f","title_link":"https://x"}]}`, 400, "model.post.is_valid.attachments.app_error"},
		{"image URL", `{"attachments":[{"fallback":"f","image_url":"/i.png"}]}`, 400, "model.post.is_valid.attachments.app_error"},
		{"field value", `{"attachments":[{"fallback":"f","fields":[{"title":"a","value":{"x":1}}]}]}`, 400, "model.post.is_valid.attachments.app_error"},
		{"no fallback", `{"attachments":[{"text":"x"}]}`, 400, "model.post.is_valid.attachments.app_error"},
		{"text too long", `{"text":"` + long + `"}`, 400, "model.post.is_valid.msg.app_error"},
		{"attachment too long", `{"attachments":[{"fallback":"f","text":"` + long + `"}]}`, 400, "model.post.is_valid.attachments.app_error"},
		{"unknown channel", `{"text":"x","channel":"nowhere"}`, 404, "web.incoming_webhook.channel.app_error"},
	} {
		status, body, _ := post(t, s, tt.body)
		var e AppError
		_ = json.Unmarshal([]byte(body), &e)
		if status != tt.status || e.ID != tt.id || (tt.status == 200) != (body == "ok") {
			t.Errorf("%s: %d %s, want %d %s", tt.name, status, body, tt.status, tt.id)
		}
	}
	ps := s.Posts()
	if len(ps) != 1 || ps[0].Channel != "ops" || ps[0].Card != "c" || ps[0].Attachments[0].Fields[1].Value.(json.Number) != "3" {
		t.Errorf("posts %+v", ps)
	}
	if st := s.Stats(); st.OK != 1 || st.Errors != 11 || st.Requests != 12 {
		t.Errorf("stats %+v", st)
	}
}

// The rate limit answers as Mattermost's: headers on every answer, 429
// "limit exceeded" with Retry-After when the burst is spent.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	s := New(t, Config{Limits: Limits{PerSec: 1, MaxBurst: 1}})
	var statuses []int
	var last http.Header
	for range 3 {
		status, _, h := post(t, s, `{"text":"x"}`)
		statuses = append(statuses, status)
		last = h
	}
	if !slices.Equal(statuses, []int{200, 200, 429}) {
		t.Fatalf("statuses %v", statuses)
	}
	if last.Get("X-RateLimit-Limit") != "2" || last.Get("X-RateLimit-Remaining") != "0" || last.Get("Retry-After") != "1" || last.Get("X-RateLimit-Reset") != "2" {
		t.Errorf("headers %v", last)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	s := New(t, Config{Limits: Limits{Unlimited: true}})
	s.FailNext(1, FaultInternal)
	s.FailWith(http.StatusNotImplemented, "web.incoming_webhook.disabled.app_error", "disabled", 1)
	for _, want := range []int{500, 501, 200} {
		if status, body, _ := post(t, s, `{"text":"x"}`); status != want {
			t.Errorf("status %d %s, want %d", status, body, want)
		}
	}
	resp, err := http.Post(s.URL()+"/hooks/wrong", "application/json", strings.NewReader(`{"text":"x"}`))
	if err != nil || resp.StatusCode != 400 {
		t.Errorf("wrong key: %v %v", resp, err)
	}
	resp.Body.Close()
}

// Markup finds what Mattermost renders, after the server turned Slack
// links into Markdown, and nothing in escaped text.
func TestMarkup(t *testing.T) {
	t.Parallel()
	p := Post{Text: "<http://e.example/s|slack> @alice ~town-square #hashtag :fire: ops@example.com",
		Attachments: []Attachment{{Title: "**T**", TitleLink: "https://x/t", ImageURL: "https://x/i.png",
			Text:   "[a](http://e.example/a) www.e.example `@code` \\*\\*not bold\\*\\* @\u200ball &lt;b&gt;\n# h",
			Fields: []Field{{Title: "F", Value: "<http://e.example/f|f>"}}}},
		Card: "| a | b |\n|---|---|\n| c | d |"}
	m := p.Markup()
	want := []string{"bold", "code", "emoji", "hashtag", "heading", "image https://x", "link http://e.example", "link http://e.example",
		"link http://e.example", "link https://x", "link mailto://", "link ://", "mention @alice", "table", "channel"}
	slices.Sort(want)
	if got := m.Shape(); !slices.Equal(got, want) {
		t.Errorf("shape\n got %q\nwant %q", got, want)
	}
	if !strings.Contains(m.Plain, "**not bold**") || !strings.Contains(m.Plain, "<b>") || strings.Contains(m.Plain, `\*`) {
		t.Errorf("plain %q", m.Plain)
	}
	if Fold("@\u200ball ˋxˋ") != "@all `x`" {
		t.Error("Fold")
	}
}
