package faketelegram

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// updates polls once and returns the updates' JSON objects.
func updates(t *testing.T, s *Server, p map[string]any) []map[string]json.RawMessage {
	t.Helper()
	a := call(t, s, "getUpdates", p)
	var ups []map[string]json.RawMessage
	if !a.OK || json.Unmarshal(a.Result, &ups) != nil {
		t.Fatalf("getUpdates: %+v", a)
	}
	return ups
}

func TestIncomingMessages(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Limits{Unlimited: true})
	bot := send(t, s, groupChat, "firing: HighLoad").messageID(t)
	const text = "😀 /silence@herald_fake_bot 1h see https://grafana.example/d/x cc @oncall_ann /a/b"
	up, msg, err := s.PushIncoming(Incoming{Chat: groupChat, From: User{ID: 5, Username: "ann_ops", LanguageCode: "de"}, Text: text, ReplyTo: bot})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.PushIncoming(Incoming{Chat: groupChat, From: User{ID: 5}, ReplyTo: 999}); err == nil {
		t.Error("a reply to a missing message was queued")
	}
	edited, err := s.PushEdited(groupChat, msg, "/silence 2h")
	if err != nil {
		t.Fatal(err)
	}
	member := s.PushMyChatMember(-100777, 5, "left", "member")
	ups := updates(t, s, map[string]any{"allowed_updates": []string{"message", "edited_message", "my_chat_member"}})
	if len(ups) != 3 {
		t.Fatalf("%d updates: %s", len(ups), ups)
	}
	if id := int64(0); json.Unmarshal(ups[0]["update_id"], &id) != nil || id != up {
		t.Errorf("update_id %s, want %d", ups[0]["update_id"], up)
	}
	var m struct {
		MessageID int64 `json:"message_id"`
		From      struct {
			ID       int64  `json:"id"`
			Username string `json:"username"`
			Language string `json:"language_code"`
		} `json:"from"`
		Chat struct {
			ID   int64  `json:"id"`
			Type string `json:"type"`
		} `json:"chat"`
		Text     string `json:"text"`
		Entities []struct {
			Type   string `json:"type"`
			Offset int    `json:"offset"`
			Length int    `json:"length"`
		} `json:"entities"`
		ReplyTo *struct {
			MessageID int64  `json:"message_id"`
			Text      string `json:"text"`
		} `json:"reply_to_message"`
	}
	if err := json.Unmarshal(ups[0]["message"], &m); err != nil {
		t.Fatal(err)
	}
	if m.MessageID != msg || m.From.ID != 5 || m.From.Username != "ann_ops" || m.From.Language != "de" || m.Chat.ID != groupChat ||
		m.Chat.Type != "supergroup" || m.Text != text || m.ReplyTo == nil || m.ReplyTo.MessageID != bot || m.ReplyTo.Text != "firing: HighLoad" {
		t.Errorf("message %+v", m)
	}
	// Offsets in UTF-16 units: the emoji is two.
	var got []string
	for _, e := range m.Entities {
		got = append(got, e.Type+":"+text[utf16Byte(text, e.Offset):utf16Byte(text, e.Offset+e.Length)])
	}
	want := []string{"bot_command:/silence@herald_fake_bot", "url:https://grafana.example/d/x", "mention:@oncall_ann"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("entities %v, want %v", got, want)
	}
	if id := int64(0); json.Unmarshal(ups[1]["update_id"], &id) != nil || id != edited || !strings.Contains(string(ups[1]["edited_message"]), `"text":"/silence 2h"`) ||
		!strings.Contains(string(ups[1]["edited_message"]), `"edit_date"`) {
		t.Errorf("edited %s", ups[1])
	}
	if id := int64(0); json.Unmarshal(ups[2]["update_id"], &id) != nil || id != member || !strings.Contains(string(ups[2]["my_chat_member"]), `"new_chat_member":{"status":"member"`) {
		t.Errorf("my_chat_member %s", ups[2])
	}
	// The bot may reply to the user's message, not edit it.
	if a := call(t, s, "sendMessage", map[string]any{"chat_id": groupChat, "text": "ok", "reply_parameters": map[string]any{"message_id": msg}}); !a.OK {
		t.Errorf("reply to the user: %+v", a)
	}
	if a := call(t, s, "editMessageText", map[string]any{"chat_id": groupChat, "message_id": msg, "text": "x"}); a.Description != "Bad Request: message can't be edited" {
		t.Errorf("editing the user's message: %+v", a)
	}
}

// utf16Byte is the byte offset of UTF-16 offset n in s.
func utf16Byte(s string, n int) int {
	units := 0
	for i, r := range s {
		if units >= n {
			return i
		}
		units++
		if r > 0xFFFF {
			units++
		}
	}
	return len(s)
}

