package notify_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

func TestRequestDo(t *testing.T) {
	t.Parallel()
	const token = "T0KEN-abcdef123456"
	var mu sync.Mutex
	var gotType, gotBody, gotHeader string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		gotType, gotBody, gotHeader = r.Header.Get("Content-Type"), string(b), r.Header.Get("X-Extra")
		mu.Unlock()
		switch r.URL.Path {
		case "/ok":
			io.WriteString(w, `{"code":0}`)
		case "/inside":
			io.WriteString(w, `{"code":19021,"msg":"sign match fail `+token+`"}`)
		case "/slow":
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/busy":
			w.WriteHeader(http.StatusBadGateway)
		case "/redirect":
			http.Redirect(w, r, "/ok", http.StatusFound)
		default:
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, "bad request for "+token)
		}
	}))
	defer srv.Close()
	inside := func(resp *http.Response, body []byte, retry bool, err error) (bool, error) {
		if err != nil {
			return retry, err
		}
		if bytes.Contains(body, []byte(`"code":0`)) {
			return false, nil
		}
		return false, errors.New("platform said: " + string(body))
	}
	tests := []struct {
		path      string
		wantRetry bool
		wantErr   string
		rateLimit time.Duration
	}{
		{path: "/ok"},
		{path: "/inside", wantErr: "test send: platform said: "},
		{path: "/slow", wantRetry: true, wantErr: "HTTP 429", rateLimit: 7 * time.Second},
		{path: "/busy", wantRetry: true, wantErr: "test send: HTTP 502"},
		{path: "/bad", wantErr: "test send: HTTP 400: bad request for <secret>"},
		{path: "/redirect", wantErr: "HTTP 302"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			r := &notify.Request{
				Op: "test send", Client: notify.HTTPClient(http.DefaultTransport, 5*time.Second),
				URL: srv.URL + tc.path, Body: []byte(`{"a":1}`), Header: http.Header{"X-Extra": {"yes"}},
				Secrets: []string{token}, Check: inside,
			}
			hdr, _, retry, err := r.Do(context.Background())
			if retry != tc.wantRetry {
				t.Errorf("retry = %v, want %v (err %v)", retry, tc.wantRetry, err)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), token) {
				t.Errorf("error shows the token: %v", err)
			}
			if hdr == nil {
				t.Error("no answer header")
			}
			if rl, ok := errors.AsType[*notify.RateLimitError](err); tc.rateLimit > 0 && (!ok || rl.RetryAfter != tc.rateLimit) {
				t.Errorf("err = %#v, want a rate limit of %v", err, tc.rateLimit)
			}
			mu.Lock()
			defer mu.Unlock()
			if gotType != "application/json" || gotBody != `{"a":1}` || gotHeader != "yes" {
				t.Errorf("request: type %q body %q header %q", gotType, gotBody, gotHeader)
			}
		})
	}
}

func TestRequestDoTransportErrorHidesToken(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/hook/SECRETSECRETSECRET"
	srv.Close()
	r := &notify.Request{Op: "x send", Client: notify.HTTPClient(http.DefaultTransport, time.Second), URL: url,
		Body: []byte("{}"), Secrets: []string{url}}
	_, _, retry, err := r.Do(context.Background())
	if err == nil || !retry {
		t.Fatalf("retry %v err %v, want a retryable error", retry, err)
	}
	if strings.Contains(err.Error(), "SECRETSECRET") || !strings.HasPrefix(err.Error(), "x send: ") {
		t.Errorf("err = %v", err)
	}
}

func TestFits(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tests := []struct {
		name       string
		ctx        context.Context
		calls      int
		wait, idle time.Duration
		throttled  bool
	}{
		{"no deadline", context.Background(), 5, time.Hour, 0, false},
		{"one call waits its turn", ctx, 1, time.Hour, 0, false},
		{"fits", ctx, 3, time.Second, 0, false},
		{"past the deadline", ctx, 3, time.Minute, time.Second, true},
		{"never fits, sent anyway", ctx, 30, time.Minute, time.Minute, false},
	}
	for _, tc := range tests {
		err := notify.Fits(tc.ctx, tc.calls, tc.wait, tc.idle)
		_, throttled := errors.AsType[*notify.ThrottledError](err)
		if throttled != tc.throttled || (err != nil && !throttled) {
			t.Errorf("%s: err = %v, want throttled %v", tc.name, err, tc.throttled)
		}
	}
}

func TestIdleDelay(t *testing.T) {
	t.Parallel()
	r := notify.Rate{Events: 1, Per: time.Second, Burst: 3}
	for n, want := range map[int]time.Duration{0: 0, 1: 0, 3: 0, 4: time.Second, 10: 7 * time.Second} {
		if got := notify.IdleDelay(n, r); got != want {
			t.Errorf("IdleDelay(%d) = %v, want %v", n, got, want)
		}
	}
	if got := notify.IdleDelay(10, notify.Rate{}); got != 0 {
		t.Errorf("no rate: %v", got)
	}
	// DingTalk's 20 a minute, counted in a window.
	w := notify.Rate{Events: 20, Per: time.Minute, Window: true}
	for n, want := range map[int]time.Duration{1: 0, 20: 0, 21: time.Minute, 40: time.Minute, 41: 2 * time.Minute} {
		if got := notify.IdleDelay(n, w); got != want {
			t.Errorf("window: IdleDelay(%d) = %v, want %v", n, got, want)
		}
	}
}

func TestWarningsOnce(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	var w notify.Warnings
	var wg sync.WaitGroup
	said := make(chan bool, 20)
	for range 10 {
		wg.Go(func() { said <- w.Once(logger, "ops", "charts are not shown", "channel", "ops") })
		wg.Go(func() { said <- w.Once(logger, "dev", "charts are not shown", "channel", "dev") })
	}
	wg.Wait()
	close(said)
	n := 0
	for s := range said {
		if s {
			n++
		}
	}
	if n != 2 || strings.Count(buf.String(), "charts are not shown") != 2 {
		t.Errorf("said %d times, log:\n%s", n, buf.String())
	}
}
