package dingtalk

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakedingtalk"
)

// The expected value was computed with Python's hmac, hashlib and base64,
// the way DingTalk's documentation shows it.
func TestSign(t *testing.T) {
	t.Parallel()
	const want = "/LQa3m4/z5Okfk0b8FmL0MYBP0VbKOed9K0AYqvVD9c="
	if got := Sign("SECtest0secret", now.UnixMilli()); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

// recorder keeps the request it was asked to send.
type recorder struct{ req *http.Request }

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.req = req
	return nil, errors.New("not sent")
}

func TestSigningTransport(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	tr := &SigningTransport{Base: rec, Secret: "SECtest0secret", Now: func() time.Time { return now }}
	req, _ := http.NewRequest(http.MethodPost, "https://oapi.dingtalk.com/robot/send?access_token=abc", nil)
	_, _ = tr.RoundTrip(req)
	got := rec.req.URL.RawQuery
	for _, want := range []string{"access_token=abc", "timestamp=1740832200000", "sign=%2FLQa3m4%2Fz5Okfk0b8FmL0MYBP0VbKOed9K0AYqvVD9c%3D"} {
		if !strings.Contains(got, want) {
			t.Errorf("query %q lacks %q", got, want)
		}
	}
	if req.URL.RawQuery != "access_token=abc" {
		t.Errorf("the caller's request was changed: %q", req.URL.RawQuery)
	}

	// Without a secret, requests go as they are.
	tr.Secret = ""
	_, _ = tr.RoundTrip(req)
	if rec.req != req {
		t.Error("an unsigned request was copied or changed")
	}
}

// A signer without a transport under it refuses to send rather than fall
// back on one that ignores the channel's http_config.
func TestSigningTransportNeedsBase(t *testing.T) {
	t.Parallel()
	req, _ := http.NewRequest(http.MethodPost, "https://oapi.dingtalk.com/robot/send?access_token=abc", strings.NewReader("{}"))
	if resp, err := (&SigningTransport{Secret: "SECtest0secret"}).RoundTrip(req); err == nil || resp != nil {
		t.Fatalf("no base: resp %v, err %v", resp, err)
	}
}

// The fake checks the signature exactly; a clock more than an hour off is
// refused as DingTalk refuses it, and that is permanent (retrying with the
// same clock cannot help).
func TestSignatureAcceptedByFake(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakedingtalk.Config{})
	n := fixed(newNotifier(t, channelConfig(fake), nil), "title", "text")
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, cpu())); err != nil {
		t.Fatal(err)
	}
	if m := fake.Messages()[0]; !m.Signed || m.Timestamp != now.UnixMilli() {
		t.Errorf("signed %v at %d", m.Signed, m.Timestamp)
	}

	skewed, err := New("ops", channelConfig(fake), mustTemplates(t), nil,
		WithClock(func() time.Time { return now.Add(-61 * time.Minute) }))
	if err != nil {
		t.Fatal(err)
	}
	_, retry, err := skewed.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, cpu()))
	var aerr *APIError
	if !errors.As(err, &aerr) || aerr.Code != CodeSecurity || retry {
		t.Fatalf("skewed clock: retry %v, err %v", retry, err)
	}
	if !strings.Contains(err.Error(), "invalid timestamp") || !strings.Contains(err.Error(), "security settings") {
		t.Errorf("error does not say what to check: %v", err)
	}

	wrong := channelConfig(fake)
	wrong.Secret = "SECwrong"
	_, retry, err = fixed(newNotifier(t, wrong, nil), "t", "x").Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, cpu()))
	if err == nil || retry || !strings.Contains(err.Error(), "sign not match") {
		t.Fatalf("wrong secret: retry %v, err %v", retry, err)
	}
}