func TestPressAndAnswer(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Limits{Unlimited: true})
	id := call(t, s, "sendMessage", map[string]any{"chat_id": groupChat, "text": "firing",
		"reply_markup": kb([]map[string]any{cb("Silence 1h", "s:42:1h"), {"text": "Runbook", "url": "https://x.example/"}})}).messageID(t)
	if _, err := s.Press(groupChat, id, 5, "Silence 2h"); err == nil {
		t.Error("pressed a button that does not exist")
	}
	if _, err := s.Press(groupChat, id, 5, "Runbook"); err == nil {
		t.Error("a URL button sent a callback query")
	}
	qid, err := s.Press(groupChat, id, 5, "Silence 1h")
	if err != nil {
		t.Fatal(err)
	}
	ups := updates(t, s, nil)
	var q struct {
		ID      string `json:"id"`
		Data    string `json:"data"`
		Message struct {
			MessageID   int64          `json:"message_id"`
			Text        string         `json:"text"`
			ReplyMarkup map[string]any `json:"reply_markup"`
		} `json:"message"`
	}
	if len(ups) != 1 || json.Unmarshal(ups[0]["callback_query"], &q) != nil || q.ID != qid || q.Data != "s:42:1h" ||
		q.Message.MessageID != id || q.Message.Text != "firing" || q.Message.ReplyMarkup == nil {
		t.Fatalf("callback query %s", ups)
	}
	if a := call(t, s, "answerCallbackQuery", map[string]any{"callback_query_id": qid, "text": "Silenced"}); !a.OK {
		t.Fatalf("answer: %+v", a)
	}
	tooOld := "Bad Request: query is too old and response timeout expired or query ID is invalid"
	if a := call(t, s, "answerCallbackQuery", map[string]any{"callback_query_id": qid}); a.Description != tooOld {
		t.Errorf("second answer: %+v", a)
	}
	late, _ := s.Press(groupChat, id, 5, "Silence 1h")
	s.ExpireCallbacks()
	if a := call(t, s, "answerCallbackQuery", map[string]any{"callback_query_id": late}); a.Description != tooOld {
		t.Errorf("expired query: %+v", a)
	}
	// A press on a message the fake does not know is an inaccessible one.
	s.PushCallback(groupChat, 999, 5, "s:1:1h")
	ups = updates(t, s, map[string]any{"offset": -1})
	if len(ups) != 1 || !strings.Contains(string(ups[0]["callback_query"]), `"date":0`) {
		t.Errorf("inaccessible message %s", ups)
	}
}

func TestCallsRecorded(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Limits{Unlimited: true})
	done := make(chan Call, 1)
	errs := make(chan error, 1)
	go func() {
		c, err := s.WaitCall("setMyCommands", 1, 5*time.Second)
		if err != nil {
			errs <- err
			return
		}
		done <- c
	}()
	cmds := []map[string]any{{"command": "alerts", "description": "Aktive Alarme"}}
	call(t, s, "getMe", nil)
	call(t, s, "setMyCommands", map[string]any{"commands": cmds})
	call(t, s, "SETMYCOMMANDS", map[string]any{"commands": cmds, "language_code": "de", "scope": map[string]any{"type": "all_group_chats"}})
	select {
	case c := <-done:
		var scope struct {
			Type string `json:"type"`
		}
		if c.Method != "setMyCommands" || c.Params["language_code"] != "de" || c.Decode("scope", &scope) != nil || scope.Type != "all_group_chats" {
			t.Errorf("second setMyCommands: %+v", c)
		}
	case err := <-errs:
		t.Fatal(err)
	}
	if c := s.Calls("getMe"); len(c) != 1 || !c[0].OK {
		t.Errorf("getMe calls %+v", c)
	}
	call(t, s, "sendMessage", map[string]any{"chat_id": userChat, "text": "x", "reply_markup": kb([]map[string]any{cb("", "d")})})
	c := s.Calls("sendMessage")
	if len(c) != 1 || c[0].OK || c[0].ErrorCode != 400 || c[0].Keyboard() != nil || len(s.Calls()) != 4 {
		t.Errorf("refused sendMessage %+v (of %d calls)", c, len(s.Calls()))
	}
	if _, err := s.WaitCalls("deleteWebhook", 1, 10*time.Millisecond); err == nil || !strings.Contains(err.Error(), "0 deleteWebhook calls") {
		t.Errorf("waiting for a call that never comes: %v", err)
	}
}

func TestPostWebhook(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Limits{Unlimited: true})
	var mu sync.Mutex
	var got []string
	fail := true
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(SecretTokenHeader) != "s3cret" {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if fail && strings.Contains(string(body), "second") {
			fail = false
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		got = append(got, string(body))
	}))
	t.Cleanup(hook.Close)
	ctx := t.Context()
	s.PushMessage(userChat, 5, "first")
	s.PushMessage(userChat, 5, "second")
	s.PushMessage(userChat, 5, "third")
	if st, err := s.PostWebhook(ctx, hook.URL, "wrong"); err != nil || len(st) != 1 || st[0] != http.StatusForbidden {
		t.Fatalf("wrong secret: %v %v", st, err)
	}
	if st, err := s.PostWebhook(ctx, hook.URL, "s3cret"); err != nil || len(st) != 2 || st[1] != http.StatusServiceUnavailable {
		t.Fatalf("503 on the second: %v %v", st, err)
	}
	if st, err := s.PostWebhook(ctx, hook.URL, "s3cret"); err != nil || len(st) != 2 {
		t.Fatalf("the rest: %v %v", st, err)
	}
	if len(updates(t, s, nil)) != 0 {
		t.Error("delivered updates are still pending")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 3 || !strings.Contains(got[0], `"text":"first"`) || !strings.Contains(got[2], `"text":"third"`) || !strings.Contains(got[0], `"update_id":1`) {
		t.Errorf("delivered %q", got)
	}
	if st, err := PostUpdate(ctx, hook.URL, "", []byte(`{"update_id":9}`)); err != nil || st != http.StatusForbidden {
		t.Errorf("raw update without a secret: %d %v", st, err)
	}
}
