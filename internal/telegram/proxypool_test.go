package telegram

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

// TestProxyPoolFailover: with proxy_urls, a request whose first proxy
// fails (refused connection, 407, TLS handshake failure) goes once through
// the second, which stays in use; the logs name the proxies by index and
// host, never with the password.
func TestProxyPoolFailover(t *testing.T) {
	t.Parallel()
	const password = "pool-Passw0rd-42"
	tests := []struct {
		name  string
		first func(good *forwardProxy) string
	}{
		{"connection refused", func(*forwardProxy) string { return "http://herald:" + password + "@" + deadAddr(t) }},
		{"407 wrong password", func(good *forwardProxy) string { return good.url("http", password+"-wrong") }},
		{"TLS handshake to the proxy", func(good *forwardProxy) string { return good.url("https", password) }},
		{"socks5 refused", func(*forwardProxy) string { return "socks5://herald:" + password + "@" + deadAddr(t) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := faketelegram.New(t, faketelegram.Config{Chats: []faketelegram.Chat{{ID: userChat}}})
			good := newForwardProxy(t, "herald", password)
			first := tt.first(good)
			var logs logBuffer
			cfg := config.TelegramConfig{BotToken: config.Secret(fake.Token()), APIURL: fake.URL(),
				ProxyURLs: proxyList(t, first, good.url("http", password)), Timeout: config.Duration(5 * time.Second)}
			c, err := New(cfg, slog.New(slog.NewJSONHandler(&logs, nil)))
			if err != nil {
				t.Fatal(err)
			}
			ctx := testContext(t, 10*time.Second)
			p := &SendMessageParams{ChatID: fmt.Sprint(userChat), Text: "through the second proxy"}
			if _, _, err := c.SendMessage(ctx, p); err != nil {
				t.Fatalf("send: %v\nlogs:\n%s", err, logs.String())
			}
			if msgs := fake.Messages(); len(msgs) != 1 || good.served.Load() != 1 {
				t.Fatalf("%d messages, %d served by the second proxy; want 1 and 1", len(msgs), good.served.Load())
			}
			// The second proxy stays in use.
			if _, _, err := c.GetMe(ctx); err != nil || good.served.Load() != 2 {
				t.Errorf("getMe: %v, %d served by the second proxy, want 2", err, good.served.Load())
			}
			firstHost, _ := url.Parse(first)
			goodHost := good.Listener.Addr().String()
			l := logs.String()
			want := fmt.Sprintf(`"msg":"a Telegram proxy failed; moving to the next","failed_proxy":1,"failed_proxy_host":%q,"proxy":2,"proxy_host":%q`, firstHost.Host, goodHost)
			if !strings.Contains(l, want) || strings.Count(l, "moving to the next") != 1 {
				t.Errorf("logs:\n%s\nwant one line with %s", l, want)
			}
			if strings.Contains(l, password) || strings.Contains(l, fake.Token()) {
				t.Errorf("the logs show a secret:\n%s", l)
			}
		})
	}
}

