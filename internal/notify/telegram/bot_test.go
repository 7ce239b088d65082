package telegram

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

func TestNewBotRejects(t *testing.T) {
	const token = "123:SECRET-token-value"
	tests := []struct {
		name string
		cfg  config.TelegramConfig
		want string
	}{
		{"no token", config.TelegramConfig{}, "telegram: bot_token is empty"},
		{"token with a slash", config.TelegramConfig{BotToken: "1:a/b"}, "cannot be in a URL path"},
		{"bad api_url", config.TelegramConfig{BotToken: token, APIURL: "ftp://x/" + token}, "api_url must be an absolute http or https URL"},
		{"unparsable api_url", config.TelegramConfig{BotToken: token, APIURL: "http://%zz/" + token}, "api_url must be"},
		{"bad proxy scheme", config.TelegramConfig{BotToken: token, ProxyURL: "ftp://proxy:1"}, `unsupported proxy_url scheme "ftp"`},
		{"unparsable proxy", config.TelegramConfig{BotToken: token, ProxyURL: "http://u:" + token + "@%zz"}, "proxy_url is not a valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewBot(tt.cfg, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
	for _, proxy := range []string{"http://p:3128", "https://p:443", "socks5://u:p@p:1080", "socks5h://p:1080"} {
		if _, err := NewBot(config.TelegramConfig{BotToken: token, ProxyURL: proxy}, nil); err != nil {
			t.Errorf("proxy %s: %v", proxy, err)
		}
	}
}

// TestTokenNeverShown drives every path that formats an error or a log
// line and looks for the token in all of them.
func TestTokenNeverShown(t *testing.T) {
	fake := newFake(t, faketelegram.Limits{Unlimited: true})
	var logs alerts.LogBuffer
	cfg := botConfig(fake)
	cfg.ProxyURL = ""
	bot := mustBot(t, cfg, logs.Logger())
	n := resolvedText(newNotifier(t, bot, channelConfig(userChat), logs.Logger()))
	var errs []error
	notifyErr := func(m *notify.Message) {
		if _, _, err := n.Notify(alerts.Context(t, 2*time.Second), m); err != nil {
			errs = append(errs, err)
		}
	}
	for _, f := range []faketelegram.Fault{faketelegram.FaultInternal, faketelegram.FaultBadGateway, faketelegram.FaultReset} {
		fake.FailNext(1, f)
		notifyErr(message(alert.KindFiring, nasty))
	}
	fake.FailNext(1, faketelegram.FaultHang)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	_, _, err := n.Notify(ctx, message(alert.KindFiring, nasty))
	cancel()
	errs = append(errs, err)
	resolved := message(alert.KindResolved, nasty)
	resolved.Previous = []notify.Ref{{ChatID: "111", MessageID: "999"}}
	notifyErr(resolved) // logs the failed edit
	fake.FailChat(userChat, faketelegram.FaultInternal)
	notifyErr(resolved)
	fake.Close() // connection refused from now on
	notifyErr(message(alert.KindFiring, nasty))

	if len(errs) != 6 {
		t.Fatalf("%d errors, want 6: %v", len(errs), errs)
	}
	for _, err := range errs {
		if err == nil {
			t.Fatal("missing error")
		}
		for _, s := range []string{err.Error(), fmt.Sprintf("%+v %#v", err, err), errors.Unwrap(err).Error()} {
			if strings.Contains(s, fake.Token()) {
				t.Errorf("error shows the token: %s", s)
			}
		}
	}
	if strings.Contains(logs.String(), fake.Token()) || !strings.Contains(logs.String(), "message to edit not found") {
		t.Errorf("logs:\n%s", logs.String())
	}
	// What a panic or a careless log line would print.
	for _, v := range []any{bot, n, *bot} {
		if s := fmt.Sprintf("%v %+v %#v %s", v, v, v, v); strings.Contains(s, fake.Token()) {
			t.Errorf("%T prints the token: %s", v, s)
		}
	}
	logs.Logger().Info("bot", "bot", bot, "notifier", n)
	if strings.Contains(logs.String(), fake.Token()) {
		t.Errorf("slog shows the token")
	}
}

func TestBotsShareLimiterPerToken(t *testing.T) {
	fake := newFake(t, faketelegram.Limits{Unlimited: true})
	bots := NewBots(nil)
	cfg := botConfig(fake)
	a, err := bots.Get(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := bots.Get(cfg); b != a {
		t.Error("the same config gave two bots")
	}
	other := cfg
	other.ProxyURL = "http://proxy:3128"
	b, err := bots.Get(other)
	if err != nil || b == a || b.limiter != a.limiter {
		t.Errorf("same token, other proxy: bot %p limiter shared %v, err %v", b, b != nil && b.limiter == a.limiter, err)
	}
	other.BotToken = "2:other"
	if c, _ := bots.Get(other); c.limiter == a.limiter {
		t.Error("another token shares the limiter")
	}
}
