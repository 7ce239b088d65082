package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakediscord"
)

func TestErrorClassification(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		fault  fakediscord.FaultKind
		url    func(*fakediscord.Server) string
		retry  bool
		status int
		code   int
	}{
		{name: "500", fault: fakediscord.FaultInternal, retry: true, status: 500},
		{name: "502 from Cloudflare", fault: fakediscord.FaultBadGateway, retry: true, status: 502},
		{name: "connection reset", fault: fakediscord.FaultReset, retry: true},
		{name: "hang", fault: fakediscord.FaultHang, retry: true},
		{name: "bad token", url: func(s *fakediscord.Server) string {
			return strings.Replace(s.URL(), fakediscord.DefaultToken, "Wrong-Token_0123", 1)
		}, status: 401, code: 50027},
		{name: "unknown webhook", url: func(s *fakediscord.Server) string { return s.WebhookURL("999") }, status: 404, code: codeUnknownWebhook},
		{name: "unknown thread", url: func(s *fakediscord.Server) string { return s.URL() + "?thread_id=42" }, status: 400, code: 10003},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, fakediscord.Limits{})
			u := fake.URL()
			if c.url != nil {
				u = c.url(fake)
			}
			logs := &alerts.LogBuffer{}
			logger := logs.Logger()
			n := newNotifier(t, testWebhook(t, u, fastRates), nil, logger)
			if c.fault != fakediscord.FaultNone {
				fake.FailNext(1, c.fault)
			}
			refs, retry, err := n.Notify(alerts.Context(t, 500*time.Millisecond), message(alert.KindFiring, mkAlert("A", "critical", "x:1")))
			if err == nil || retry != c.retry || refs != nil {
				t.Fatalf("refs %v retry %v err %v", refs, retry, err)
			}
			var herr *notify.HTTPError
			if c.status != 0 && (!errors.As(err, &herr) || herr.StatusCode != c.status) {
				t.Errorf("err %v: want HTTP %d", err, c.status)
			}
			var aerr *APIError
			if c.code != 0 && (!errors.As(err, &aerr) || aerr.Code != c.code) {
				t.Errorf("err %v: want Discord code %d", err, c.code)
			}
			noSecrets(t, err.Error()+logs.String(), u)
		})
	}
}

// noSecrets fails when s shows the webhook's URL or token.
func noSecrets(t *testing.T, s, url string) {
	t.Helper()
	token := url[strings.LastIndex(strings.Split(url, "?")[0], "/")+1:]
	token = strings.Split(token, "?")[0]
	if strings.Contains(s, token) || strings.Contains(s, fakediscord.DefaultToken) || strings.Contains(s, "/webhooks/") {
		t.Errorf("a secret leaked:\n%s", s)
	}
}

func TestInvalidFormBodyIsPermanentAndExplained(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		fmt.Fprint(w, `{"code": 50035, "errors": {"embeds": {"0": {"description": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 4096 or fewer in length."}]}}}}, "message": "Invalid Form Body"}`)
	}))
	defer srv.Close()
	url := srv.URL + "/api/webhooks/123/secret-token-xyz"
	n := newNotifier(t, testWebhook(t, url, fastRates), nil, nil)
	_, retry, err := n.Notify(alerts.Context(t, time.Second), message(alert.KindFiring, mkAlert("A", "critical", "x:1")))
	var aerr *APIError
	if retry || !errors.As(err, &aerr) || aerr.Code != codeInvalidFormBody {
		t.Fatalf("retry %v err %v", retry, err)
	}
	want := "discord execute webhook: HTTP 400: Invalid Form Body (code 50035): embeds.0.description: Must be 4096 or fewer in length."
	if err.Error() != want {
		t.Errorf("error:\n%s\nwant:\n%s", err, want)
	}
	noSecrets(t, err.Error(), url)
}

func TestRateLimitAnswerIsHonoured(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakediscord.Limits{})
	hook := testWebhook(t, fake.URL(), fastRates)
	n := newNotifier(t, hook, nil, nil)
	fake.RateLimitNext(1500*time.Millisecond, true)
	_, retry, err := n.Notify(alerts.Context(t, time.Second), message(alert.KindFiring, mkAlert("A", "critical", "x:1")))
	var rl *notify.RateLimitError
	var aerr *APIError
	if !retry || !errors.As(err, &rl) || rl.RetryAfter != 1500*time.Millisecond || !errors.As(err, &aerr) || !aerr.Global {
		t.Fatalf("retry %v err %v", retry, err)
	}
	// The webhook waits before its next request: with less time than that,
	// the next delivery is throttled without a request.
	before := fake.Stats().Requests
	_, retry, err = n.Notify(alerts.Context(t, 500*time.Millisecond), message(alert.KindFiring, mkAlert("B", "critical", "x:1")))
	var th *notify.ThrottledError
	if !retry || !errors.As(err, &th) || th.Wait < time.Second || fake.Stats().Requests != before {
		t.Fatalf("retry %v err %v requests %d→%d", retry, err, before, fake.Stats().Requests)
	}
}

