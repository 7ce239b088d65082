package faketelegram

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const (
	userChat  = 111
	groupChat = -100222
	forumChat = -100333
)

// answer is Telegram's response envelope as a client sees it.
type answer struct {
	Status      int
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter      int   `json:"retry_after"`
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

func (a answer) messageID(t *testing.T) int64 {
	t.Helper()
	var m struct {
		MessageID int64 `json:"message_id"`
	}
	if !a.OK || json.Unmarshal(a.Result, &m) != nil {
		t.Fatalf("not a message: %+v", a)
	}
	return m.MessageID
}

func newTestServer(t *testing.T, limits Limits) *Server {
	return New(t, Config{Limits: limits, Chats: []Chat{
		{ID: userChat},
		{ID: groupChat, Username: "alerts"},
		{ID: forumChat, Topics: []int64{7}},
	}})
}

func do(t *testing.T, req *http.Request) answer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := answer{Status: resp.StatusCode}
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatalf("answer is not JSON: %v", err)
	}
	if a.OK != (resp.StatusCode == 200) || (!a.OK && a.ErrorCode != resp.StatusCode) {
		t.Fatalf("envelope does not match status %d: %+v", resp.StatusCode, a)
	}
	return a
}

// call sends a JSON request, as Herald does.
func call(t *testing.T, s *Server, method string, p map[string]any) answer {
	t.Helper()
	body, _ := json.Marshal(p)
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/bot"+s.Token()+"/"+method, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return do(t, req)
}

func send(t *testing.T, s *Server, chat any, text string) answer {
	t.Helper()
	return call(t, s, "sendMessage", map[string]any{"chat_id": chat, "text": text, "parse_mode": "HTML"})
}