// TestProxyPoolTimeoutAndRecheck: a proxy that lets a request time out
// loses its place without the request being sent again (it may have
// reached Telegram); after the recheck period the first proxy is tried
// again, and a request that finds it still down goes through the next.
// Telegram's own error answers never move the pool.
func TestProxyPoolTimeoutAndRecheck(t *testing.T) {
	t.Parallel()
	const password = "pool-Passw0rd-42"
	fake := faketelegram.New(t, faketelegram.Config{Chats: []faketelegram.Chat{{ID: userChat}}})
	good := newForwardProxy(t, "herald", password)
	hang := "http://herald:" + password + "@" + hangingAddr(t)
	clock := &testClock{now: time.Unix(1_700_000_000, 0)}
	var logs logBuffer
	cfg := config.TelegramConfig{BotToken: config.Secret(fake.Token()), APIURL: fake.URL(),
		ProxyURLs: proxyList(t, hang, good.url("http", password)), Timeout: config.Duration(300 * time.Millisecond)}
	c, err := New(cfg, slog.New(slog.NewJSONHandler(&logs, nil)), WithClock(clock.Now), WithProxyRecheck(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t, 10*time.Second)
	_, retry, err := c.GetMe(ctx)
	if err == nil || !retry || good.served.Load() != 0 {
		t.Fatalf("through a hanging proxy: retry=%v err=%v, %d served by the second (want 0: no second send after a timeout)", retry, err, good.served.Load())
	}
	noSecret(t, err, password, fake.Token())
	if _, _, err := c.GetMe(ctx); err != nil || good.served.Load() != 1 {
		t.Fatalf("next call: %v, %d served by the second proxy", err, good.served.Load())
	}

	// Telegram's 500 is an answer, not a proxy failure.
	fake.FailNext(1, faketelegram.FaultInternal)
	if _, _, err := c.GetMe(ctx); err == nil {
		t.Fatal("the injected 500 did not come through")
	}
	if _, _, err := c.GetMe(ctx); err != nil || good.served.Load() != 3 {
		t.Errorf("after Telegram's 500: %v, %d served by the second proxy, want 3", err, good.served.Load())
	}

	// Before the recheck period the second stays; after it the first is
	// tried again (it still hangs: this call times out).
	clock.Add(59 * time.Second)
	if _, _, err := c.GetMe(ctx); err != nil || good.served.Load() != 4 {
		t.Errorf("before the recheck: %v, %d served by the second proxy, want 4", err, good.served.Load())
	}
	clock.Add(time.Second)
	if _, _, err := c.GetMe(ctx); err == nil {
		t.Error("the first proxy, still hanging, was not tried again")
	}
	if _, _, err := c.GetMe(ctx); err != nil || good.served.Load() != 5 {
		t.Errorf("after the recheck: %v, %d served by the second proxy, want 5", err, good.served.Load())
	}
	l := logs.String()
	if strings.Count(l, "trying the first Telegram proxy again") != 1 || strings.Count(l, "moving to the next") != 2 {
		t.Errorf("logs:\n%s", l)
	}
	if strings.Contains(l, password) {
		t.Errorf("the logs show the proxy password:\n%s", l)
	}
}

// TestProxyPoolAllDown: when every proxy fails the request is sent at
// most twice and the error, retryable, names no secret.
func TestProxyPoolAllDown(t *testing.T) {
	t.Parallel()
	const password = "pool-Passw0rd-42"
	fake := faketelegram.New(t, faketelegram.Config{Chats: []faketelegram.Chat{{ID: userChat}}})
	cfg := config.TelegramConfig{BotToken: config.Secret(fake.Token()), APIURL: fake.URL(),
		ProxyURLs: proxyList(t, "http://a:"+password+"@"+deadAddr(t), "socks5h://b:"+password+"@"+deadAddr(t), "http://"+deadAddr(t))}
	var logs logBuffer
	c, err := New(cfg, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	_, retry, err := c.SendMessage(testContext(t, 5*time.Second), &SendMessageParams{ChatID: fmt.Sprint(userChat), Text: "x"})
	if err == nil || !retry || len(fake.Messages()) != 0 {
		t.Fatalf("retry=%v err=%v", retry, err)
	}
	noSecret(t, err, password, fake.Token())
	if l := logs.String(); strings.Count(l, "moving to the next") != 2 || strings.Contains(l, password) {
		t.Errorf("logs (want two moves, no password):\n%s", l)
	}
}

func TestProxyPoolRejects(t *testing.T) {
	t.Parallel()
	const token = "123:SECRET-token-value"
	tests := []struct {
		name string
		cfg  config.TelegramConfig
		want string
	}{
		{"with proxy_url", config.TelegramConfig{BotToken: token, HTTP: httpProxy(t, "http://p:1"), ProxyURLs: proxyList(t, "http://q:1")},
			"telegram: proxy_urls cannot be used together with proxy_url"},
		{"bad scheme", config.TelegramConfig{BotToken: token, ProxyURLs: proxyList(t, "http://q:1", "socks4://u:"+token+"@q:1")},
			`telegram: unsupported proxy_urls[1] scheme "socks4"`},
		{"empty", config.TelegramConfig{BotToken: token, ProxyURLs: []promconfig.URL{{}}}, "telegram: proxy_urls[0] is empty"},
	}
	for _, tt := range tests {
		_, err := New(tt.cfg, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
		noSecret(t, err, token)
	}
}
