package faketelegram

import (
	"strings"
	"testing"
)

// kb is an inline keyboard parameter.
func kb(rows ...[]map[string]any) map[string]any { return map[string]any{"inline_keyboard": rows} }

func cb(text, data string) map[string]any { return map[string]any{"text": text, "callback_data": data} }

func TestKeyboardChecks(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Limits{Unlimited: true})
	tests := []struct {
		name   string
		markup any
		want   string // "" for success
	}{
		{"callback and url", kb([]map[string]any{cb("Silence 1h", "s:1h"), {"text": "Runbook", "url": "https://runbooks.example/x"}}), ""},
		{"64 bytes of data", kb([]map[string]any{cb("x", strings.Repeat("é", 32))}), ""},
		{"65 bytes of data", kb([]map[string]any{cb("x", strings.Repeat("é", 32)+"x")}), "Bad Request: BUTTON_DATA_INVALID"},
		{"empty data", kb([]map[string]any{cb("x", "")}), "Bad Request: BUTTON_DATA_INVALID"},
		{"text button", kb([]map[string]any{{"text": "x"}}), "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"},
		{"empty copy_text beside data", kb([]map[string]any{{"text": "x", "callback_data": "d", "copy_text": map[string]any{}}}),
			"Bad Request: can't parse inline keyboard button: exactly one of callback_data and copy_text may be set (a field present as null or {} counts)"},
		{"null url beside data", kb([]map[string]any{{"text": "x", "url": nil, "callback_data": "d"}}),
			"Bad Request: can't parse inline keyboard button: exactly one of url and callback_data may be set (a field present as null or {} counts)"},
		{"unknown field", kb([]map[string]any{{"text": "x", "callback_data": "d", "style": "danger"}}),
			`Bad Request: can't parse inline keyboard button: unknown field "style" (a fake's check: Telegram ignores it)`},
		{"empty text", kb([]map[string]any{cb("", "d")}), "Bad Request: can't parse inline keyboard button: the text is empty (the fake's wording)"},
		{"javascript url", kb([]map[string]any{{"text": "x", "url": "javascript:alert(1)"}}), "Bad Request: BUTTON_URL_INVALID"},
		{"button not an object", map[string]any{"inline_keyboard": [][]string{{"x"}}}, "Bad Request: can't parse inline keyboard button: InlineKeyboardButton should be an Object"},
		{"reply keyboard", map[string]any{"keyboard": [][]string{{"x"}}}, "Bad Request: the fake supports only reply_markup with inline_keyboard alone (Herald sends no reply keyboards)"},
		{"not JSON", "{", "Bad Request: can't parse reply keyboard markup JSON object"},
	}
	for _, tt := range tests {
		a := call(t, s, "sendMessage", map[string]any{"chat_id": userChat, "text": "alert", "reply_markup": tt.markup})
		switch {
		case tt.want == "" && !a.OK:
			t.Errorf("%s: %+v", tt.name, a)
		case tt.want != "" && a.Description != tt.want:
			t.Errorf("%s: %q, want %q", tt.name, a.Description, tt.want)
		}
	}
	msgs := s.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2", len(msgs))
	}
	if b, ok := msgs[0].ReplyMarkup.Find("Runbook"); !ok || b.URL != "https://runbooks.example/x" ||
		len(msgs[0].ReplyMarkup.Buttons()[0]) != 2 {
		t.Errorf("keyboard %+v", msgs[0].ReplyMarkup)
	}
}

func TestEditsAndKeyboards(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Limits{Unlimited: true})
	one := kb([]map[string]any{cb("Ack", "ack:1")})
	id := call(t, s, "sendMessage", map[string]any{"chat_id": groupChat, "text": "firing", "reply_markup": one}).messageID(t)
	edit := func(method string, p map[string]any) answer {
		p["chat_id"], p["message_id"] = groupChat, id
		return call(t, s, method, p)
	}
	steps := []struct {
		name   string
		method string
		p      map[string]any
		want   string
		kb     [][]string
	}{
		{"same text, same keyboard", "editMessageText", map[string]any{"text": "firing", "reply_markup": one}, notModified, [][]string{{"Ack"}}},
		{"same keyboard alone", "editMessageReplyMarkup", map[string]any{"reply_markup": one}, notModified, [][]string{{"Ack"}}},
		{"new keyboard", "editMessageReplyMarkup", map[string]any{"reply_markup": kb([]map[string]any{cb("Acked by @ann", "noop")})}, "", [][]string{{"Acked by @ann"}}},
		{"same text without the keyboard removes it", "editMessageText", map[string]any{"text": "firing"}, "", [][]string{}},
		{"nothing left to change", "editMessageText", map[string]any{"text": "firing"}, notModified, [][]string{}},
		{"no keyboard to remove", "editMessageReplyMarkup", map[string]any{}, notModified, [][]string{}},
		{"bad keyboard in an edit", "editMessageText", map[string]any{"text": "resolved", "reply_markup": kb([]map[string]any{cb("x", "")})}, "BUTTON_DATA_INVALID", [][]string{}},
	}
	for _, st := range steps {
		a := edit(st.method, st.p)
		switch {
		case st.want == "" && !a.OK:
			t.Errorf("%s: %+v", st.name, a)
		case st.want != "" && !strings.Contains(a.Description, st.want):
			t.Errorf("%s: %q, want %q", st.name, a.Description, st.want)
		}
		m, _ := s.Message(groupChat, id)
		if got := m.ReplyMarkup.Buttons(); len(got) != len(st.kb) || (len(got) > 0 && got[0][0] != st.kb[0][0]) {
			t.Errorf("%s: keyboard %v, want %v", st.name, got, st.kb)
		}
	}
	if m, _ := s.Message(groupChat, id); m.MarkupEdits != 1 || len(m.Edits) != 1 {
		t.Errorf("markup edits %d, text edits %v", m.MarkupEdits, m.Edits)
	}
}

func TestDeleteMessage(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Limits{Unlimited: true})
	id := send(t, s, userChat, "to delete").messageID(t)
	if a := call(t, s, "deleteMessage", map[string]any{"chat_id": userChat, "message_id": id}); !a.OK {
		t.Fatalf("delete: %+v", a)
	}
	for _, c := range []struct {
		method string
		p      map[string]any
		want   string
	}{
		{"deleteMessage", map[string]any{"chat_id": userChat, "message_id": id}, "Bad Request: message to delete not found"},
		{"editMessageText", map[string]any{"chat_id": userChat, "message_id": id, "text": "x"}, "Bad Request: message to edit not found"},
		{"sendMessage", map[string]any{"chat_id": userChat, "text": "x", "reply_parameters": map[string]any{"message_id": id}}, "Bad Request: message to be replied not found"},
	} {
		if a := call(t, s, c.method, c.p); a.Description != c.want {
			t.Errorf("%s after delete: %+v, want %q", c.method, a, c.want)
		}
	}
	if msgs := s.Messages(); len(msgs) != 1 || !msgs[0].Deleted {
		t.Errorf("messages %+v", msgs)
	}
	if _, ok := s.Message(userChat, id); ok {
		t.Error("a deleted message is still found")
	}
}
