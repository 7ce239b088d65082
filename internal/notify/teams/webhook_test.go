package teams

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/faketeams"
)

func TestErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		cfg    faketeams.Config
		fault  faketeams.Fault
		url    func(string) string
		body   string // posted as is instead of a card
		retry  bool
		status int
		limit  time.Duration // RetryAfter of a *notify.RateLimitError
		want   string
	}{
		{name: "bad card", body: `{"type":"message","attachments":[]}`, status: 400, want: "Teams refused the card"},
		{name: "too large", cfg: faketeams.Config{MaxBytes: 600}, status: 413, want: "too large"},
		{name: "wrong sig", url: func(u string) string { return strings.Replace(u, faketeams.DefaultSig, "old-sig-0123456789", 1) },
			status: 401, want: "was the workflow deleted"},
		{name: "deleted workflow", url: func(u string) string { return strings.Replace(u, "/workflows/", "/workflows/gone", 1) },
			status: 404, want: "was the workflow deleted"},
		{name: "throttled", fault: faketeams.FaultThrottle, retry: true, status: 429, limit: faketeams.ThrottleRetryAfter * time.Second},
		{name: "internal error", fault: faketeams.FaultInternal, retry: true, status: 500},
		{name: "bad gateway", fault: faketeams.FaultBadGateway, retry: true, status: 502},
		{name: "reset", fault: faketeams.FaultReset, retry: true, want: "teams post"},
		{name: "hang", fault: faketeams.FaultHang, retry: true, want: "context deadline exceeded"},
		// Office 365 connector URLs answer 200 and hide the error inside.
		{name: "legacy bad card", cfg: faketeams.Config{Legacy: true}, body: `{"type":"message","attachments":[]}`,
			status: 400, want: "behind HTTP 200"},
		{name: "legacy too large", cfg: faketeams.Config{Legacy: true, MaxBytes: 600}, status: 413},
		{name: "legacy throttled", cfg: faketeams.Config{Legacy: true, Limits: faketeams.Limits{Windows: []faketeams.Window{{Requests: 0, Per: time.Hour}}}},
			retry: true, status: 429},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.cfg.Limits.Windows == nil {
				tc.cfg.Limits.Unlimited = true
			}
			fake := faketeams.New(t, tc.cfg)
			url := fake.URL()
			if tc.url != nil {
				url = tc.url(url)
			}
			hook := mustHook(t, url, noLimits)
			fake.FailNext(1, tc.fault)
			var logs alerts.LogBuffer
			n := newNotifier(t, hook, logs.Logger())
			ctx := alerts.Context(t, 500*time.Millisecond)
			var retry bool
			var err error
			if tc.body != "" {
				_, retry, err = hook.post(ctx, n.client, []byte(tc.body))
			} else {
				_, retry, err = n.Notify(ctx, message(alert.KindFiring, hostDown))
			}
			if err == nil {
				t.Fatal("no error")
			}
			if retry != tc.retry {
				t.Errorf("retry = %v, want %v: %v", retry, tc.retry, err)
			}
			if herr, ok := errors.AsType[*notify.HTTPError](err); tc.status != 0 && (!ok || herr.StatusCode != tc.status) {
				t.Errorf("error %v, want HTTP %d", err, tc.status)
			}
			rl, ok := errors.AsType[*notify.RateLimitError](err)
			if ok != (tc.status == 429) || (ok && rl.RetryAfter != tc.limit) {
				t.Errorf("rate limit error %v, want one with retry after %v for a 429", err, tc.limit)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q lacks %q", err, tc.want)
			}
			for _, secret := range []string{faketeams.DefaultSig, "old-sig-0123456789", "/workflows/"} {
				if strings.Contains(err.Error(), secret) || strings.Contains(logs.String(), secret) {
					t.Errorf("secret %q leaked: %v\n%s", secret, err, logs.String())
				}
			}
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		body   string
		header string
		retry  bool
		ok     bool
	}{
		{status: 202, ok: true},
		{status: 200, body: "1", ok: true},
		{status: 200, body: "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 500 with ContextId x", retry: true},
		{status: 200, body: "microsoft teams endpoint returned http error 404", retry: false},
		{status: 302, retry: false},
		{status: 408, retry: true},
		{status: 429, header: "3", retry: true},
		{status: 503, retry: true},
	} {
		t.Run(fmt.Sprint(tc.status, tc.body), func(t *testing.T) {
			resp := &http.Response{StatusCode: tc.status, Header: http.Header{}}
			if tc.header != "" {
				resp.Header.Set("Retry-After", tc.header)
			}
			retry, err := check(resp, []byte(tc.body))
			if (err == nil) != tc.ok || retry != tc.retry {
				t.Errorf("retry %v err %v", retry, err)
			}
		})
	}
}

