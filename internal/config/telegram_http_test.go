package config_test

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify/telegram"
)

// TestTelegramHTTPConfig: telegram: takes Prometheus' http_config keys
// directly, as grafana: does; proxy_url keeps its place and meaning, and a
// channel's own proxy_url replaces the top-level proxy settings.
func TestTelegramHTTPConfig(t *testing.T) {
	c, err := load("testdata/telegram/good-http.yml", fakeEnv(nil), "")
	if err != nil {
		t.Fatal(err)
	}
	h := c.Telegram.HTTP
	if h.ProxyURL.URL == nil || h.ProxyURL.Scheme != "socks5h" || h.ProxyURL.Host != "proxy.internal:1080" {
		t.Errorf("proxy_url %v", h.ProxyURL)
	}
	if abs, _ := filepath.Abs("testdata/tls/ca.pem"); h.TLSConfig.CAFile != abs {
		t.Errorf("tls_config.ca_file %q, want %q (made absolute from the file's directory)", h.TLSConfig.CAFile, abs)
	}
	if h.HTTPHeaders == nil || !slices.Equal(h.HTTPHeaders.Headers["X-Gateway-Tenant"].Values, []string{"herald"}) || !h.EnableHTTP2 || h.FollowRedirects {
		t.Errorf("http_config %v", h)
	}
	secrets := c.Secrets()
	for _, s := range []string{"s3cr3t-proxy", "proxy-connect-s3cr3t", "hunter2-proxy"} {
		if !slices.Contains(secrets, s) {
			t.Errorf("Secrets() lacks %q: %q", s, secrets)
		}
	}

	ops := telegram.BotConfig(c, tgOf(c.Channel("ops")))
	if ops.HTTP.ProxyURL.String() != h.ProxyURL.String() || len(ops.HTTP.ProxyConnectHeader) != 1 {
		t.Errorf("ops: http_config %v, want the top-level one", ops.HTTP)
	}
	other := telegram.BotConfig(c, tgOf(c.Channel("elsewhere")))
	if u := other.HTTP.ProxyURL; u.URL == nil || u.Scheme != "http" || u.Host != "proxy.example.com:3128" {
		t.Errorf("elsewhere: proxy_url %v", u)
	}
	if other.HTTP.ProxyConnectHeader != nil || other.HTTP.TLSConfig.CAFile != h.TLSConfig.CAFile {
		t.Errorf("elsewhere: the top-level proxy's connect header must go, the rest stay: %v", other.HTTP)
	}
	if c.Telegram.HTTP.ProxyURL.Host != "proxy.internal:1080" || len(c.Telegram.HTTP.ProxyConnectHeader) != 1 {
		t.Errorf("BotConfig changed the top-level bot: %v", c.Telegram.HTTP)
	}
	// Whatever prints the config shows no proxy password.
	for _, s := range []string{config.HTTPClientConfig.GoString(h), h.LogValue().String()} {
		if strings.Contains(s, "s3cr3t") {
			t.Errorf("shows a secret: %s", s)
		}
	}
}

// TestTelegramProxyURLs: proxy_urls is a list of proxies in order; their
// passwords are secrets by type; a channel's proxy_url replaces the list.
func TestTelegramProxyURLs(t *testing.T) {
	c, err := load("testdata/telegram/good-proxy-urls.yml", fakeEnv(nil), "")
	if err != nil {
		t.Fatal(err)
	}
	var hosts []string
	for _, u := range c.Telegram.ProxyURLs {
		hosts = append(hosts, u.Scheme+"://"+u.Host)
	}
	if want := []string{"socks5h://proxy-a.internal:1080", "http://proxy-b.internal:3128", "https://proxy-c.internal:443"}; !slices.Equal(hosts, want) {
		t.Errorf("proxy_urls %v, want %v", hosts, want)
	}
	secrets := c.Secrets()
	for _, s := range []string{"s3cr3t-first", "s3cr3t-second"} {
		if !slices.Contains(secrets, s) {
			t.Errorf("Secrets() lacks %q: %q", s, secrets)
		}
	}
	if ops := telegram.BotConfig(c, tgOf(c.Channel("ops"))); len(ops.ProxyURLs) != 3 || ops.HTTP.ProxyURL.URL != nil {
		t.Errorf("ops: proxy_urls %v, proxy_url %v; want the top-level list", ops.ProxyURLs, ops.HTTP.ProxyURL)
	}
	own := telegram.BotConfig(c, tgOf(c.Channel("own-proxy")))
	if len(own.ProxyURLs) != 0 || own.HTTP.ProxyURL.String() != "socks5://proxy-d.internal:1080" {
		t.Errorf("own-proxy: proxy_urls %v, proxy_url %v; want its own proxy only", own.ProxyURLs, own.HTTP.ProxyURL)
	}
}

// TestTelegramHTTPConfigInvalid pairs every testdata/telegram/invalid-*.yml
// with the exact text `herald check-config` prints for it.
func TestTelegramHTTPConfigInvalid(t *testing.T) {
	tests := map[string]string{
		"invalid-http.yml": `testdata/telegram/invalid-http.yml:3: telegram.proxy_url: unsupported proxy scheme "socks4" (want http, https, socks5 or socks5h)
testdata/telegram/invalid-http.yml:4: telegram.follow_redirects: not supported: the bot token is in the URL path, so Herald never follows a redirect (the Bot API does not send any)
testdata/telegram/invalid-http.yml:6: telegram.tls_config.ca_file: cannot read "tls/missing-ca.pem": no such file or directory
testdata/telegram/invalid-http.yml:10: telegram: unknown field "proxy_urll"
testdata/telegram/invalid-http.yml:15: channels[0].telegram.proxy_url: unsupported proxy scheme "ftp" (want http, https, socks5 or socks5h)`,
		"invalid-proxy-urls.yml": `testdata/telegram/invalid-proxy-urls.yml:4: telegram.proxy_urls: cannot be used together with proxy_url (list that proxy in proxy_urls)
testdata/telegram/invalid-proxy-urls.yml:6: telegram.proxy_urls[1]: unsupported proxy scheme "socks4" (want http, https, socks5 or socks5h)
testdata/telegram/invalid-proxy-urls.yml:7: telegram.proxy_urls[2]: same proxy as proxy_urls[0]
testdata/telegram/invalid-proxy-urls.yml:8: telegram.proxy_urls[3]: unsupported proxy scheme "proxy-c.example.com" (want http, https, socks5 or socks5h)
testdata/telegram/invalid-proxy-urls.yml:9: telegram.proxy_urls[4]: must not be empty`,
		"invalid-proxy-urls-env.yml": `testdata/telegram/invalid-proxy-urls-env.yml:4: telegram.proxy_urls: cannot be used together with proxy_from_environment`,
	}
	files, _ := filepath.Glob("testdata/telegram/invalid-*.yml")
	for _, f := range files {
		if _, ok := tests[filepath.Base(f)]; !ok {
			t.Errorf("%s has no expected error in the table", f)
		}
	}
	for file, want := range tests {
		t.Run(file, func(t *testing.T) {
			_, err := load(filepath.Join("testdata/telegram", file), fakeEnv(nil), "")
			if err == nil {
				t.Fatal("loaded without error")
			}
			if got := err.Error(); got != want {
				t.Errorf("error text\n got: %s\nwant: %s", got, want)
			}
			if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error text leaks a secret:\n%s", err)
			}
			var one *config.Error
			if !errors.As(err, &one) {
				t.Errorf("error is %T, want *config.Error inside", err)
			}
		})
	}
}
