package wecom

import (
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
	"github.com/heraldhq/herald/internal/testutil/fakewecom"
)

func TestNotifyErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fault     fakewecom.Fault
		wrongKey  bool
		timeout   time.Duration
		retry     bool
		rateLimit bool
		code      int
		contains  string
	}{
		{name: "500", fault: fakewecom.FaultInternal, retry: true, contains: "HTTP 500"},
		{name: "502 page", fault: fakewecom.FaultBadGateway, retry: true, contains: "HTTP 502"},
		{name: "system busy", fault: fakewecom.FaultBusy, retry: true, code: -1, contains: "errcode -1"},
		{name: "45009", fault: fakewecom.FaultRateLimit, retry: true, rateLimit: true, code: 45009, contains: "api freq out of limit"},
		{name: "reset", fault: fakewecom.FaultReset, retry: true},
		{name: "hang", fault: fakewecom.FaultHang, timeout: 300 * time.Millisecond, retry: true},
		{name: "wrong key", wrongKey: true, code: 93000, contains: "check the key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t)
			u := fake.URL()
			if tt.wrongKey {
				u = strings.Replace(u, fake.Key(), "wrong-"+fake.Key(), 1)
			}
			robot, err := NewRobot(u, WithTimeout(5*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			var logs alerts.LogBuffer
			cfg := channelConfig(fake)
			n := fixed(newNotifier(t, robot, cfg, logs.Logger()), "**x**")
			fake.FailNext(1, tt.fault)
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			refs, retry, err := n.Notify(alerts.Context(t, timeout), message(alert.KindFiring, nasty))
			if err == nil || retry != tt.retry || len(refs) != 0 {
				t.Fatalf("refs %v retry %v err %v", refs, retry, err)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q lacks %q", err, tt.contains)
			}
			var rl *notify.RateLimitError
			if errors.As(err, &rl) != tt.rateLimit || (tt.rateLimit && rl.RetryAfter != PlatformWindow) {
				t.Errorf("rate limit: %v (%v)", rl, err)
			}
			var aerr *APIError
			if tt.code != 0 && (!errors.As(err, &aerr) || aerr.Code != tt.code || aerr.MsgType != "markdown") {
				t.Errorf("APIError = %+v", aerr)
			}
			if tt.rateLimit && !strings.Contains(logs.String(), "another program") {
				t.Errorf("an unexpected 45009 is not logged:\n%s", logs.String())
			}
			for _, secret := range []string{fake.Key(), fake.URL()} {
				if strings.Contains(err.Error(), secret) || strings.Contains(logs.String(), secret) {
					t.Errorf("the robot key leaks:\nerr: %v\nlog: %s", err, logs.String())
				}
			}
		})
	}
}

// check classifies an answer as a notify.Request does: the shared
// classifier for the status, then the message's Check.
func check(msgType string, resp *http.Response, body []byte, window time.Duration, secrets ...string) (bool, error) {
	retry, err := notify.CheckResponse(resp, body, secrets)
	return answerCheck(msgType, window, secrets)(resp, body, retry, err)
}

func TestCheck(t *testing.T) {
	t.Parallel()
	ok := &http.Response{StatusCode: 200, Header: http.Header{}}
	tests := []struct {
		name  string
		resp  *http.Response
		body  string
		retry bool
		err   string
	}{
		{"ok", ok, `{"errcode":0,"errmsg":"ok"}`, false, ""},
		{"too long", ok, `{"errcode":40058,"errmsg":"markdown.content exceed max length 4096"}`, false, "errcode 40058"},
		{"concurrency", ok, `{"errcode":45033,"errmsg":"api concurrent out of limit"}`, true, "errcode 45033"},
		{"html 200", ok, `<html>portal</html>`, true, "without a WeCom answer"},
		{"json without errcode", ok, `{"status":"ok"}`, true, "without a WeCom answer"},
		{"404", &http.Response{StatusCode: 404, Header: http.Header{}}, `not found`, false, "HTTP 404"},
		{"429", &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {"7"}}}, ``, true, "HTTP 429"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			retry, err := check("markdown", tt.resp, []byte(tt.body), time.Minute)
			if retry != tt.retry || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("retry %v err %v", retry, err)
			}
		})
	}
}

// A proxy page answering 200 on the robot's behalf is not a success.
func TestNotifyNotWeComAnswer(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("<html>captive portal</html>"))
	}))
	t.Cleanup(srv.Close)
	robot, err := NewRobot(srv.URL + "/cgi-bin/webhook/send?key=portal-secret-key")
	if err != nil {
		t.Fatal(err)
	}
	n, err := New("ops", &Config{}, robot, mustTemplates(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, retry, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, nasty))
	if !retry || err == nil || strings.Contains(err.Error(), "portal-secret-key") {
		t.Fatalf("retry %v err %v", retry, err)
	}
}

// A connection error names the host but neither the key nor the path.
func TestTransportErrorRedacted(t *testing.T) {
	t.Parallel()
	robot, err := NewRobot("http://127.0.0.1:1/cgi-bin/webhook/send?key=unreachable-secret-key", WithTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	n := fixed(newNotifier(t, robot, &Config{}, nil), "x")
	_, retry, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, nasty))
	if !retry || err == nil || strings.Contains(err.Error(), "unreachable-secret-key") || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("retry %v err %v", retry, err)
	}
	var logs alerts.LogBuffer
	logs.Logger().Info("robot", "robot", robot, "value", *robot)
	for _, s := range []string{n.String(), fmt.Sprintf("%v %+v %#v %s", robot, *robot, robot, *robot), logs.String()} {
		if strings.Contains(s, "unreachable-secret-key") {
			t.Errorf("the key leaks: %q", s)
		}
	}
}
