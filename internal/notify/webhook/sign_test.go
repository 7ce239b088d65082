package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
)

func TestSignKnownAnswer(t *testing.T) {
	t.Parallel()
	// Computed independently: printf '1740830405.{"a":1}' | openssl dgst -sha256 -hmac k3y
	mac := hmac.New(sha256.New, []byte("k3y"))
	mac.Write([]byte(`1740830405.{"a":1}`))
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if got := Sign([]byte("k3y"), "1740830405", []byte(`{"a":1}`)); got != want {
		t.Fatalf("%s, want %s", got, want)
	}
}

// A receiver can verify every request with the secret, the two headers and
// the raw body; a changed body, an old request or the wrong secret fail.
func TestSignedRequestsVerify(t *testing.T) {
	t.Parallel()
	for _, header := range []string{"", "X-Hub-Signature-256"} {
		t.Run(fmt.Sprintf("header %q", header), func(t *testing.T) {
			rcv := newReceiver(t)
			secret := "hm4c-s3cret-value"
			n := newNotifier(t, Config{URL: config.Secret(rcv.URL), HMACSecret: config.Secret(secret),
				SignatureHeader: header}, nil)
			if _, _, err := notifyCtx(t, n, message(alert.KindFiring, mkAlert("A", "x:1")), 5*time.Second); err != nil {
				t.Fatal(err)
			}
			if header == "" {
				header = DefaultSignatureHeader
			}
			r := rcv.requests()[0]
			sig, ts := r.header.Get(header), r.header.Get(TimestampHeader)
			if ts != "1740830405" || !strings.HasPrefix(sig, "sha256=") || len(sig) != len("sha256=")+64 {
				t.Fatalf("signature %q timestamp %q", sig, ts)
			}
			if err := Verify([]byte(secret), sig, ts, r.body, signedAt.Add(time.Minute), 5*time.Minute); err != nil {
				t.Fatal(err)
			}
			tampered := []byte(strings.Replace(string(r.body), `"firing"`, `"resolved"`, 1))
			for _, c := range []struct {
				name   string
				secret string
				body   []byte
				now    time.Time
				want   error
			}{
				{"tampered body", secret, tampered, signedAt, ErrBadSignature},
				{"wrong secret", "other", r.body, signedAt, ErrBadSignature},
				{"replayed later", secret, r.body, signedAt.Add(time.Hour), ErrStale},
				{"from the future", secret, r.body, signedAt.Add(-time.Hour), ErrStale},
			} {
				if err := Verify([]byte(c.secret), sig, ts, c.body, c.now, 5*time.Minute); !errors.Is(err, c.want) {
					t.Errorf("%s: %v, want %v", c.name, err, c.want)
				}
			}
			if err := Verify([]byte(secret), sig, "yesterday", r.body, signedAt, time.Minute); !errors.Is(err, ErrStale) {
				t.Errorf("bad timestamp: %v", err)
			}
		})
	}
}

// Each attempt is signed when it leaves: a retry gets a fresh timestamp.
func TestEachAttemptSignedAnew(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	now := signedAt
	n, err := New("hooks", &Config{URL: config.Secret(rcv.URL), HMACSecret: "k", SignatureHeader: "X-Sig"}, nil,
		WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	m := message(alert.KindFiring, mkAlert("A", "x:1"))
	_, _, _ = notifyCtx(t, n, m, time.Second)
	now = now.Add(30 * time.Second)
	_, _, _ = notifyCtx(t, n, m, time.Second)
	r := rcv.requests()
	if r[0].header.Get(TimestampHeader) == r[1].header.Get(TimestampHeader) || r[0].header.Get("X-Sig") == r[1].header.Get("X-Sig") {
		t.Error("a retry reused the first attempt's signature")
	}
	if r[0].header.Get(IdempotencyKeyHeader) != r[1].header.Get(IdempotencyKeyHeader) {
		t.Error("a retry changed the Idempotency-Key")
	}
}