func TestRoutes(t *testing.T) {
	s := newTestServer(t, Limits{})
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/bot"+s.Token()+"/getMe", nil)
	if a := do(t, req); !a.OK || !strings.Contains(string(a.Result), `"is_bot":true`) {
		t.Errorf("getMe: %+v", a)
	}
	req, _ = http.NewRequest(http.MethodGet, s.URL()+"/bot1:wrong/getMe", nil)
	if a := do(t, req); a.Status != 401 || a.Description != "Unauthorized" {
		t.Errorf("wrong token: %+v", a)
	}
	if a := call(t, s, "sendSticker", nil); a.Status != 404 {
		t.Errorf("unknown method: %+v", a)
	}
	// Form encoding, as curl and many libraries send.
	form := url.Values{"chat_id": {"111"}, "text": {"<b>form</b>"}, "parse_mode": {"HTML"}, "disable_notification": {"true"}}
	req, _ = http.NewRequest(http.MethodPost, s.URL()+"/bot"+s.Token()+"/sendMessage", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if a := do(t, req); !a.OK {
		t.Errorf("form sendMessage: %+v", a)
	}
	form.Set("text", "\xff")
	req, _ = http.NewRequest(http.MethodPost, s.URL()+"/bot"+s.Token()+"/sendMessage", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if a := do(t, req); a.Description != "Bad Request: text must be encoded in UTF-8" {
		t.Errorf("invalid UTF-8: %+v", a)
	}
	msgs := s.Messages()
	if len(msgs) != 1 || msgs[0].Plain != "form" || !msgs[0].DisableNotification {
		t.Errorf("messages = %+v", msgs)
	}
}

func TestSendMessageChecks(t *testing.T) {
	s := newTestServer(t, Limits{Unlimited: true})
	first := send(t, s, userChat, "first").messageID(t)
	tests := []struct {
		name string
		p    map[string]any
		want string // "" for success
	}{
		{"ok by username", map[string]any{"chat_id": "@alerts", "text": "x"}, ""},
		{"ok numeric string", map[string]any{"chat_id": "111", "text": "x"}, ""},
		{"unknown chat", map[string]any{"chat_id": 999, "text": "x"}, "Bad Request: chat not found"},
		{"unknown username", map[string]any{"chat_id": "@nobody", "text": "x"}, "Bad Request: chat not found"},
		{"no chat", map[string]any{"text": "x"}, "Bad Request: chat_id is empty"},
		{"empty text", map[string]any{"chat_id": userChat, "text": ""}, "Bad Request: message text is empty"},
		{"only tags", map[string]any{"chat_id": userChat, "text": "<b> </b>", "parse_mode": "HTML"}, "Bad Request: message text is empty"},
		{"4096 units", map[string]any{"chat_id": userChat, "text": strings.Repeat("😀", 2048)}, ""},
		{"4097 units", map[string]any{"chat_id": userChat, "text": strings.Repeat("😀", 2048) + "x"}, "Bad Request: message is too long"},
		{"limit counts after entities", map[string]any{"chat_id": userChat, "text": strings.Repeat("&amp;", 4096), "parse_mode": "HTML"}, ""},
		{"bad html", map[string]any{"chat_id": userChat, "text": "a < b", "parse_mode": "HTML"}, `Bad Request: can't parse entities: Unsupported start tag "" at byte offset 2`},
		{"html ignored without parse mode", map[string]any{"chat_id": userChat, "text": "a < b"}, ""},
		{"markdown unsupported", map[string]any{"chat_id": userChat, "text": "x", "parse_mode": "MarkdownV2"}, "Bad Request: unsupported parse_mode"},
		{"topic", map[string]any{"chat_id": forumChat, "text": "x", "message_thread_id": 7}, ""},
		{"unknown topic", map[string]any{"chat_id": forumChat, "text": "x", "message_thread_id": 8}, "Bad Request: message thread not found"},
		{"reply", map[string]any{"chat_id": userChat, "text": "x", "reply_parameters": map[string]any{"message_id": first}}, ""},
		{"reply to unknown", map[string]any{"chat_id": userChat, "text": "x", "reply_parameters": map[string]any{"message_id": 999}}, "Bad Request: message to be replied not found"},
		{"reply to unknown allowed", map[string]any{"chat_id": userChat, "text": "x", "reply_parameters": map[string]any{"message_id": 999, "allow_sending_without_reply": true}}, ""},
		{"bad thread type", map[string]any{"chat_id": forumChat, "text": "x", "message_thread_id": "seven"}, `Bad Request: field "message_thread_id" must be of type Integer`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := call(t, s, "sendMessage", tt.p)
			if tt.want == "" && !a.OK {
				t.Fatalf("rejected: %d %s", a.ErrorCode, a.Description)
			}
			if tt.want != "" && (a.OK || a.Status != 400 || a.Description != tt.want) {
				t.Fatalf("got %d %q, want 400 %q", a.Status, a.Description, tt.want)
			}
		})
	}
}

func TestRecordsMessages(t *testing.T) {
	s := newTestServer(t, Limits{Unlimited: true})
	first := send(t, s, forumChat, "<b>fire</b> &amp; smoke").messageID(t)
	call(t, s, "sendMessage", map[string]any{
		"chat_id": forumChat, "text": "x", "message_thread_id": 7, "disable_notification": true,
		"link_preview_options": map[string]any{"is_disabled": true},
		"reply_parameters":     map[string]any{"message_id": first},
	})
	msgs, err := s.WaitMessages(2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if m := msgs[0]; m.Plain != "fire & smoke" || m.Text != "<b>fire</b> &amp; smoke" || m.ParseMode != "HTML" {
		t.Errorf("first = %+v", m)
	}
	if m := msgs[1]; m.ThreadID != 7 || m.ReplyTo != first || !m.DisableNotification || !m.LinkPreviewDisabled || m.ID != first+1 {
		t.Errorf("second = %+v", m)
	}
	if _, err := s.WaitMessages(3, 10e6); err == nil {
		t.Error("WaitMessages(3) did not time out")
	}
}

func TestEditMessageText(t *testing.T) {
	s := newTestServer(t, Limits{Unlimited: true})
	id := send(t, s, userChat, "🔥 firing").messageID(t)
	edit := func(id int64, text string) answer {
		return call(t, s, "editMessageText", map[string]any{"chat_id": userChat, "message_id": id, "text": text, "parse_mode": "HTML"})
	}
	if a := edit(id, "✅ <b>resolved</b>"); !a.OK {
		t.Fatalf("edit: %+v", a)
	}
	m, _ := s.Message(userChat, id)
	if m.Plain != "✅ resolved" || len(m.Edits) != 1 || m.Edits[0] != "🔥 firing" {
		t.Errorf("edited message = %+v", m)
	}
	for _, tt := range []struct {
		id         int64
		text, want string
	}{
		{id, "✅ <b>resolved</b>", "Bad Request: " + notModified},
		{999, "x", "Bad Request: message to edit not found"},
		{id, "<i>x", `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "i"`},
		{id, strings.Repeat("x", 4097), "Bad Request: message is too long"},
	} {
		if a := edit(tt.id, tt.text); a.Description != tt.want {
			t.Errorf("edit(%d, %.20q) = %q, want %q", tt.id, tt.text, a.Description, tt.want)
		}
	}
}

func TestChatStates(t *testing.T) {
	s := New(t, Config{Limits: Limits{Unlimited: true}, Chats: []Chat{
		{ID: 1, Blocked: true},
		{ID: -2, Type: "group", Blocked: true},
		{ID: -3, Type: "group", MigrateTo: -1003},
	}})
	if a := send(t, s, 1, "x"); a.Status != 403 || a.Description != "Forbidden: bot was blocked by the user" {
		t.Errorf("blocked user: %+v", a)
	}
	if a := send(t, s, -2, "x"); a.Status != 403 || a.Description != "Forbidden: bot was kicked from the group chat" {
		t.Errorf("kicked: %+v", a)
	}
	if a := send(t, s, -3, "x"); a.Status != 400 || a.Parameters.MigrateToChatID != -1003 {
		t.Errorf("migrated: %+v", a)
	}
}

func pngImage(t *testing.T, w, h int) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// multipartCall uploads files as Herald sends photos.
func multipartCall(t *testing.T, s *Server, method string, fields map[string]string, files map[string][]byte) answer {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for k, v := range files {
		fw, _ := mw.CreateFormFile(k, k+".png")
		_, _ = fw.Write(v)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/bot"+s.Token()+"/"+method, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return do(t, req)
}

func TestPhotos(t *testing.T) {
	s := newTestServer(t, Limits{Unlimited: true})
	img := pngImage(t, 40, 30)
	a := multipartCall(t, s, "sendPhoto", map[string]string{"chat_id": "111", "caption": "<b>cpu</b>", "parse_mode": "HTML"}, map[string][]byte{"photo": img})
	id := a.messageID(t)
	if m, _ := s.Message(userChat, id); m.Plain != "cpu" || !bytes.Equal(m.Photo, img) {
		t.Errorf("photo message = %+v", m)
	}
	for _, tt := range []struct {
		name   string
		fields map[string]string
		files  map[string][]byte
		want   string
	}{
		{"long caption", map[string]string{"chat_id": "111", "caption": strings.Repeat("x", 1025)}, map[string][]byte{"photo": img}, "Bad Request: message caption is too long"},
		{"no photo", map[string]string{"chat_id": "111"}, nil, "Bad Request: there is no photo in the request"},
		{"not an image", map[string]string{"chat_id": "111"}, map[string][]byte{"photo": []byte("GIF89a?")}, "Bad Request: IMAGE_PROCESS_FAILED"},
		{"too thin", map[string]string{"chat_id": "111"}, map[string][]byte{"photo": pngImage(t, 420, 20)}, "Bad Request: PHOTO_INVALID_DIMENSIONS"},
	} {
		if a := multipartCall(t, s, "sendPhoto", tt.fields, tt.files); a.Description != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, a.Description, tt.want)
		}
	}
	media := `{"type":"photo","media":"attach://chart","caption":"new"}`
	a = multipartCall(t, s, "editMessageMedia", map[string]string{"chat_id": "111", "message_id": "1", "media": media}, map[string][]byte{"chart": pngImage(t, 20, 20)})
	if m, _ := s.Message(userChat, id); !a.OK || m.Plain != "new" || len(m.Edits) != 1 {
		t.Errorf("editMessageMedia: %+v, message %+v", a, m)
	}
	caption := func(c string) answer {
		return call(t, s, "editMessageCaption", map[string]any{"chat_id": userChat, "message_id": id, "caption": c})
	}
	if a := caption("newer"); !a.OK {
		t.Errorf("editMessageCaption: %+v", a)
	}
	if a := caption("newer"); !strings.HasPrefix(a.Description, "Bad Request: message is not modified") {
		t.Errorf("same caption: %+v", a)
	}
	text := send(t, s, userChat, "text").messageID(t)
	if a := call(t, s, "editMessageCaption", map[string]any{"chat_id": userChat, "message_id": text, "caption": "c"}); a.Description != "Bad Request: there is no caption in the message to edit" {
		t.Errorf("caption of text: %+v", a)
	}
}
