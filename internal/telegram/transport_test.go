package telegram

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/testutil/fakehttp"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

// tlsFront puts a TLS server (httptest's own CA) in front of the fake and
// records the headers of what it forwards.
type tlsFront struct {
	*httptest.Server
	mu      sync.Mutex
	headers []http.Header
}

func newTLSFront(t *testing.T, fake *faketelegram.Server) *tlsFront {
	t.Helper()
	target, err := url.Parse(fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	f := &tlsFront{}
	rp := httputil.NewSingleHostReverseProxy(target)
	f.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.headers = append(f.headers, r.Header.Clone())
		f.mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *tlsFront) seen() []http.Header {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]http.Header(nil), f.headers...)
}

// tlsBot is the config of a bot whose api_url is front, trusted through
// tls_config.ca_file, through proxy (if set), with an extra header.
func tlsBot(t *testing.T, fake *faketelegram.Server, front *tlsFront, proxy string) config.TelegramConfig {
	t.Helper()
	h := config.HTTPClientConfig{HTTPClientConfig: promconfig.HTTPClientConfig{
		TLSConfig: promconfig.TLSConfig{CAFile: fakehttp.WriteCA(t, front.Server, t.TempDir())},
		HTTPHeaders: &promconfig.Headers{Headers: map[string]promconfig.Header{
			"X-Gateway-Tenant": {Values: []string{"herald"}},
		}},
	}}
	if proxy != "" {
		h.ProxyURL = httpProxy(t, proxy).ProxyURL
	}
	return config.TelegramConfig{BotToken: config.Secret(fake.Token()), APIURL: front.URL, HTTP: h,
		Timeout: config.Duration(5 * time.Second)}
}

// TestHTTPConfigTLSAndHeaders: the transport is the http_config's, so a
// Bot API server with a private CA is reached with tls_config.ca_file and
// http_headers go with every call; without the CA the call fails without
// showing the token.
func TestHTTPConfigTLSAndHeaders(t *testing.T) {
	t.Parallel()
	fake := faketelegram.New(t, faketelegram.Config{})
	front := newTLSFront(t, fake)
	ctx := testContext(t, 5*time.Second)
	c, err := New(tlsBot(t, fake, front, ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.GetMe(ctx); err != nil {
		t.Fatalf("getMe over TLS with the CA: %v", err)
	}
	if h := front.seen(); len(h) != 1 || h[0].Get("X-Gateway-Tenant") != "herald" {
		t.Errorf("headers at the server: %v", h)
	}
	untrusted := tlsBot(t, fake, front, "")
	untrusted.HTTP.TLSConfig = promconfig.TLSConfig{}
	c, err = New(untrusted, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, retry, err := c.GetMe(ctx)
	if err == nil || !retry {
		t.Fatalf("getMe without the CA: retry=%v err=%v, want a retryable transport error", retry, err)
	}
	noSecret(t, err, fake.Token())
}

// TestHTTPProxyCONNECT: an https api_url through an http proxy_url with a
// password is one CONNECT tunnel with Proxy-Authorization; the password
// shows nowhere when the call fails.
func TestHTTPProxyCONNECT(t *testing.T) {
	t.Parallel()
	fake := faketelegram.New(t, faketelegram.Config{})
	front := newTLSFront(t, fake)
	proxy := fakehttp.NewProxy(t)
	const password = "pr0xy-Passw0rd"
	p, _ := url.Parse(proxy.URL)
	c, err := New(tlsBot(t, fake, front, "http://herald:"+password+"@"+p.Host), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t, 5*time.Second)
	if _, _, err := c.GetMe(ctx); err != nil {
		t.Fatal(err)
	}
	f, _ := url.Parse(front.URL)
	if tunnels := proxy.Tunnels(); len(tunnels) != 1 || tunnels[0].Host != f.Host || tunnels[0].Header.Get("Proxy-Authorization") == "" {
		t.Errorf("tunnels %+v, want one to %s with Proxy-Authorization", tunnels, f.Host)
	}
	noSecret(t, errors.New(c.String()), password, fake.Token())
	// A dead proxy: the error names neither the password nor the token.
	dead := tlsBot(t, fake, front, "http://herald:"+password+"@"+deadAddr(t))
	c, err = New(dead, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, retry, err := c.GetMe(ctx)
	if err == nil || !retry {
		t.Fatalf("dead proxy: retry=%v err=%v", retry, err)
	}
	noSecret(t, err, password, fake.Token())
}

// TestSOCKS5Schemes: prometheus/common takes socks5 and socks5h proxy
// URLs as they are and net/http dials them; with socks5h the proxy gets
// the host name to resolve.
func TestSOCKS5Schemes(t *testing.T) {
	t.Parallel()
	for _, scheme := range []string{"socks5", "socks5h"} {
		t.Run(scheme, func(t *testing.T) {
			t.Parallel()
			fake := faketelegram.New(t, faketelegram.Config{})
			socks := newSOCKS5(t, "herald", "socks-s3cret")
			u, _ := url.Parse(fake.URL())
			api := "http://localhost:" + u.Port()
			cfg := config.TelegramConfig{BotToken: config.Secret(fake.Token()), APIURL: api,
				HTTP: httpProxy(t, scheme+"://herald:socks-s3cret@"+socks.addr)}
			c, err := New(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := c.GetMe(testContext(t, 5*time.Second)); err != nil {
				t.Fatal(err)
			}
			if got := socks.targets(); len(got) != 1 || got[0] != "localhost:"+u.Port() {
				t.Errorf("proxy reached %v", got)
			}
			bad := cfg
			bad.HTTP = httpProxy(t, scheme+"://herald:wrong-s3cret@"+socks.addr)
			c, _ = New(bad, nil)
			_, _, err = c.GetMe(testContext(t, 5*time.Second))
			if err == nil {
				t.Fatal("a wrong proxy password was accepted")
			}
			noSecret(t, err, "wrong-s3cret", fake.Token())
		})
	}
}

// TestNoRedirect: a redirect is handed back, not followed, even with
// follow_redirects set in code: it would carry the token to another host.
func TestNoRedirect(t *testing.T) {
	t.Parallel()
	var stolen sync.Mutex
	hits := 0
	elsewhere := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		stolen.Lock()
		hits++
		stolen.Unlock()
	}))
	t.Cleanup(elsewhere.Close)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirect.Close)
	const token = "4242:RedirectedTokenMustStayHome"
	h := config.HTTPClientConfig{HTTPClientConfig: promconfig.HTTPClientConfig{FollowRedirects: true}}
	c, err := New(config.TelegramConfig{BotToken: token, APIURL: redirect.URL, HTTP: h}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.GetMe(testContext(t, 5*time.Second))
	if err == nil {
		t.Fatal("a redirect was taken for an answer")
	}
	noSecret(t, err, token)
	stolen.Lock()
	defer stolen.Unlock()
	if hits != 0 {
		t.Errorf("the redirect was followed %d times", hits)
	}
}

// deadAddr is a loopback address where nothing listens.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
