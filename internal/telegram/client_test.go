package telegram

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

func TestNewRejects(t *testing.T) {
	t.Parallel()
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
			_, err := New(tt.cfg, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
	for _, proxy := range []string{"http://p:3128", "https://p:443", "socks5://u:p@p:1080", "socks5h://p:1080"} {
		if _, err := New(config.TelegramConfig{BotToken: token, ProxyURL: proxy}, nil); err != nil {
			t.Errorf("proxy %s: %v", proxy, err)
		}
	}
}

func TestClientsShareLimiterPerToken(t *testing.T) {
	t.Parallel()
	fake := faketelegram.New(t, faketelegram.Config{})
	clients := NewClients(nil)
	cfg := config.TelegramConfig{BotToken: config.Secret(fake.Token()), APIURL: fake.URL()}
	a, err := clients.Get(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := clients.Get(cfg); b != a {
		t.Error("the same config gave two clients")
	}
	other := cfg
	other.ProxyURL = "http://proxy:3128"
	b, err := clients.Get(other)
	if err != nil || b == a || b.limiter != a.limiter {
		t.Errorf("same token, other proxy: client %p limiter shared %v, err %v", b, b != nil && b.limiter == a.limiter, err)
	}
	other.BotToken = "2:other"
	if c, _ := clients.Get(other); c.limiter == a.limiter {
		t.Error("another token shares the limiter")
	}
}

func TestHTMLTags(t *testing.T) {
	t.Parallel()
	// https://core.telegram.org/bots/api#html-style
	want := "a b blockquote code del em i ins pre s span strike strong tg-emoji tg-spoiler u"
	if got := strings.Join(HTMLTags(), " "); got != want {
		t.Errorf("HTMLTags() = %s, want %s", got, want)
	}
	if IsHTMLTag("br") || IsHTMLTag("B") || !IsHTMLTag("tg-spoiler") {
		t.Error("IsHTMLTag is wrong about br, B or tg-spoiler")
	}
}