// A burst from two channels on one webhook is paced by Herald, so that
// Teams never has to answer 429.
func TestBurstNeverThrottled(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("takes three seconds")
	}
	fake := faketeams.New(t, faketeams.Config{}) // Teams' limits
	hook := mustHook(t, fake.URL(), Options{})
	tmpl := mustTemplates(t)
	ops := New("ops", &Config{}, hook, tmpl, nil)
	dev := New("dev", &Config{}, hook, tmpl, nil)
	const burst = 12
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, burst)
	for i := range burst {
		n := ops
		if i%2 == 1 {
			n = dev
		}
		wg.Go(func() {
			if _, _, err := n.Notify(alerts.Context(t, 10*time.Second), message(alert.KindFiring, hostDown)); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if st := fake.Stats(); st.TooManyRequests != 0 || st.Accepted != burst {
		t.Errorf("fake stats %+v, want %d accepted and no 429", st, burst)
	}
	// 4 at once, 4 after one window, 4 after two.
	if took := time.Since(start); took < 2*time.Second {
		t.Errorf("the burst took %v: faster than Teams allows", took)
	}
}

// A message that cannot leave before the attempt's deadline is not sent at
// all: the dispatcher pauses the channel and tries again.
func TestThrottledBeforeSending(t *testing.T) {
	// Not parallel: the sends before the throttled one must stay within
	// the window, which a loaded machine can stretch.
	fake := newFake(t)
	hook := mustHook(t, fake.URL(), Options{})
	n := newNotifier(t, hook, nil)
	for range perSecond {
		if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, hostDown)); err != nil {
			t.Fatal(err)
		}
	}
	_, retry, err := n.Notify(alerts.Context(t, 100*time.Millisecond), message(alert.KindFiring, hostDown))
	th, ok := errors.AsType[*notify.ThrottledError](err)
	if !ok || !retry || th.Wait <= 100*time.Millisecond || th.Wait > stretch(time.Second) {
		t.Fatalf("retry %v, err %v: want a *notify.ThrottledError", retry, err)
	}
	if got := fake.Stats().Requests; got != perSecond {
		t.Errorf("%d requests, want %d: the throttled message was sent", got, perSecond)
	}
}

func TestShared(t *testing.T) {
	t.Parallel()
	shared := notify.NewShared()
	a1, err := Shared(shared, "https://example.webhook.office.com/workflows/a?sig=one-secret-signature")
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := Shared(shared, "https://example.webhook.office.com/workflows/a?sig=one-secret-signature")
	b, _ := Shared(shared, "https://example.webhook.office.com/workflows/b?sig=two-secret-signature")
	if a1 != a2 || a1 == b {
		t.Errorf("Shared gave %p, %p, %p", a1, a2, b)
	}
	if _, err := Shared(shared, "ftp://x"); err == nil {
		t.Error("an ftp URL was taken")
	}
	for _, s := range []string{a1.String(), fmt.Sprint(a1), fmt.Sprintf("%v", newNotifier(t, a1, nil))} {
		if strings.Contains(s, "one-secret-signature") || strings.Contains(s, "/workflows/") {
			t.Errorf("%q shows the URL's secrets", s)
		}
	}
}

func TestRatesAreUnderTeamsLimits(t *testing.T) {
	t.Parallel()
	for _, r := range DefaultRates() {
		if !r.Window {
			t.Errorf("%+v is not a window", r)
		}
	}
	if r := DefaultRates()[0]; r.Events != 4 || r.Per <= time.Second {
		t.Errorf("per second %+v: want 4 in a little more than a second", r)
	}
	if r := DefaultRates()[1]; r.Events != 60 || r.Per <= 30*time.Second {
		t.Errorf("per half minute %+v: want 60 in a little more than 30s", r)
	}
}
