package slack

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakeslack"
)

func TestBotErrorsInHTTP200Bodies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code      string
		retry     bool
		rateLimit bool
	}{
		{code: "invalid_auth"},
		{code: "not_authed"},
		{code: "channel_not_found"},
		{code: "not_in_channel"},
		{code: "is_archived"},
		{code: "invalid_blocks"},
		{code: "msg_too_long"},
		{code: "missing_scope"},
		{code: "internal_error", retry: true},
		{code: "fatal_error", retry: true},
		{code: "service_unavailable", retry: true},
		{code: "request_timeout", retry: true},
		{code: "ratelimited", retry: true, rateLimit: true},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, unlimited)
			var logs alerts.LogBuffer
			n := botNotifier(t, fake, opsChannel, fastRates(), logs.Logger())
			fake.FailWith("chat.postMessage", tt.code, 1)
			refs, retry, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, nasty))
			if err == nil || retry != tt.retry || len(refs) != 0 {
				t.Fatalf("refs=%v retry=%v err=%v, want retry=%v", refs, retry, err, tt.retry)
			}
			aerr, ok := errors.AsType[*APIError](err)
			if !ok || aerr.Code != tt.code || aerr.Method != "chat.postMessage" {
				t.Errorf("error %v (%T), want an APIError with %s", err, err, tt.code)
			}
			if _, isRL := errors.AsType[*notify.RateLimitError](err); isRL != tt.rateLimit {
				t.Errorf("rate limit = %v, want %v", isRL, tt.rateLimit)
			}
			checkNoSecret(t, fake, err, logs.String())
		})
	}
}

func TestBotRealChecksOfTheFake(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		channel string
		token   string
		code    string
	}{
		{name: "wrong token", channel: opsChannel, token: "xoxb-wrong", code: "invalid_auth"},
		{name: "unknown channel", channel: "C0NOPE000", code: "channel_not_found"},
		{name: "not invited", channel: outsideChannel, code: "not_in_channel"},
		{name: "archived", channel: archivedChannel, code: "is_archived"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, unlimited)
			token := fake.Token()
			if tt.token != "" {
				token = tt.token
			}
			cfg := &Config{BotToken: config.Secret(token), Channel: tt.channel, APIURL: fake.URL()}
			n, err := New("ops", cfg, nil, mustTemplates(t), nil, withRates(fastRates()))
			if err != nil {
				t.Fatal(err)
			}
			_, retry, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, nasty))
			if retry || err == nil || !strings.Contains(err.Error(), tt.code) {
				t.Fatalf("retry=%v err=%v, want permanent %s", retry, err, tt.code)
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
}

func TestBotTransportFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fault  fakeslack.Fault
		status int
	}{
		{name: "internal error", fault: fakeslack.FaultInternal, status: 500},
		{name: "proxy page", fault: fakeslack.FaultBadGateway, status: 502},
		{name: "reset", fault: fakeslack.FaultReset},
		{name: "hang", fault: fakeslack.FaultHang},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, unlimited)
			var logs alerts.LogBuffer
			n := botNotifier(t, fake, opsChannel, fastRates(), logs.Logger())
			fake.FailNext(1, tt.fault)
			start := time.Now()
			_, retry, err := n.Notify(alerts.Context(t, 500*time.Millisecond), message(alert.KindFiring, nasty))
			if err == nil || !retry {
				t.Fatalf("retry=%v err=%v, want a retry", retry, err)
			}
			if time.Since(start) > 2*time.Second {
				t.Errorf("took %v: the attempt's deadline was not honoured", time.Since(start))
			}
			if he, ok := errors.AsType[*notify.HTTPError](err); tt.status != 0 && (!ok || he.StatusCode != tt.status) {
				t.Errorf("error %v: want HTTP %d inside", err, tt.status)
			}
			checkNoSecret(t, fake, err, logs.String())
		})
	}
}

func TestBotHTTP429(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakeslack.Limits{PerChannel: 0.1, Burst: 1})
	n := botNotifier(t, fake, opsChannel, fastRates(), nil)
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, nasty)); err != nil {
		t.Fatal(err)
	}
	_, retry, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, nasty))
	rl, ok := errors.AsType[*notify.RateLimitError](err)
	if !retry || !ok || rl.RetryAfter < 9*time.Second || rl.RetryAfter > 10*time.Second {
		t.Fatalf("retry=%v err=%v, want a rate limit of about 10s from Retry-After", retry, err)
	}
	if aerr, ok := errors.AsType[*APIError](err); !ok || aerr.Code != "ratelimited" || aerr.Status != 429 {
		t.Errorf("error %v", err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplates(t)
	for _, cfg := range []*Config{
		{WebhookURL: "hooks.slack.com/services/x"},
		{BotToken: "xoxb-1", Channel: "C1", APIURL: "ftp://slack"},
		{BotToken: "xoxb 1", Channel: "C1"},
		{BotToken: "xoxb-1"},
	} {
		n, err := New("ops", cfg, nil, tmpl, nil)
		if err == nil {
			t.Errorf("New(%+v) = %v, want an error", cfg, n)
			continue
		}
		if (cfg.BotToken != "" && strings.Contains(err.Error(), string(cfg.BotToken))) || strings.Contains(err.Error(), "services/x") {
			t.Errorf("error leaks a secret: %v", err)
		}
	}
}

func TestNewSharesOneClientPerCredential(t *testing.T) {
	t.Parallel()
	shared := notify.NewShared()
	tmpl := mustTemplates(t)
	a, err := New("a", &Config{BotToken: "xoxb-shared-1", Channel: "C1", APIURL: "https://slack.example/api"}, shared, tmpl, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New("b", &Config{BotToken: "xoxb-shared-1", Channel: "C2", APIURL: "https://slack.example/api"}, shared, tmpl, nil)
	c, _ := New("c", &Config{BotToken: "xoxb-shared-1", Channel: "C3", APIURL: "https://proxy.example/api"}, shared, tmpl, nil)
	d, _ := New("d", &Config{BotToken: "xoxb-other-2", Channel: "C1", APIURL: "https://slack.example/api"}, shared, tmpl, nil)
	if a.client != b.client || a.client.limiter != c.client.limiter || a.client.limiter == d.client.limiter {
		t.Error("channels with one token must share its client and limiter, and only them")
	}
	h1, _ := New("h1", &Config{WebhookURL: "https://hooks.slack.example/services/T/B/1"}, shared, tmpl, nil)
	h2, _ := New("h2", &Config{WebhookURL: "https://hooks.slack.example/services/T/B/1"}, shared, tmpl, nil)
	if h1.client != h2.client || strings.Contains(h1.String(), "services") || strings.Contains(a.String(), "xoxb") {
		t.Errorf("webhook clients not shared, or String leaks: %s / %s", h1, a)
	}
}
