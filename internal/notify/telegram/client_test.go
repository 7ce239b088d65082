package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	tg "github.com/heraldhq/herald/internal/telegram"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

func TestClassification(t *testing.T) {
	tests := []struct {
		name    string
		chat    int64
		text    string
		setup   func(*faketelegram.Server, *config.TelegramConfig)
		timeout time.Duration // of the caller's context
		before  int           // messages sent first, to use up the allowance
		retry   bool
		check   func(error) bool
	}{
		{name: "429 with retry_after", chat: userChat, before: 1, retry: true,
			check: func(err error) bool {
				var rl *notify.RateLimitError
				return errors.As(err, &rl) && rl.RetryAfter == 1000*time.Second && strings.Contains(err.Error(), "Too Many Requests: retry after 1000")
			}},
		{name: "500", chat: userChat, retry: true, setup: failNext(faketelegram.FaultInternal), check: httpStatus(500)},
		{name: "502 HTML from a proxy", chat: userChat, retry: true, setup: failNext(faketelegram.FaultBadGateway), check: httpStatus(502)},
		{name: "connection reset", chat: userChat, retry: true, setup: failNext(faketelegram.FaultReset), check: contains("telegram sendMessage")},
		{name: "hang until the deadline", chat: userChat, retry: true, setup: failNext(faketelegram.FaultHang), timeout: 300 * time.Millisecond,
			check: func(err error) bool { return errors.Is(err, context.DeadlineExceeded) }},
		{name: "hang until the bot timeout", chat: userChat, retry: true,
			setup: func(f *faketelegram.Server, c *config.TelegramConfig) {
				f.FailNext(1, faketelegram.FaultHang)
				c.Timeout = config.Duration(300 * time.Millisecond)
			},
			check: func(err error) bool { return errors.Is(err, context.DeadlineExceeded) }},
		{name: "chat not found", chat: 999, check: contains("400 Bad Request: chat not found")},
		{name: "wrong token", chat: userChat, check: contains("401 Unauthorized"),
			setup: func(_ *faketelegram.Server, c *config.TelegramConfig) { c.BotToken = "1:wrong" }},
		{name: "bot blocked", chat: 6, check: contains("403 Forbidden: bot was blocked by the user"),
			setup: func(f *faketelegram.Server, _ *config.TelegramConfig) {
				f.AddChat(faketelegram.Chat{ID: 6, Blocked: true})
			}},
		{name: "bad HTML", chat: userChat, text: "a <br> b", check: contains("can't parse entities")},
		{name: "group migrated", chat: -7, check: contains("set chat_id: -1007"),
			setup: func(f *faketelegram.Server, _ *config.TelegramConfig) {
				f.AddChat(faketelegram.Chat{ID: -7, Type: "group", MigrateTo: -1007})
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// One message per chat per 1000 s: the second one is refused.
			fake := newFake(t, faketelegram.Limits{PerChat: 0.001, PerChatBurst: 1, GroupMessages: 1e6, Global: 1e6})
			cfg := botConfig(fake)
			if tt.setup != nil {
				tt.setup(fake, &cfg)
			}
			bot := mustBot(t, cfg, nil)
			n := fixed(newNotifier(t, bot, channelConfig(tt.chat), nil), cmpOr(tt.text, "<b>alert</b>"))
			ctx := alerts.Context(t, cmpOr(tt.timeout, 5*time.Second))
			for range tt.before {
				if _, _, err := n.Notify(ctx, message(alert.KindFiring, nasty)); err != nil {
					t.Fatal(err)
				}
			}
			_, retry, err := n.Notify(ctx, message(alert.KindFiring, nasty))
			if err == nil {
				t.Fatal("no error")
			}
			if retry != tt.retry || !tt.check(err) {
				t.Errorf("retry=%v err=%v; want retry=%v", retry, err, tt.retry)
			}
			for _, token := range []string{fake.Token(), string(cfg.BotToken)} {
				if strings.Contains(fmt.Sprintf("%v %+v %#v", err, err, err), token) {
					t.Errorf("the error shows the token: %v", err)
				}
			}
		})
	}
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func failNext(f faketelegram.Fault) func(*faketelegram.Server, *config.TelegramConfig) {
	return func(s *faketelegram.Server, _ *config.TelegramConfig) { s.FailNext(1, f) }
}

func httpStatus(code int) func(error) bool {
	return func(err error) bool {
		var he *notify.HTTPError
		return errors.As(err, &he) && he.StatusCode == code
	}
}

func contains(s string) func(error) bool {
	return func(err error) bool { return strings.Contains(err.Error(), s) }
}

func TestRateLimiterKeepsGroupBurstFreeOf429(t *testing.T) {
	// Telegram's limits scaled so that the test takes seconds: a group
	// window of 2.5 s instead of a minute, 10 messages per window and per
	// second in a chat, 30 per second overall. Both the per-chat and the
	// group limit bind during the burst. The window is not shorter because
	// the fake counts arrivals and the limiter's per-chat pace counts sends:
	// on a loaded machine the jitter between the two must stay well inside
	// the margin, as it always does at Telegram's real one-minute scale.
	limits := faketelegram.Limits{PerChat: 10, PerChatBurst: 3, GroupMessages: 10, GroupWindow: 2500 * time.Millisecond, Global: 30}
	burst := func(t *testing.T, rl config.TelegramRateLimits) faketelegram.Stats {
		fake := newFake(t, limits)
		cfg := botConfig(fake)
		cfg.RateLimits = rl
		bot := mustBot(t, cfg, nil, tg.WithGroupWindow(limits.GroupWindow))
		n := fixed(newNotifier(t, bot, channelConfig(groupChat), nil), "storm")
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() { _, _, _ = n.Notify(alerts.Context(t, 30*time.Second), message(alert.KindFiring, nasty)) })
		}
		wg.Wait()
		return fake.Stats()
	}
	start := time.Now()
	st := burst(t, config.TelegramRateLimits{PerChat: 10, PerGroupPerMinute: 10, Global: 30})
	if st.TooManyRequests != 0 || st.OK != 20 {
		t.Errorf("with Herald's limiter: %d accepted, %d answered 429", st.OK, st.TooManyRequests)
	}
	t.Logf("20 messages to one group in %v", time.Since(start).Round(time.Millisecond))
	// The same burst without the limiter shows that the fake would object.
	if st := burst(t, config.TelegramRateLimits{PerChat: 1e6, PerGroupPerMinute: 1e9, Global: 1e6}); st.TooManyRequests == 0 {
		t.Error("the fake let an unlimited burst through; the test above proves nothing")
	}
}

