package telegram

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

func TestKeyboardValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		b    InlineKeyboardButton
		want string // "" for valid
	}{
		{"callback", CallbackButton("Silence 1h", "s:1h"), ""},
		{"url", URLButton("Runbook", "https://runbooks.example/x"), ""},
		{"tg url", URLButton("Bot", "tg://resolve?domain=herald_bot"), ""},
		{"64 bytes", CallbackButton("x", strings.Repeat("é", 32)), ""},
		{"65 bytes", CallbackButton("x", strings.Repeat("é", 32)+"x"), "callback_data is 65 bytes, over Telegram's 64"},
		{"no text", CallbackButton("", "d"), "has no text"},
		{"neither", InlineKeyboardButton{Text: "x"}, "needs exactly one of callback_data and url"},
		{"both", InlineKeyboardButton{Text: "x", CallbackData: "d", URL: "https://x.example"}, "needs exactly one"},
		{"javascript", URLButton("x", "javascript:alert(1)"), "url must be an absolute http, https or tg URL"},
	}
	for _, tt := range tests {
		k := &InlineKeyboardMarkup{InlineKeyboard: [][]InlineKeyboardButton{{CallbackButton("ok", "ok")}, {tt.b}}}
		err := k.Validate()
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
		if err != nil && !strings.Contains(err.Error(), "button [1][0]") {
			t.Errorf("%s: %v does not say which button", tt.name, err)
		}
	}
	// Herald's button type sends no field it does not set: an empty
	// copy_text or url beside callback_data is a second kind of button.
	raw, _ := json.Marshal(CallbackButton("Ack", "ack:1"))
	if string(raw) != `{"text":"Ack","callback_data":"ack:1"}` {
		t.Errorf("button JSON %s", raw)
	}
}

