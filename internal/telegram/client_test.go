package telegram

import (
	"net/url"
	"strings"
	"testing"

	promconfig "github.com/prometheus/common/config"

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
		{"bad proxy scheme", config.TelegramConfig{BotToken: token, HTTP: httpProxy(t, "ftp://proxy:1")}, `unsupported proxy_url scheme "ftp"`},
		{"proxy without a host", config.TelegramConfig{BotToken: token, HTTP: httpProxy(t, "socks5://u:"+token+"@")}, "proxy_url has no host"},
		{"missing CA file", config.TelegramConfig{BotToken: token, HTTP: config.HTTPClientConfig{HTTPClientConfig: promconfig.HTTPClientConfig{
			TLSConfig: promconfig.TLSConfig{CAFile: "/nonexistent/" + token + "/ca.pem"}}}}, "telegram: http_config:"},
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
		if _, err := New(config.TelegramConfig{BotToken: token, HTTP: httpProxy(t, proxy)}, nil); err != nil {
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
	other.HTTP = httpProxy(t, "http://proxy:3128")
	b, err := clients.Get(other)
	if err != nil || b == a || b.limiter != a.limiter {
		t.Errorf("same token, other proxy: client %p limiter shared %v, err %v", b, b != nil && b.limiter == a.limiter, err)
	}
	other.BotToken = "2:other"
	if c, _ := clients.Get(other); c.limiter == a.limiter {
		t.Error("another token shares the limiter")
	}
	// An equal http_config in another copy (pointers, maps) is the same
	// client; a different password is not.
	same := other
	same.HTTP = httpProxy(t, "http://proxy:3128")
	if c, _ := clients.Get(same); c == b {
		t.Error("another token got the first token's client")
	}
	again := cfg
	again.HTTP = httpProxy(t, "http://u:one@proxy:3128")
	one, _ := clients.Get(again)
	again.HTTP = httpProxy(t, "http://u:one@proxy:3128")
	if c, _ := clients.Get(again); c != one {
		t.Error("an equal http_config made a second client")
	}
	again.HTTP = httpProxy(t, "http://u:two@proxy:3128")
	if c, _ := clients.Get(again); c == one {
		t.Error("a proxy with another password shares the client")
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

// httpProxy is an http_config with proxy_url raw.
func httpProxy(t *testing.T, raw string) config.HTTPClientConfig {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return config.HTTPClientConfig{HTTPClientConfig: promconfig.HTTPClientConfig{ProxyConfig: promconfig.ProxyConfig{ProxyURL: promconfig.URL{URL: u}}}}
}
