package telegram

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

// TestUpdateKinds: what the bot reads of each update kind decodes:
// commands with their entities, replies with the replied message and its
// keyboard, edited messages, button presses on a message with buttons,
// the bot's own membership.
func TestUpdateKinds(t *testing.T) {
	t.Parallel()
	c, fake := newClient(t, faketelegram.Limits{Unlimited: true}, nil)
	ctx := testContext(t, 10*time.Second)
	kb := &InlineKeyboardMarkup{InlineKeyboard: [][]InlineKeyboardButton{{CallbackButton("Silence 1h", "s:42:1h")}}}
	alert, _, err := c.SendMessage(ctx, &SendMessageParams{ChatID: fmt.Sprint(groupChat), Text: "firing: HighLoad", ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	const text = "🔥 /silence@herald_fake_bot 2h"
	_, msg, err := fake.PushIncoming(faketelegram.Incoming{Chat: groupChat, From: faketelegram.User{ID: user, Username: "ann_ops", LanguageCode: "uk"},
		Text: text, ReplyTo: alert.MessageID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.PushEdited(groupChat, msg, "/silence 4h"); err != nil {
		t.Fatal(err)
	}
	qid, err := fake.Press(groupChat, alert.MessageID, user, "Silence 1h")
	if err != nil {
		t.Fatal(err)
	}
	fake.PushMyChatMember(-100999, user, "left", "administrator")

	ups, _, err := c.GetUpdates(ctx, &GetUpdatesParams{AllowedUpdates: []string{UpdateMessage, UpdateEditedMessage, UpdateCallbackQuery, UpdateMyChatMember}})
	if err != nil || len(ups) != 4 {
		t.Fatalf("updates %+v, err %v", ups, err)
	}
	m := ups[0].Message
	if m == nil || m.From == nil || m.From.Username != "ann_ops" || m.From.LanguageCode != "uk" || m.Chat.Type != "supergroup" || m.Text != text {
		t.Fatalf("message %+v", m)
	}
	if len(m.Entities) != 1 || m.Entities[0].Type != "bot_command" || EntityText(m.Text, m.Entities[0]) != "/silence@herald_fake_bot" {
		t.Errorf("entities %+v", m.Entities)
	}
	if r := m.ReplyToMessage; r == nil || r.MessageID != alert.MessageID || r.ReplyMarkup == nil || r.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "s:42:1h" {
		t.Errorf("reply_to_message %+v", r)
	}
	if e := ups[1].EditedMessage; e == nil || e.MessageID != msg || e.Text != "/silence 4h" || e.EditDate == 0 || ups[1].Message != nil {
		t.Errorf("edited message %+v", ups[1])
	}
	q := ups[2].CallbackQuery
	if q == nil || q.ID != qid || q.Data != "s:42:1h" || q.From.ID != user || q.Message == nil || q.Message.Inaccessible() ||
		q.Message.MessageID != alert.MessageID || q.Message.Text != "firing: HighLoad" {
		t.Errorf("callback query %+v", q)
	}
	if mc := ups[3].MyChatMember; mc == nil || mc.Chat.ID != -100999 || mc.OldChatMember.Status != "left" ||
		mc.NewChatMember.Status != "administrator" || !mc.NewChatMember.User.IsBot || mc.From.ID != user {
		t.Errorf("my_chat_member %+v", ups[3].MyChatMember)
	}

	// A press answered twice, or too late, is ErrQueryTooOld.
	if _, err := c.AnswerCallbackQuery(ctx, &AnswerCallbackQueryParams{CallbackQueryID: qid, Text: "Silenced for 1h"}); err != nil {
		t.Fatal(err)
	}
	if retry, err := c.AnswerCallbackQuery(ctx, &AnswerCallbackQueryParams{CallbackQueryID: qid}); !errors.Is(err, ErrQueryTooOld) || retry {
		t.Errorf("answered twice: retry=%v err=%v", retry, err)
	}
	late, _ := fake.Press(groupChat, alert.MessageID, user, "Silence 1h")
	fake.ExpireCallbacks()
	if _, err := c.AnswerCallbackQuery(ctx, &AnswerCallbackQueryParams{CallbackQueryID: late, ShowAlert: true}); !errors.Is(err, ErrQueryTooOld) {
		t.Errorf("expired: %v", err)
	}
	calls := fake.Calls("answerCallbackQuery")
	if len(calls) != 3 || calls[0].Params["text"] != "Silenced for 1h" || calls[2].Params["show_alert"] != "true" {
		t.Errorf("answerCallbackQuery calls %+v", calls)
	}
}

// TestPollDeadline: the long poll's deadline outlasts its timeout, and a
// call without parameters is a plain poll.
func TestPollDeadline(t *testing.T) {
	t.Parallel()
	for _, timeout := range []int{0, 1, 50, 300} {
		if d := PollDeadline(timeout); d <= time.Duration(timeout)*time.Second {
			t.Errorf("PollDeadline(%d) = %v, not longer than the poll", timeout, d)
		}
	}
	if PollDeadline(-5) != PollDeadline(0) {
		t.Error("a negative timeout is not 0")
	}
	c, fake := newClient(t, faketelegram.Limits{Unlimited: true}, nil)
	fake.PushMessage(userChat, user, "/start")
	if ups, _, err := c.GetUpdates(testContext(t, 5*time.Second), nil); err != nil || len(ups) != 1 || ups[0].Message.Text != "/start" {
		t.Errorf("GetUpdates(nil): %+v, %v", ups, err)
	}
	if calls := fake.Calls("getUpdates"); len(calls) != 1 || calls[0].Params["timeout"] != "" {
		t.Errorf("getUpdates sent %+v", calls)
	}
}

func TestGetWebhookInfo(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t, faketelegram.Limits{Unlimited: true}, nil)
	ctx := testContext(t, 5*time.Second)
	if w, _, err := c.GetWebhookInfo(ctx); err != nil || w.URL != "" {
		t.Fatalf("no webhook: %+v, %v", w, err)
	}
	if _, err := c.SetWebhook(ctx, &SetWebhookParams{URL: "https://bot.example/tg", SecretToken: "abc", AllowedUpdates: []string{UpdateCallbackQuery}}); err != nil {
		t.Fatal(err)
	}
	if w, _, err := c.GetWebhookInfo(ctx); err != nil || w.URL != "https://bot.example/tg" || len(w.AllowedUpdates) != 1 {
		t.Errorf("webhook: %+v, %v", w, err)
	}
}

// TestErrorKinds: Telegram's descriptions of the answers a bot handles
// by kind, as errors.Is sees them.
func TestErrorKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body  string
		is    []error
		isNot []error
	}{
		{`{"ok":false,"error_code":400,"description":"Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"}`,
			[]error{ErrNotModified, ErrBadRequest}, []error{ErrQueryTooOld, ErrMessageNotFound}},
		{`{"ok":false,"error_code":400,"description":"Bad Request: query is too old and response timeout expired or query ID is invalid"}`,
			[]error{ErrQueryTooOld, ErrBadRequest}, []error{ErrNotModified}},
		{`{"ok":false,"error_code":400,"description":"Bad Request: message to edit not found"}`,
			[]error{ErrMessageNotFound}, []error{ErrNotModified, ErrQueryTooOld}},
		{`{"ok":false,"error_code":400,"description":"Bad Request: MESSAGE_ID_INVALID"}`, []error{ErrMessageNotFound}, nil},
		{`{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001}}`,
			[]error{ErrMigrated, ErrBadRequest}, []error{ErrNotModified}},
		{`{"ok":false,"error_code":403,"description":"Forbidden: message is not modified"}`, []error{ErrForbidden}, []error{ErrNotModified}},
	}
	for _, tt := range tests {
		var ae struct {
			Code int `json:"error_code"`
		}
		_ = json.Unmarshal([]byte(tt.body), &ae)
		_, err := check("editMessageText", &http.Response{StatusCode: ae.Code, Header: http.Header{}}, []byte(tt.body), nil)
		for _, k := range tt.is {
			if !errors.Is(err, k) {
				t.Errorf("%s: not %v", tt.body, k)
			}
		}
		for _, k := range tt.isNot {
			if errors.Is(err, k) {
				t.Errorf("%s: is %v", tt.body, k)
			}
		}
	}
	// 429 is the dispatcher's RateLimitError, with the APIError inside.
	body := `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`
	_, err := check("sendMessage", &http.Response{StatusCode: 429, Header: http.Header{}}, []byte(body), nil)
	rl, ok := errors.AsType[*notify.RateLimitError](err)
	ae, ok2 := errors.AsType[*APIError](err)
	if !ok || !ok2 || rl.RetryAfter != 7*time.Second || ae.RetryAfter != 7*time.Second {
		t.Errorf("429: %v", err)
	}
}

// FuzzEntityText: entity offsets come from outside (Telegram, or whoever
// posts to the webhook); no offset, length or text may make EntityText
// panic or return what the text does not hold.
func FuzzEntityText(f *testing.F) {
	f.Add("🔥 /silence@herald_bot 2h", 3, 20)
	f.Add("/start", 0, 6)
	f.Add("\xff\xfe/x", 2, 2)
	f.Add("a", -1, 5)
	f.Add("ab", math.MaxInt, 1)
	f.Add("🔥x", 1, 2)
	f.Fuzz(func(t *testing.T, text string, offset, length int) {
		got := EntityText(text, MessageEntity{Type: "bot_command", Offset: offset, Length: length})
		// Invalid UTF-8 reads as U+FFFD, one per byte, as Telegram cannot
		// have sent it.
		if got != "" && !strings.Contains(string([]rune(text)), got) {
			t.Errorf("EntityText(%q, %d, %d) = %q, not in the text", text, offset, length, got)
		}
	})
}
