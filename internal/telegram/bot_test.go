package telegram

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

const (
	userChat  = 111
	groupChat = -100222
	user      = 5005
)

// newClient starts a fake with a private chat and a group and returns a
// client of it with limits high enough not to slow a test; limits are the
// fake's.
func newClient(t *testing.T, limits faketelegram.Limits, edit func(*config.TelegramConfig)) (*Client, *faketelegram.Server) {
	t.Helper()
	fake := faketelegram.New(t, faketelegram.Config{Limits: limits, Chats: []faketelegram.Chat{{ID: userChat}, {ID: groupChat}}})
	cfg := config.TelegramConfig{BotToken: config.Secret(fake.Token()), APIURL: fake.URL(), Timeout: config.Duration(5 * time.Second),
		RateLimits: config.TelegramRateLimits{PerChat: 1000, PerGroupPerMinute: 1e6, Global: 1000}}
	if edit != nil {
		edit(&cfg)
	}
	c, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c, fake
}

func testContext(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

// noSecret fails t when err, however printed, shows one of secrets.
func noSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	s := fmt.Sprintf("%v %+v %#v", err, err, err)
	for _, sec := range secrets {
		if sec != "" && strings.Contains(s, sec) {
			t.Errorf("the error shows a secret: %s", s)
		}
	}
}

func TestGetUpdatesLongPoll(t *testing.T) {
	t.Parallel()
	// A client timeout of 300 ms: a long poll of a second must outlive it.
	c, fake := newClient(t, faketelegram.Limits{Unlimited: true}, func(cfg *config.TelegramConfig) {
		cfg.Timeout = config.Duration(300 * time.Millisecond)
	})
	start := time.Now()
	ups, _, err := c.GetUpdates(testContext(t, 10*time.Second), &GetUpdatesParams{Timeout: 1})
	if err != nil || len(ups) != 0 {
		t.Fatalf("empty poll: %v, %v", ups, err)
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("the poll ended after %v, before its timeout of 1 s", d)
	}

	// An update that arrives during a poll ends it.
	waiting := fake.Polling()
	type result struct {
		ups []Update
		err error
	}
	done := make(chan result, 1)
	go func() {
		ups, _, err := c.GetUpdates(testContext(t, time.Minute), &GetUpdatesParams{Timeout: 30, AllowedUpdates: []string{"message", "callback_query"}})
		done <- result{ups, err}
	}()
	<-waiting
	id := fake.PushMessage(userChat, user, "/alerts")
	r := <-done
	if r.err != nil || len(r.ups) != 1 || r.ups[0].UpdateID != id || r.ups[0].Message == nil ||
		r.ups[0].Message.Text != "/alerts" || r.ups[0].Message.Chat.ID != userChat || r.ups[0].Message.From.ID != user {
		t.Fatalf("updates %+v, err %v", r.ups, r.err)
	}
	// The next offset confirms it.
	ups, _, err = c.GetUpdates(testContext(t, 5*time.Second), &GetUpdatesParams{Offset: id + 1})
	if err != nil || len(ups) != 0 {
		t.Errorf("after confirming: %+v, %v", ups, err)
	}
}

func TestAnswerCallbackQuery(t *testing.T) {
	t.Parallel()
	c, fake := newClient(t, faketelegram.Limits{Unlimited: true}, nil)
	ctx := testContext(t, 5*time.Second)
	qid := fake.PushCallback(groupChat, 7, user, "silence:1h")
	ups, _, err := c.GetUpdates(ctx, &GetUpdatesParams{})
	if err != nil || len(ups) != 1 || ups[0].CallbackQuery == nil {
		t.Fatalf("updates %+v, err %v", ups, err)
	}
	q := ups[0].CallbackQuery
	if q.ID != qid || q.Data != "silence:1h" || q.From.ID != user || q.Message == nil || q.Message.MessageID != 7 {
		t.Errorf("callback query %+v", q)
	}
	if _, err := c.AnswerCallbackQuery(ctx, &AnswerCallbackQueryParams{CallbackQueryID: qid, Text: strings.Repeat("x", 201)}); !errors.Is(err, ErrBadRequest) {
		t.Errorf("201 characters: %v, want a bad request", err)
	}
	if _, err := c.AnswerCallbackQuery(ctx, &AnswerCallbackQueryParams{CallbackQueryID: qid, Text: "Silenced for 1h", ShowAlert: true}); err != nil {
		t.Fatal(err)
	}
	if a := fake.CallbackAnswers(); len(a) != 1 || a[0] != (faketelegram.CallbackAnswer{QueryID: qid, Text: "Silenced for 1h", ShowAlert: true}) {
		t.Errorf("answers %+v", a)
	}
	retry, err := c.AnswerCallbackQuery(ctx, &AnswerCallbackQueryParams{CallbackQueryID: qid})
	if !errors.Is(err, ErrBadRequest) || retry || !strings.Contains(err.Error(), "query ID is invalid") {
		t.Errorf("second answer: retry=%v err=%v", retry, err)
	}
}

