package fakeslack

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func newTestFake(t *testing.T, limits Limits) *Server {
	return New(t, Config{Limits: limits, Channels: []Channel{
		{ID: "C0OPS0001", Name: "ops"},
		{ID: "C0OUT0002", Name: "outside", NotMember: true},
		{ID: "C0ARC0003", Name: "old", Archived: true},
	}})
}

// answer is a decoded Web API answer.
type answer struct {
	OK               bool   `json:"ok"`
	Error            string `json:"error"`
	Warning          string `json:"warning"`
	TS               string `json:"ts"`
	Channel          string `json:"channel"`
	UploadURL        string `json:"upload_url"`
	FileID           string `json:"file_id"`
	ResponseMetadata struct {
		Messages []string `json:"messages"`
	} `json:"response_metadata"`
	status     int
	retryAfter string
}

// callJSON calls a Web API method with a JSON body and token.
func callJSON(t *testing.T, s *Server, method, token string, params any) answer {
	t.Helper()
	body, _ := json.Marshal(params)
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/"+method, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, req)
}

// callForm calls a Web API method with a form body and token.
func callForm(t *testing.T, s *Server, method, token string, v url.Values) answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/"+method, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+token)
	return do(t, req)
}

// noReuse never reuses a connection: a POST on a kept-alive connection the
// fake has just dropped (an injected reset) fails with EOF, and POSTs are not
// retried by net/http.
var noReuse = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

func do(t *testing.T, req *http.Request) answer {
	t.Helper()
	resp, err := noReuse.Do(req)
	if err != nil {
		t.Error(err) // Error, not Fatal: some callers run in a goroutine
		return answer{}
	}
	defer resp.Body.Close()
	var a answer
	_ = json.NewDecoder(resp.Body).Decode(&a)
	a.status, a.retryAfter = resp.StatusCode, resp.Header.Get("Retry-After")
	return a
}

func section(text string) map[string]any {
	return map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": text}}
}

func TestAuthAndChannels(t *testing.T) {
	t.Parallel()
	s := newTestFake(t, Limits{Unlimited: true})
	msg := func(ch string) map[string]any { return map[string]any{"channel": ch, "text": "hi"} }
	tests := []struct {
		name, token, channel, code string
	}{
		{name: "no token", channel: "C0OPS0001", code: "not_authed"},
		{name: "wrong token", token: "xoxb-nope", channel: "C0OPS0001", code: "invalid_auth"},
		{name: "unknown channel", token: s.Token(), channel: "C0NOPE", code: "channel_not_found"},
		{name: "not a member", token: s.Token(), channel: "C0OUT0002", code: "not_in_channel"},
		{name: "archived", token: s.Token(), channel: "C0ARC0003", code: "is_archived"},
		{name: "by id", token: s.Token(), channel: "C0OPS0001"},
		{name: "by name", token: s.Token(), channel: "#ops"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := callJSON(t, s, "chat.postMessage", tt.token, msg(tt.channel))
			if a.status != 200 || a.OK != (tt.code == "") || a.Error != tt.code {
				t.Errorf("answer %+v, want error %q with HTTP 200", a, tt.code)
			}
			if a.OK && (a.Channel != "C0OPS0001" || a.TS == "") {
				t.Errorf("answer %+v", a)
			}
		})
	}
}

