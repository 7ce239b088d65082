package webhook

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
)

func TestClassification(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		status     int
		header     http.Header
		ok, retry  bool
		retryAfter time.Duration
		mention    string
	}{
		{status: 200, ok: true},
		{status: 202, ok: true},
		{status: 204, ok: true},
		{status: 400, mention: "HTTP 400"},
		{status: 401},
		{status: 404},
		{status: 410},
		{status: 302, header: http.Header{"Location": {"http://elsewhere.example/"}}, mention: "does not follow redirects"},
		{status: 408, retry: true},
		{status: 500, retry: true},
		{status: 503, retry: true},
		{status: 429, header: http.Header{"Retry-After": {"7"}}, retry: true, retryAfter: 7 * time.Second},
	} {
		t.Run(fmt.Sprint(c.status), func(t *testing.T) {
			rcv := newReceiver(t)
			rcv.status, rcv.header, rcv.body = c.status, c.header, `{"error":"nope"}`
			n := newNotifier(t, Config{URL: config.Secret(rcv.URL)}, nil)
			refs, retry, err := notifyCtx(t, n, message(alert.KindFiring, mkAlert("A", "x:1")), 5*time.Second)
			if c.ok {
				if err != nil || len(refs) != 1 {
					t.Fatalf("%v %v", refs, err)
				}
				return
			}
			var herr *notify.HTTPError
			if err == nil || retry != c.retry || !errors.As(err, &herr) || herr.StatusCode != c.status || refs != nil {
				t.Fatalf("refs %v retry %v err %v", refs, retry, err)
			}
			var rl *notify.RateLimitError
			if c.retryAfter != 0 && (!errors.As(err, &rl) || rl.RetryAfter != c.retryAfter) {
				t.Errorf("err %v: want a rate limit of %v", err, c.retryAfter)
			}
			if !strings.Contains(err.Error(), c.mention) {
				t.Errorf("err %q lacks %q", err, c.mention)
			}
			if len(rcv.requests()) != 1 {
				t.Errorf("%d requests: a redirect must not be followed", len(rcv.requests()))
			}
		})
	}
}

func TestTransportFailuresAreRetried(t *testing.T) {
	t.Parallel()
	// A port nobody listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/hook"
	ln.Close()
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // so that the server notices the client leaving
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); hang.Close() })
	for name, u := range map[string]string{"refused": closed, "hang": hang.URL} {
		t.Run(name, func(t *testing.T) {
			n := newNotifier(t, Config{URL: config.Secret(u)}, nil)
			_, retry, err := notifyCtx(t, n, message(alert.KindFiring, mkAlert("A", "x:1")), 300*time.Millisecond)
			if err == nil || !retry {
				t.Fatalf("retry %v err %v", retry, err)
			}
		})
	}
}

// Every secret of the channel — the URL's password, path token and query
// token, header values, the HMAC secret — stays out of errors and logs,
// even when the receiver echoes the request in its error answer.
func TestSecretsNeverInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	secrets := []string{"pAssw0rd-secret", "PathT0kenSecret123", "QueryT0kenSecret456", "HeaderValueSecret789", "hmac-secret-0000"}
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "bad request to %s with %v from %s", r.URL.String(), r.Header, r.Header.Get("Authorization"))
	}))
	t.Cleanup(echo.Close)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	for name, host := range map[string]string{"echoed in the answer": strings.TrimPrefix(echo.URL, "http://"), "connection refused": dead} {
		t.Run(name, func(t *testing.T) {
			logs := &alerts.LogBuffer{}
			logger := logs.Logger()
			u := "http://user:" + secrets[0] + "@" + host + "/hooks/" + secrets[1] + "?token=" + secrets[2]
			n := newNotifier(t, Config{URL: config.Secret(u),
				Headers: map[string]config.Secret{"Authorization": config.Secret("Bearer " + secrets[3])}, HMACSecret: config.Secret(secrets[4])}, logger)
			_, _, err := notifyCtx(t, n, message(alert.KindFiring, mkAlert("A", "x:1")), time.Second)
			if err == nil {
				t.Fatal("no error")
			}
			logger.Error("delivery failed", "err", err, "notifier", n)
			out := err.Error() + "\n" + logs.String() + fmt.Sprintf("%v %+v", n, n)
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("secret %q leaked:\n%s", s, out)
				}
			}
		})
	}
}