// The fake's bucket is 5 requests per window and its answers say so; a
// webhook whose own allowance is far looser still never gets a 429,
// because it reads X-RateLimit-Remaining and X-RateLimit-Reset-After.
func TestHeadersKeepSequentialBurstWithinLimits(t *testing.T) {
	t.Parallel()
	// Discord's bucket lasts 2 s; a short one makes the test short. The
	// pause ends by the reset the answer gives, which is always after the
	// fake's: no latency can make a request early.
	const window = 100 * time.Millisecond
	fake := newFake(t, fakediscord.Limits{Window: window})
	n := newNotifier(t, testWebhook(t, fake.URL(), fastRates), nil, nil)
	start := time.Now()
	for i := range 12 {
		send(t, n, message(alert.KindFiring, mkAlert(fmt.Sprint("A", i), "critical", "x:1")))
	}
	if st := fake.Stats(); st.TooManyRequests != 0 || st.Posts != 12 {
		t.Fatalf("%+v", st)
	}
	if took := time.Since(start); took < 2*window {
		t.Errorf("12 requests in %v: the bucket's resets were not waited for", took)
	}
}

// Concurrent deliveries through one webhook (several channels sharing it)
// go out before the answers that would say the bucket is empty; Herald's
// own allowance, shaped like Discord's, keeps them within it.
func TestConcurrentBurstNeverRateLimited(t *testing.T) {
	t.Parallel()
	// Discord's windows made short: Herald counts a request until a window
	// after its answer (see notify.Rate) and the fake from its arrival, so
	// no latency can make requests look closer to the fake.
	const bucket, channel = 100 * time.Millisecond, 400 * time.Millisecond
	fake := newFake(t, fakediscord.Limits{Window: bucket, PerChannel: 12, ChannelWindow: channel})
	rates := []notify.Rate{
		{Events: webhookBurst, Per: bucket + 50*time.Millisecond, Window: true},
		{Events: 11, Per: channel, Window: true},
	}
	hook := testWebhook(t, fake.URL(), rates)
	errs := make(chan error, 16)
	for i := range 16 {
		go func() {
			n := newNotifier(t, hook, &Config{}, nil)
			_, _, err := n.Notify(alerts.Context(t, 10*time.Second), message(alert.KindFiring, mkAlert(fmt.Sprint("A", i), "warning", "x:1")))
			errs <- err
		}()
	}
	for range 16 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if st := fake.Stats(); st.TooManyRequests != 0 || st.Posts != 16 {
		t.Fatalf("%+v", st)
	}
}

// A resolved event takes two requests (edit, note); when only one fits
// before the deadline, neither is sent.
func TestResolvedThrottledBeforeSendingAnything(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakediscord.Limits{})
	hook := testWebhook(t, fake.URL(), []notify.Rate{{Events: 2, Per: time.Minute, Window: true}})
	n := newNotifier(t, hook, nil, nil)
	firing := send(t, n, message(alert.KindFiring, mkAlert("HostMemoryLow", "critical", "node-2:9100")))
	before := fake.Stats().Requests
	_, retry, err := n.Notify(alerts.Context(t, time.Second), resolvedMessage(t, firing, false))
	var th *notify.ThrottledError
	if !retry || !errors.As(err, &th) || fake.Stats().Requests != before {
		t.Fatalf("retry %v err %v requests %d→%d", retry, err, before, fake.Stats().Requests)
	}
}