func TestProxy(t *testing.T) {
	fake := newFake(t, faketelegram.Limits{Unlimited: true})
	var proxied atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A forward proxy gets the absolute URL and the proxy credentials.
		user, pass, _ := parseProxyAuth(r.Header.Get("Proxy-Authorization"))
		if !r.URL.IsAbs() || user != "herald" || pass != "proxy-s3cret" {
			http.Error(w, "proxy authentication required", http.StatusProxyAuthRequired)
			return
		}
		proxied.Add(1)
		out, _ := http.NewRequestWithContext(r.Context(), r.Method, r.URL.String(), r.Body)
		out.Header = r.Header.Clone()
		out.Header.Del("Proxy-Authorization")
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(proxy.Close)
	cfg := botConfig(fake)
	cfg.HTTP = proxyConfig(t, strings.Replace(proxy.URL, "http://", "http://herald:proxy-s3cret@", 1))
	n := fixed(newNotifier(t, mustBot(t, cfg, nil), channelConfig(userChat), nil), "via proxy")
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, nasty)); err != nil {
		t.Fatal(err)
	}
	if proxied.Load() != 1 || len(fake.Messages()) != 1 {
		t.Errorf("%d requests through the proxy, %d messages", proxied.Load(), len(fake.Messages()))
	}
	// A proxy that is down is a retryable error that names neither the
	// token nor the proxy password.
	proxy.Close()
	_, retry, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, nasty))
	if err == nil || !retry || strings.Contains(err.Error(), "proxy-s3cret") || strings.Contains(err.Error(), fake.Token()) {
		t.Errorf("proxy down: retry=%v err=%v", retry, err)
	}
}

func parseProxyAuth(h string) (user, pass string, ok bool) {
	r := &http.Request{Header: http.Header{"Authorization": {h}}}
	return r.BasicAuth()
}