func TestSetWebhook(t *testing.T) {
	t.Parallel()
	c, fake := newClient(t, faketelegram.Limits{Unlimited: true}, nil)
	ctx := testContext(t, 5*time.Second)
	const secret = "s3cret_Token-42"
	tests := []struct {
		name string
		p    SetWebhookParams
		want string // in the error; "" for success
	}{
		{"plain http", SetWebhookParams{URL: "http://bot.example/tg", SecretToken: secret}, "An HTTPS URL must be provided"},
		{"odd port", SetWebhookParams{URL: "https://bot.example:9443/tg", SecretToken: secret}, "ports 80, 88, 443 or 8443"},
		{"secret with a bang", SetWebhookParams{URL: "https://bot.example/tg", SecretToken: "s3cret!" + secret}, "secret token contains unallowed characters"},
		{"secret too long", SetWebhookParams{URL: "https://bot.example/tg", SecretToken: strings.Repeat("a", 257)}, "secret token contains unallowed characters"},
		{"ok", SetWebhookParams{URL: "https://bot.example:8443/tg", SecretToken: secret, AllowedUpdates: []string{"message"}}, ""},
	}
	for _, tt := range tests {
		_, err := c.SetWebhook(ctx, &tt.p)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (!errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
		noSecret(t, err, secret, tt.p.SecretToken, fake.Token())
	}
	if w := fake.Webhook(); w.URL != "https://bot.example:8443/tg" || w.SecretToken != secret || len(w.AllowedUpdates) != 1 {
		t.Errorf("webhook %+v", w)
	}
	// Telegram refuses getUpdates while a webhook is set.
	if _, _, err := c.GetUpdates(ctx, &GetUpdatesParams{}); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "webhook is active") {
		t.Errorf("getUpdates with a webhook: %v", err)
	}
	fake.PushMessage(userChat, user, "pending")
	if _, err := c.DeleteWebhook(ctx, true); err != nil {
		t.Fatal(err)
	}
	if ups, _, err := c.GetUpdates(ctx, &GetUpdatesParams{}); err != nil || len(ups) != 0 {
		t.Errorf("after deleteWebhook(drop pending): %+v, %v", ups, err)
	}
}

func TestSetMyCommands(t *testing.T) {
	t.Parallel()
	c, fake := newClient(t, faketelegram.Limits{Unlimited: true}, nil)
	ctx := testContext(t, 5*time.Second)
	en := []BotCommand{{"alerts", "Firing alerts"}, {"silence", "Silence an alert"}}
	de := []BotCommand{{"alerts", "Aktive Alarme"}, {"silence", "Alarm stummschalten"}}
	groups := &BotCommandScope{Type: "all_group_chats"}
	for _, p := range []SetMyCommandsParams{{Commands: en}, {Commands: de, LanguageCode: "de"}, {Commands: en[:1], Scope: groups},
		{Commands: en[:1], Scope: &BotCommandScope{Type: "chat", ChatID: "-100222"}, LanguageCode: "de"}} {
		if _, err := c.SetMyCommands(ctx, &p); err != nil {
			t.Fatalf("%+v: %v", p, err)
		}
	}
	checks := []struct {
		scope faketelegram.CommandScope
		want  []BotCommand
	}{
		{faketelegram.CommandScope{Type: "default"}, en},
		{faketelegram.CommandScope{Type: "default", Language: "de"}, de},
		{faketelegram.CommandScope{Type: "all_group_chats"}, en[:1]},
		{faketelegram.CommandScope{Type: "chat", ChatID: groupChat, Language: "de"}, en[:1]},
	}
	for _, ch := range checks {
		got := fake.Commands(ch.scope)
		if fmt.Sprint(got) != fmt.Sprint(ch.want) {
			t.Errorf("%+v: %v, want %v", ch.scope, got, ch.want)
		}
	}
	bad := []SetMyCommandsParams{
		{Commands: []BotCommand{{"Alerts", "upper case"}}},
		{Commands: []BotCommand{{"alerts", ""}}},
		{Commands: en, LanguageCode: "deu"},
		{Commands: en, Scope: &BotCommandScope{Type: "chat", ChatID: "42"}},
		{Commands: en, Scope: &BotCommandScope{Type: "everyone"}},
	}
	for _, p := range bad {
		if retry, err := c.SetMyCommands(ctx, &p); !errors.Is(err, ErrBadRequest) || retry {
			t.Errorf("%+v: retry=%v err=%v, want a bad request", p, retry, err)
		}
	}
}