func TestWebhookURLs(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{
		"discord.com/api/webhooks/1/tok",
		"ftp://discord.com/api/webhooks/1/tok",
		"https://discord.com/api/webhooks/1/tok/slack",
		"https://discord.com/api/channels/1/messages",
		"https://user:pw@discord.com/api/webhooks/1/tok",
		"https://discord.com/api/webhooks/abc/tok",
	} {
		_, err := NewWebhook(bad)
		if err == nil {
			t.Errorf("%s accepted", bad)
			continue
		}
		if strings.Contains(err.Error(), "tok") || strings.Contains(err.Error(), "pw") {
			t.Errorf("the error quotes the URL: %v", err)
		}
	}
	w, err := NewWebhook("https://discord.com/api/v10/webhooks/123/s3cr3t-T0ken/?thread_id=9&wait=false")
	if err != nil {
		t.Fatal(err)
	}
	if got := w.executeURL(); got != "https://discord.com/api/v10/webhooks/123/s3cr3t-T0ken?thread_id=9&wait=true" {
		t.Errorf("execute URL %s", got)
	}
	if got := w.messageURL("77"); got != "https://discord.com/api/v10/webhooks/123/s3cr3t-T0ken/messages/77?thread_id=9" {
		t.Errorf("message URL %s", got)
	}
	for _, s := range []string{w.String(), fmt.Sprintf("%v %+v %#v %s", w, w, w, *w)} {
		if strings.Contains(s, "s3cr3t") {
			t.Errorf("the token shows: %s", s)
		}
	}
	logs := &alerts.LogBuffer{}
	logger := logs.Logger()
	logger.Info("x", "webhook", w)
	if strings.Contains(logs.String(), "s3cr3t") {
		t.Errorf("the token shows in a log: %s", logs)
	}
}

func TestGetSharesLimitsPerWebhook(t *testing.T) {
	t.Parallel()
	shared := notify.NewShared()
	a1, err := Get(shared, "https://discord.com/api/webhooks/4242/tok-a")
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := Get(shared, "https://discord.com/api/webhooks/4242/tok-a")
	thread, _ := Get(shared, "https://discordapp.com/api/webhooks/4242/tok-a?thread_id=1")
	other, _ := Get(shared, "https://discord.com/api/webhooks/4343/tok-b")
	if a1 != a2 || thread == a1 || thread.limit != a1.limit || other.limit == a1.limit {
		t.Fatal("webhooks must be shared per URL and limiters per webhook")
	}
}

// Discord's X-RateLimit headers hold the webhook back: after an answer
// saying its bucket is empty, no request goes before the bucket resets.
func TestWebhookFollowsHeaders(t *testing.T) {
	t.Parallel()
	w := testWebhook(t, "https://discord.com/api/webhooks/1/tok", fastRates)
	w.observe(http.Header{"X-Ratelimit-Remaining": {"3"}, "X-Ratelimit-Reset-After": {"5"}})
	if d := w.limit.Paused(limitKey); d != 0 {
		t.Fatalf("paused %v with requests remaining", d)
	}
	w.observe(http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset-After": {"0.100"}})
	if d := w.delay(1); d < 80*time.Millisecond || d > 100*time.Millisecond {
		t.Fatalf("delay %v after an empty bucket resetting in 100ms", d)
	}
	start := time.Now()
	release, err := w.limit.Acquire(context.Background(), limitKey)
	if err != nil {
		t.Fatal(err)
	}
	release()
	if took := time.Since(start); took < 80*time.Millisecond {
		t.Fatalf("waited %v", took)
	}
	w.observe(http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset-After": {"nonsense"}})
	if d := w.limit.Paused(limitKey); d < webhookWindow-100*time.Millisecond {
		t.Fatalf("paused %v without a reset time, want a bucket's length", d)
	}
}

func TestSeconds(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"1": time.Second, "0.5": 500 * time.Millisecond, " 64.57 ": 64570 * time.Millisecond} {
		if got, err := seconds(in); err != nil || got != want {
			t.Errorf("seconds(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "-1", "x", "1e9"} {
		if _, err := seconds(bad); err == nil {
			t.Errorf("seconds(%q) accepted", bad)
		}
	}
}

// A window lets its allowance go at once: a resolved event's edit and note
// take no time with no other traffic, so that a throttled one waits for a
// turn rather than go out half.
func TestWebhookIdle(t *testing.T) {
	t.Parallel()
	w := testWebhook(t, "https://discord.com/api/webhooks/1/tok", defaultRates())
	if d := w.idle(2); d != 0 {
		t.Errorf("idle(2) = %v, want 0", d)
	}
	if d := w.idle(webhookBurst + 1); d <= 0 || d > webhookWindow {
		t.Errorf("idle(%d) = %v, want a share of a bucket's %v", webhookBurst+1, d, webhookWindow)
	}
}
