package dingtalk

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakedingtalk"
)

// reply is what the fake answers once instead of DingTalk.
type reply struct {
	status int
	body   string
	header http.Header
}

// Every failure is classified (retry or not, rate limit or not), and no
// error or log line shows the access token or the signing secret.
func TestErrors(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakedingtalk.Config{})
	for _, tc := range []struct {
		name      string
		url       string
		reply     *reply
		fault     fakedingtalk.Fault
		timeout   time.Duration
		retry     bool
		code      int // the APIError's errcode, when there is one
		rateLimit time.Duration
		contains  string
	}{
		{name: "500", fault: fakedingtalk.FaultInternal, retry: true, contains: "HTTP 500"},
		{name: "502 from a proxy", fault: fakedingtalk.FaultBadGateway, retry: true, contains: "HTTP 502"},
		{name: "system busy in a 200", fault: fakedingtalk.FaultBusy, retry: true, code: CodeBusy},
		{name: "connection reset", fault: fakedingtalk.FaultReset, retry: true, contains: "dingtalk send"},
		{name: "hang", fault: fakedingtalk.FaultHang, timeout: 300 * time.Millisecond, retry: true, contains: "dingtalk send"},
		{name: "unknown token in a 200", url: fake.RobotURL("revoked0token0of0a0deleted0robot"), code: 300001},
		{name: "too long in a 200", reply: &reply{200, `{"errcode":460101,"errmsg":"message too long, exceed 20000 bytes"}`, nil}, code: CodeTooLong},
		{name: "keywords in a 200", reply: &reply{200, `{"errcode":310000,"errmsg":"keywords not in content"}`, nil}, code: CodeSecurity, contains: "security settings"},
		{name: "throttled in a 200", reply: &reply{200, `{"errcode":410100,"errmsg":"发送速度太快而限流"}`, nil}, retry: true, code: CodeTooFastRobot, rateLimit: RobotWindow},
		{name: "200 without an answer", reply: &reply{200, "<html>captive portal</html>", nil}, retry: true, contains: "without a DingTalk answer"},
		{name: "404", reply: &reply{404, "not found", nil}, contains: "HTTP 404"},
		{name: "429", reply: &reply{429, "", http.Header{"Retry-After": {"7"}}}, retry: true, rateLimit: 7 * time.Second},
		{name: "redirect not followed", reply: &reply{302, "", http.Header{"Location": {"https://evil.example/"}}}, contains: "HTTP 302"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := channelConfig(fake)
			if tc.url != "" {
				cfg.URL = config.Secret(tc.url)
			}
			var logs alerts.LogBuffer
			n := fixed(newNotifier(t, cfg, logs.Logger()), "t", "x")
			switch {
			case tc.fault != fakedingtalk.FaultNone:
				fake.FailNext(1, tc.fault)
			case tc.reply != nil:
				fake.FailNextAnswer(1, tc.reply.status, tc.reply.header, tc.reply.body)
			}
			// A request lost on a stale connection must not leave the
			// fault to the next case.
			t.Cleanup(fake.ClearFaults)
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			refs, retry, err := n.Notify(alerts.Context(t, timeout), message(alert.KindFiring, cpu()))
			if err == nil || len(refs) != 0 || retry != tc.retry {
				t.Fatalf("refs %v, retry %v, err %v", refs, retry, err)
			}
			var aerr *APIError
			if got := errors.As(err, &aerr); got != (tc.code != 0) || (got && aerr.Code != tc.code) {
				t.Errorf("APIError %v, want errcode %d", aerr, tc.code)
			}
			var rl *notify.RateLimitError
			if got := errors.As(err, &rl); got != (tc.rateLimit > 0) || (got && rl.RetryAfter != tc.rateLimit) {
				t.Errorf("RateLimitError %v, want retry after %v", rl, tc.rateLimit)
			}
			if !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("error %q lacks %q", err, tc.contains)
			}
			for _, secret := range []string{fakedingtalk.DefaultToken, fakedingtalk.DefaultSecret, "revoked0token"} {
				if strings.Contains(err.Error(), secret) || strings.Contains(logs.String(), secret) ||
					strings.Contains(n.String(), secret) {
					t.Errorf("secret %q leaked:\nerr: %v\nlog: %s", secret, err, logs.String())
				}
			}
		})
	}
}

// DingTalk's "send too fast" (errcode 130101 in an HTTP 200) is a rate
// limit: the error says to wait until the window frees, and every channel
// of the robot pauses meanwhile without sending anything.
func TestTooFastPausesTheRobot(t *testing.T) {
	t.Parallel()
	// The fake's window moves only when the test says: the third message
	// is over its limit however long the first two take.
	var fakeNow atomic.Int64
	fake := newFake(t, fakedingtalk.Config{Limit: 2, Window: time.Second, RateNow: func() time.Time { return time.Unix(0, fakeNow.Load()) }})
	// Herald believes in more than the fake allows, as when another
	// program posts to the same robot.
	shared := WithShared(notify.NewShared(WithRobotLimit(fake.WebhookURL(), 100, time.Second)))
	var logs alerts.LogBuffer
	a := fixed(newNotifier(t, channelConfig(fake), logs.Logger(), shared), "t", "x")
	b := fixed(newNotifier(t, channelConfig(fake), nil, shared), "t", "x")
	for range 2 {
		if _, _, err := a.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, cpu())); err != nil {
			t.Fatal(err)
		}
	}
	_, retry, err := a.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, cpu()))
	var rl *notify.RateLimitError
	var aerr *APIError
	if !retry || !errors.As(err, &rl) || rl.RetryAfter != time.Second || !errors.As(err, &aerr) || aerr.Code != CodeTooFast {
		t.Fatalf("retry %v, err %v", retry, err)
	}
	if !strings.Contains(logs.String(), "another program") {
		t.Errorf("no warning about the shared robot:\n%s", logs.String())
	}
	requests := fake.Stats().Requests
	_, _, err = b.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, cpu()))
	var throttled *notify.ThrottledError
	if !errors.As(err, &throttled) || throttled.Wait <= 0 || throttled.Wait > time.Second {
		t.Fatalf("other channel of the robot: %v", err)
	}
	if fake.Stats().Requests != requests {
		t.Error("a paused robot sent a request")
	}
	// Herald's pause runs on the real clock.
	time.Sleep(throttled.Wait + 50*time.Millisecond)
	fakeNow.Add(int64(time.Second))
	if _, _, err := b.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, cpu())); err != nil {
		t.Fatalf("after the pause: %v", err)
	}
}