// TestKeyboardsOnSendsAndEdits: reply_markup goes with every send and
// edit, JSON and multipart; an edit with the same content is
// ErrNotModified, a permanent bad request the caller may ignore.
func TestKeyboardsOnSendsAndEdits(t *testing.T) {
	t.Parallel()
	c, fake := newClient(t, faketelegram.Limits{Unlimited: true}, nil)
	ctx := testContext(t, 10*time.Second)
	chat := fmt.Sprint(groupChat)
	kb := &InlineKeyboardMarkup{InlineKeyboard: [][]InlineKeyboardButton{
		{CallbackButton("Silence 1h", "s:42:1h"), CallbackButton("Ack", "ack:42")},
		{URLButton("Runbook", "https://runbooks.example/high-load")},
	}}
	m, _, err := c.SendMessage(ctx, &SendMessageParams{ChatID: chat, Text: "<b>firing</b>", ParseMode: ParseModeHTML, ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	if m.ReplyMarkup == nil || len(m.ReplyMarkup.InlineKeyboard) != 2 || m.ReplyMarkup.InlineKeyboard[1][0].URL != "https://runbooks.example/high-load" {
		t.Errorf("the sent message's keyboard: %+v", m.ReplyMarkup)
	}
	got := func(id int64) [][]string {
		fm, _ := fake.Message(groupChat, id)
		return fm.ReplyMarkup.Buttons()
	}
	if b := got(m.MessageID); fmt.Sprint(b) != "[[Silence 1h Ack] [Runbook]]" {
		t.Errorf("keyboard at Telegram %v", b)
	}

	same := &EditMessageTextParams{ChatID: chat, MessageID: m.MessageID, Text: "<b>firing</b>", ParseMode: ParseModeHTML, ReplyMarkup: kb}
	retry, err := c.EditMessageText(ctx, same)
	if !errors.Is(err, ErrNotModified) || !errors.Is(err, ErrBadRequest) || retry {
		t.Errorf("identical edit: retry=%v err=%v, want ErrNotModified", retry, err)
	}
	acked := &InlineKeyboardMarkup{InlineKeyboard: [][]InlineKeyboardButton{{CallbackButton("Acked by Ann", "noop")}}}
	if _, err := c.EditMessageReplyMarkup(ctx, &EditMessageReplyMarkupParams{ChatID: chat, MessageID: m.MessageID, ReplyMarkup: acked}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EditMessageReplyMarkup(ctx, &EditMessageReplyMarkupParams{ChatID: chat, MessageID: m.MessageID, ReplyMarkup: acked}); !errors.Is(err, ErrNotModified) {
		t.Errorf("same keyboard again: %v", err)
	}
	// An edit of the text without reply_markup removes the keyboard.
	same.ReplyMarkup, same.Text = nil, "<b>resolved</b>"
	if _, err := c.EditMessageText(ctx, same); err != nil || len(got(m.MessageID)) != 0 {
		t.Errorf("edit without a keyboard: %v, keyboard %v", err, got(m.MessageID))
	}

	// Photos: multipart send, caption and media edits.
	p, _, err := c.SendPhoto(ctx, &SendPhotoParams{ChatID: chat, Caption: "chart", ReplyMarkup: kb}, pngBytes(t))
	if err != nil {
		t.Fatal(err)
	}
	if b := got(p.MessageID); fmt.Sprint(b) != "[[Silence 1h Ack] [Runbook]]" {
		t.Errorf("photo keyboard %v", b)
	}
	if _, err := c.EditMessageCaption(ctx, &EditMessageCaptionParams{ChatID: chat, MessageID: p.MessageID, Caption: "chart", ReplyMarkup: kb}); !errors.Is(err, ErrNotModified) {
		t.Errorf("identical caption edit: %v", err)
	}
	if _, err := c.EditMessageCaption(ctx, &EditMessageCaptionParams{ChatID: chat, MessageID: p.MessageID, Caption: "chart", ReplyMarkup: acked}); err != nil || fmt.Sprint(got(p.MessageID)) != "[[Acked by Ann]]" {
		t.Errorf("caption edit with a new keyboard: %v, %v", err, got(p.MessageID))
	}
	if _, err := c.EditMessageMedia(ctx, &EditMessageMediaParams{ChatID: chat, MessageID: p.MessageID, ReplyMarkup: kb}, pngBytes(t)); err != nil || len(got(p.MessageID)) != 2 {
		t.Errorf("media edit with a keyboard: %v, %v", err, got(p.MessageID))
	}

	// Telegram refuses what Validate refuses.
	bad := &InlineKeyboardMarkup{InlineKeyboard: [][]InlineKeyboardButton{{CallbackButton("x", strings.Repeat("d", 65))}}}
	if _, retry, err := c.SendMessage(ctx, &SendMessageParams{ChatID: chat, Text: "x", ReplyMarkup: bad}); !errors.Is(err, ErrBadRequest) || retry ||
		!strings.Contains(err.Error(), "BUTTON_DATA_INVALID") || bad.Validate() == nil {
		t.Errorf("65 bytes of callback_data: retry=%v err=%v", retry, err)
	}
}

func TestDeleteMessage(t *testing.T) {
	t.Parallel()
	c, fake := newClient(t, faketelegram.Limits{Unlimited: true}, nil)
	ctx := testContext(t, 5*time.Second)
	chat := fmt.Sprint(userChat)
	m, _, err := c.SendMessage(ctx, &SendMessageParams{ChatID: chat, Text: "menu"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteMessage(ctx, &DeleteMessageParams{ChatID: chat, MessageID: m.MessageID}); err != nil {
		t.Fatal(err)
	}
	if msgs := fake.Messages(); len(msgs) != 1 || !msgs[0].Deleted {
		t.Errorf("messages %+v", msgs)
	}
	retry, err := c.DeleteMessage(ctx, &DeleteMessageParams{ChatID: chat, MessageID: m.MessageID})
	if !errors.Is(err, ErrMessageNotFound) || retry {
		t.Errorf("second delete: retry=%v err=%v", retry, err)
	}
	if _, err := c.EditMessageText(ctx, &EditMessageTextParams{ChatID: chat, MessageID: m.MessageID, Text: "x"}); !errors.Is(err, ErrMessageNotFound) || errors.Is(err, ErrNotModified) {
		t.Errorf("edit of a deleted message: %v", err)
	}
}

// pngBytes is a small real PNG, since the fake decodes uploads.
func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 2))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