func TestBlockValidation(t *testing.T) {
	t.Parallel()
	s := newTestFake(t, Limits{Unlimited: true})
	many := make([]any, 51)
	for i := range many {
		many[i] = map[string]any{"type": "divider"}
	}
	button := func(id, u string) map[string]any {
		return map[string]any{"type": "button", "text": map[string]any{"type": "plain_text", "text": "Go"}, "url": u, "action_id": id}
	}
	tests := []struct {
		name    string
		blocks  []any
		problem string
	}{
		{name: "unknown type", blocks: []any{map[string]any{"type": "banner"}}, problem: "unsupported type"},
		{name: "long header", blocks: []any{map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": strings.Repeat("🔥", 76)}}}, problem: "/blocks/0/text/text"},
		{name: "mrkdwn header", blocks: []any{map[string]any{"type": "header", "text": map[string]any{"type": "mrkdwn", "text": "x"}}}, problem: "must be plain_text"},
		{name: "long section", blocks: []any{section(strings.Repeat("x", 3001))}, problem: "less than 3001"},
		{name: "empty section", blocks: []any{section("  ")}, problem: "more than 0"},
		{name: "too many blocks", blocks: many, problem: "no more than 50"},
		{name: "relative image", blocks: []any{map[string]any{"type": "image", "image_url": "/c.png", "alt_text": "c"}}, problem: "image_url"},
		{name: "image without alt", blocks: []any{map[string]any{"type": "image", "image_url": "https://x/c.png"}}, problem: "alt_text"},
		{name: "duplicate action ids", blocks: []any{map[string]any{"type": "actions", "elements": []any{button("a", "https://x/"), button("a", "https://y/")}}}, problem: "unique"},
		{name: "relative button URL", blocks: []any{map[string]any{"type": "actions", "elements": []any{button("a", "/x")}}}, problem: "/url"},
		{name: "too many context elements", blocks: []any{map[string]any{"type": "context", "elements": func() []any {
			var els []any
			for range 11 {
				els = append(els, map[string]any{"type": "mrkdwn", "text": "x"})
			}
			return els
		}()}}, problem: "no more than 10"},
		{name: "valid", blocks: []any{section("*ok*"), map[string]any{"type": "divider"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := callJSON(t, s, "chat.postMessage", s.Token(), map[string]any{"channel": "C0OPS0001", "text": "t", "blocks": tt.blocks})
			if tt.problem == "" {
				if !a.OK {
					t.Fatalf("answer %+v", a)
				}
				return
			}
			if a.OK || a.Error != "invalid_blocks" || !strings.Contains(strings.Join(a.ResponseMetadata.Messages, ";"), tt.problem) {
				t.Errorf("answer %+v, want invalid_blocks mentioning %q", a, tt.problem)
			}
		})
	}
}

func TestThreadsAndUpdates(t *testing.T) {
	t.Parallel()
	s := newTestFake(t, Limits{Unlimited: true})
	parent := callJSON(t, s, "chat.postMessage", s.Token(), map[string]any{"channel": "C0OPS0001", "blocks": []any{section("firing &lt;x&gt; <!here>")}})
	reply := callJSON(t, s, "chat.postMessage", s.Token(), map[string]any{"channel": "C0OPS0001", "text": "resolved", "thread_ts": parent.TS})
	if !parent.OK || !reply.OK {
		t.Fatalf("%+v %+v", parent, reply)
	}
	for name, ts := range map[string]string{"unknown": "1.000000", "a reply's": reply.TS} {
		if a := callJSON(t, s, "chat.postMessage", s.Token(), map[string]any{"channel": "C0OPS0001", "text": "x", "thread_ts": ts}); a.Error != "thread_not_found" {
			t.Errorf("thread_ts of %s message: %+v", name, a)
		}
	}
	if a := callJSON(t, s, "chat.update", s.Token(), map[string]any{"channel": "C0OPS0001", "ts": "9.000001", "text": "x"}); a.Error != "message_not_found" {
		t.Errorf("update of an unknown ts: %+v", a)
	}
	if a := callJSON(t, s, "chat.update", s.Token(), map[string]any{"channel": "ops", "ts": parent.TS, "text": "x"}); a.Error != "channel_not_found" {
		t.Errorf("update by channel name: %+v", a)
	}
	if a := callJSON(t, s, "chat.update", s.Token(), map[string]any{"channel": "C0OPS0001", "ts": parent.TS, "text": "resolved & done"}); !a.OK {
		t.Fatalf("update: %+v", a)
	}
	m, _ := s.Message("C0OPS0001", parent.TS)
	if m.Plain != "resolved & done" || len(m.Edits) != 1 || m.Edits[0] != "firing <x> @here" {
		t.Errorf("updated message %+v", m)
	}
	if th := s.Thread("C0OPS0001", parent.TS); len(th) != 1 || th[0].TS != reply.TS {
		t.Errorf("thread %+v", th)
	}
}

func TestUploadFlow(t *testing.T) {
	t.Parallel()
	s := newTestFake(t, Limits{Unlimited: true})
	data := []byte("\x89PNG fake chart bytes")
	if a := callJSON(t, s, "files.getUploadURLExternal", s.Token(), map[string]any{"filename": "c.png", "length": len(data)}); a.OK {
		t.Error("getUploadURLExternal took JSON; its documentation lists form arguments only")
	}
	get := callForm(t, s, "files.getUploadURLExternal", s.Token(), url.Values{"filename": {"c.png"}, "length": {strconv.Itoa(len(data))}})
	if !get.OK || get.UploadURL == "" || get.FileID == "" {
		t.Fatalf("%+v", get)
	}
	if a := callJSON(t, s, "files.completeUploadExternal", s.Token(), map[string]any{"files": []any{map[string]any{"id": get.FileID}}}); a.Error != "file_not_found" {
		t.Errorf("completing before the upload: %+v", a)
	}
	for _, body := range [][]byte{data[:5], append(bytes.Clone(data), 'x')} {
		if resp, err := http.Post(get.UploadURL, "image/png", bytes.NewReader(body)); err != nil || resp.StatusCode != 400 {
			t.Errorf("upload of %d bytes for %d announced: %v %v", len(body), len(data), resp.Status, err)
		}
	}
	resp, err := http.Post(get.UploadURL, "image/png", bytes.NewReader(data))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("upload: %v %v", resp, err)
	}
	a := callJSON(t, s, "files.completeUploadExternal", s.Token(), map[string]any{
		"files": []any{map[string]any{"id": get.FileID, "title": "Chart"}}, "channel_id": "C0OPS0001"})
	if !a.OK {
		t.Fatalf("complete: %+v", a)
	}
	files := s.Files()
	if len(files) != 1 || !bytes.Equal(files[0].Bytes, data) || files[0].Channel != "C0OPS0001" || files[0].Title != "Chart" {
		t.Errorf("files %+v", files)
	}
	if a := callJSON(t, s, "files.completeUploadExternal", s.Token(), map[string]any{"files": []any{map[string]any{"id": get.FileID}}}); a.Error != "file_not_found" {
		t.Errorf("completing twice: %+v", a)
	}
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	s := newTestFake(t, Limits{PerChannel: 1, Burst: 2, Tier3: 1, Window: time.Minute})
	var last answer
	for range 3 {
		last = callJSON(t, s, "chat.postMessage", s.Token(), map[string]any{"channel": "C0OPS0001", "text": "x"})
	}
	if last.status != 429 || last.Error != "ratelimited" || last.retryAfter != "1" {
		t.Errorf("third message at once: %+v", last)
	}
	first := s.Messages()[0]
	for i := range 2 {
		a := callJSON(t, s, "chat.update", s.Token(), map[string]any{"channel": "C0OPS0001", "ts": first.TS, "text": "y"})
		if (i == 1) != (a.status == 429) {
			t.Errorf("update %d: %+v", i, a)
		}
	}
	if st := s.Stats(); st.TooManyRequests != 2 || st.OK != 3 {
		t.Errorf("stats %+v", st)
	}
}

func TestScaledLimits(t *testing.T) {
	t.Parallel()
	got := Limits{Tier3: 3}.Scaled(4)
	want := Limits{PerChannel: 4, Burst: 2, Tier3: 3, Tier4: 100, Window: 15 * time.Second}
	if got != want {
		t.Errorf("Scaled = %+v, want %+v", got, want)
	}
}
