package webhook

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// TimestampHeader carries the time a request was signed, in Unix seconds.
const TimestampHeader = "X-Herald-Timestamp"

// signaturePrefix names the algorithm in the signature header's value.
const signaturePrefix = "sha256="

// Sign returns the signature of body sent at timestamp (Unix seconds, as
// in TimestampHeader): "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." +
// body)). Signing the timestamp with the body lets a receiver refuse an old
// request replayed with its signature.
func Sign(secret []byte, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return signaturePrefix + hex.EncodeToString(mac.Sum(nil))
}

// Errors of Verify.
var (
	ErrBadSignature = errors.New("webhook signature does not match")
	ErrStale        = errors.New("webhook timestamp is too old or in the future")
)

// Verify checks a received request the way a receiver should: signature is
// the signature header's value, timestamp the X-Herald-Timestamp header's,
// body the raw body as received (before any JSON decoding). It refuses a
// timestamp further than tolerance from now, and compares in constant time.
func Verify(secret []byte, signature, timestamp string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(strings.TrimSpace(timestamp), 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q is not Unix seconds", ErrStale, timestamp)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return ErrStale
	}
	if !hmac.Equal([]byte(strings.TrimSpace(signature)), []byte(Sign(secret, timestamp, body))) {
		return ErrBadSignature
	}
	return nil
}

// signer is an http.RoundTripper that signs each request's body at the
// moment it leaves, so that a retry carries a fresh timestamp. The clock is
// a field so that tests can pin the signature.
type signer struct {
	next   http.RoundTripper
	secret []byte
	header string
	now    func() time.Time
}

// RoundTrip signs a copy of req (a RoundTripper must not change the
// request it is given) and sends it.
func (s *signer) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := readBody(req)
	if req.Body != nil {
		req.Body.Close() // a RoundTripper closes the body it was given
	}
	if err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(s.now().Unix(), 10)
	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.Header.Set(s.header, Sign(s.secret, ts, body))
	out.Header.Set(TimestampHeader, ts)
	return s.next.RoundTrip(out)
}

// readBody returns the body of req without consuming it (GetBody is set
// by http.NewRequest for in-memory bodies, which Herald always uses).
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	if req.GetBody == nil {
		return nil, errors.New("webhook: cannot sign a request whose body cannot be read twice")
	}
	r, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}