func TestGetMe(t *testing.T) {
	t.Parallel()
	c, fake := newClient(t, faketelegram.Limits{Unlimited: true}, nil)
	ctx := testContext(t, 5*time.Second)
	me, _, err := c.GetMe(ctx)
	if err != nil || !me.IsBot || me.Username != "herald_fake_bot" {
		t.Fatalf("getMe: %+v, %v", me, err)
	}
	const wrong = "4242424242:AAWrongTokenThatMustNotShow_987654"
	w, err := New(config.TelegramConfig{BotToken: wrong, APIURL: fake.URL()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, retry, err := w.GetMe(ctx)
	if !errors.Is(err, ErrUnauthorized) || retry {
		t.Fatalf("wrong token: retry=%v err=%v", retry, err)
	}
	if want := "telegram getMe: 401 Unauthorized (the bot token is wrong or was revoked"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("wrong token: %q, want it to start with %q", err, want)
	}
	noSecret(t, err, wrong, fake.Token())
}

func TestTypedErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		chat  int64
		setup func(*faketelegram.Server)
		// before is messages sent first, to use up the fake's allowance.
		before int
		retry  bool
		check  func(t *testing.T, err error)
	}{
		{name: "429 retry_after", chat: userChat, before: 1, retry: true, check: func(t *testing.T, err error) {
			rl, ok := errors.AsType[*notify.RateLimitError](err)
			aerr, ok2 := errors.AsType[*APIError](err)
			if !ok || !ok2 || rl.RetryAfter != 1000*time.Second || aerr.RetryAfter != rl.RetryAfter || aerr.Code != 429 {
				t.Errorf("%v: want a rate limit of 1000 s", err)
			}
		}},
		{name: "migrate_to_chat_id", chat: -7, check: func(t *testing.T, err error) {
			aerr, ok := errors.AsType[*APIError](err)
			if !errors.Is(err, ErrMigrated) || !errors.Is(err, ErrBadRequest) || !ok || aerr.MigrateToChatID != -1007 ||
				!strings.Contains(err.Error(), "set chat_id: -1007") {
				t.Errorf("%v: want the new chat id", err)
			}
		}, setup: func(f *faketelegram.Server) { f.AddChat(faketelegram.Chat{ID: -7, Type: "group", MigrateTo: -1007}) }},
		{name: "403 blocked", chat: 6, check: func(t *testing.T, err error) {
			if !errors.Is(err, ErrForbidden) || errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), "403 Forbidden: bot was blocked by the user") {
				t.Errorf("%v: want forbidden", err)
			}
		}, setup: func(f *faketelegram.Server) { f.AddChat(faketelegram.Chat{ID: 6, Blocked: true}) }},
		{name: "400 with the description", chat: 999, check: func(t *testing.T, err error) {
			aerr, ok := errors.AsType[*APIError](err)
			if !errors.Is(err, ErrBadRequest) || !ok || aerr.Description != "Bad Request: chat not found" {
				t.Errorf("%v: want Telegram's description", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// One message per chat per 1000 s at the fake; Herald's own
			// limiter is set high so that the fake is the one to refuse.
			c, fake := newClient(t, faketelegram.Limits{PerChat: 0.001, PerChatBurst: 1, GroupMessages: 1e6, Global: 1e6}, nil)
			if tt.setup != nil {
				tt.setup(fake)
			}
			ctx := testContext(t, 5*time.Second)
			p := &SendMessageParams{ChatID: fmt.Sprint(tt.chat), Text: "<b>alert</b>", ParseMode: ParseModeHTML}
			for range tt.before {
				if _, _, err := c.SendMessage(ctx, p); err != nil {
					t.Fatal(err)
				}
			}
			_, retry, err := c.SendMessage(ctx, p)
			if err == nil || retry != tt.retry {
				t.Fatalf("retry=%v err=%v, want retry=%v and an error", retry, err, tt.retry)
			}
			tt.check(t, err)
			noSecret(t, err, fake.Token())
		})
	}
}
