package bot_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/bot"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/telegram"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

func TestWebhook(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.cfg.Telegram.Mode = config.BotWebhook
	e.cfg.ExternalURL = "https://herald.example.com/"
	e.start()
	srv := httptest.NewServer(e.bot)
	t.Cleanup(srv.Close)
	url := srv.URL + bot.WebhookPath
	secret := bot.WebhookSecret(e.cfg)

	wh := e.tg.Webhook()
	if wh.URL != "https://herald.example.com/telegram/webhook" || wh.SecretToken != secret ||
		!slices.Equal(wh.AllowedUpdates, []string{"message", "edited_message", "callback_query"}) {
		t.Errorf("webhook %+v", wh)
	}
	if secret == "" || strings.Contains(secret, e.tg.Token()) {
		t.Errorf("derived secret %q", secret)
	}
	if got := e.tg.Calls("deleteWebhook"); len(got) != 0 {
		t.Errorf("webhook mode removed the webhook: %+v", got)
	}

	update, msg, err := e.tg.PushIncoming(faketelegram.Incoming{Chat: bobID, From: bob, Text: "/help"})
	if err != nil {
		t.Fatal(err)
	}
	for _, wrong := range []string{"", "wrong", secret + "x", strings.ToUpper(secret)} {
		statuses, err := e.tg.PostWebhook(ctx(t), url, wrong)
		if err != nil || !slices.Equal(statuses, []int{http.StatusUnauthorized}) {
			t.Errorf("secret %q: statuses %v, %v; want [401]", wrong, statuses, err)
		}
	}
	if got := e.tg.Calls("sendMessage"); len(got) != 0 {
		t.Fatalf("an update with a wrong secret was handled: %+v", got)
	}
	statuses, err := e.tg.PostWebhook(ctx(t), url, secret)
	if err != nil || !slices.Equal(statuses, []int{http.StatusOK}) {
		t.Fatalf("statuses %v, %v; want [200]", statuses, err)
	}
	sent := e.tg.Calls("sendMessage")
	if len(sent) != 1 {
		t.Fatalf("%d replies, want 1", len(sent))
	}
	mustContain(t, "the reply", sent[0].Params["text"], "/subscribe")

	// Telegram sends an update again when it missed the answer.
	again, err := json.Marshal(telegram.Update{UpdateID: update, Message: &telegram.Message{MessageID: msg,
		Date: time.Now().Unix(), Chat: telegram.Chat{ID: bobID, Type: "private"},
		From: &telegram.User{ID: bobID, FirstName: "Bob", Username: "bob"}, Text: "/help"}})
	if err != nil {
		t.Fatal(err)
	}
	if status, err := faketelegram.PostUpdate(ctx(t), url, secret, again); err != nil || status != http.StatusOK {
		t.Errorf("the same update again: %d, %v; want 200", status, err)
	}
	if got := e.tg.Calls("sendMessage"); len(got) != 1 {
		t.Errorf("the same update was answered again: %d replies", len(got))
	}

	for _, body := range []string{"not json", "{}", `{"update_id": 0}`, "[]", `{"update_id": "7"}`, ""} {
		if status, err := faketelegram.PostUpdate(ctx(t), url, secret, []byte(body)); err != nil || status != http.StatusBadRequest {
			t.Errorf("body %q: %d, %v; want 400", body, status, err)
		}
		if status, _ := faketelegram.PostUpdate(ctx(t), url, "", []byte(body)); status != http.StatusUnauthorized {
			t.Errorf("body %q without the secret: %d; want 401 before the body is read", body, status)
		}
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d, want 405", resp.StatusCode)
	}
	if got := e.tg.Calls("sendMessage"); len(got) != 1 {
		t.Errorf("%d replies in all, want 1", len(got))
	}
}

// TestWebhookOnAPollingBot: a bot that polls takes no updates by POST,
// whatever the secret, so that a stray request cannot feed it.
func TestWebhookOnAPollingBot(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.build()
	srv := httptest.NewServer(e.bot)
	t.Cleanup(srv.Close)
	body := []byte(`{"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 200, "type": "private"},
		"from": {"id": 200, "is_bot": false, "first_name": "Bob"}, "text": "/help"}}`)
	status, err := faketelegram.PostUpdate(ctx(t), srv.URL+bot.WebhookPath, bot.WebhookSecret(e.cfg), body)
	if err != nil || status != http.StatusNotFound {
		t.Errorf("%d, %v; want 404", status, err)
	}
	if got := e.tg.Calls("sendMessage"); len(got) != 0 {
		t.Errorf("answered: %+v", got)
	}
}

// TestWebhookWhenTheStoreFails: an update the store cannot record is
// answered 503, so that Telegram sends it again, and is not handled.
func TestWebhookWhenTheStoreFails(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.cfg.Telegram.Mode = config.BotWebhook
	e.cfg.ExternalURL = "https://herald.example.com"
	e.start()
	srv := httptest.NewServer(e.bot)
	t.Cleanup(srv.Close)
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.tg.PushIncoming(faketelegram.Incoming{Chat: bobID, From: bob, Text: "/help"}); err != nil {
		t.Fatal(err)
	}
	statuses, err := e.tg.PostWebhook(ctx(t), srv.URL+bot.WebhookPath, bot.WebhookSecret(e.cfg))
	if err != nil || !slices.Equal(statuses, []int{http.StatusServiceUnavailable}) {
		t.Errorf("statuses %v, %v; want [503]", statuses, err)
	}
	if got := e.tg.Calls("sendMessage"); len(got) != 0 {
		t.Errorf("handled: %+v", got)
	}
}
