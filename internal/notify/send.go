package notify

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Request is one HTTP call to a platform, the way every notifier makes
// it: the body built in memory (so that a signing transport can read it
// and a retry can send it again), the answer read up to a bound, its
// status classified by CheckResponse and, for platforms that answer 200
// with an error inside, its body by Check. Every error starts with Op and
// is free of Secrets.
type Request struct {
	// Op names the call in errors ("dingtalk send", "slack chat.postMessage").
	Op string
	// Client sends the request (a channel's http_config client).
	Client *http.Client
	// Method is POST when empty.
	Method string
	URL    string
	Body   []byte
	// ContentType is application/json when empty.
	ContentType string
	// Header holds further headers (authorization, a platform's own).
	Header http.Header
	// MaxResponse bounds how much of the answer is read (64 KiB when 0).
	MaxResponse int64
	// Secrets are kept out of every error: tokens, webhook URLs, passwords.
	Secrets []string
	// Check, when set, classifies the answer after CheckResponse did:
	// it gets CheckResponse's verdict and returns the final one, so that a
	// platform can read its error envelope out of a 200 (DingTalk's
	// errcode, Feishu's code, Slack's "ok": false) or a better message out
	// of a 4xx. Its errors are redacted and prefixed with Op like the rest.
	Check func(resp *http.Response, body []byte, retry bool, err error) (bool, error)
}

// defaultMaxResponse is the answer bound of a Request that sets none: a
// platform's answer is an envelope of a few hundred bytes; more is a proxy's
// page.
const defaultMaxResponse = 64 << 10

// Do sends r and classifies the answer. It returns the answer's header
// (nil when no answer came), its body, whether a failure is worth
// retrying, and the failure.
func (r *Request) Do(ctx context.Context) (http.Header, []byte, bool, error) {
	method := r.Method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return nil, nil, false, r.fail(RedactURL(err))
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	if r.Body != nil && req.Header.Get("Content-Type") == "" {
		ct := r.ContentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	resp, err := r.Client.Do(req)
	if err != nil {
		retry, err := TransportError(r.Op, err, r.Secrets...)
		return nil, nil, retry, err
	}
	limit := r.MaxResponse
	if limit <= 0 {
		limit = defaultMaxResponse
	}
	body, err := ReadBody(resp, limit)
	if err != nil {
		return resp.Header, body, true, r.fail(err)
	}
	retry, err := CheckResponse(resp, body, r.Secrets)
	if r.Check != nil {
		retry, err = r.Check(resp, body, retry, err)
	}
	if err != nil {
		return resp.Header, body, retry, r.fail(err)
	}
	return resp.Header, body, false, nil
}

// fail prefixes err with r.Op and redacts r.Secrets from it.
func (r *Request) fail(err error) error {
	return Redact(fmt.Errorf("%s: %w", r.Op, err), r.Secrets...)
}

// HTTPClient is the client of a platform's channel: rt (its http_config
// transport, wrapped by the platform as it needs), a timeout for one
// request, and no redirects: platform URLs carry tokens, and a redirect
// would hand them to whatever host it names.
func HTTPClient(rt http.RoundTripper, timeout time.Duration) *http.Client {
	return &http.Client{Transport: rt, Timeout: timeout, CheckRedirect: noRedirect}
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Fits refuses, before anything is sent, a message of calls requests that
// the platform's rate limit (as Herald keeps it) would cut before ctx
// ends: a half-sent message (its text without its chart) is worse than
// one sent a little later. wait is how long until calls requests in a row
// fit as things stand; idle is how long they take with no other traffic.
// One request waits for its own turn (the limiter answers a
// *ThrottledError itself when that turn is past the deadline), and a
// message that could not go out whole in one attempt even with no other
// traffic is sent anyway, request by request, rather than never.
func Fits(ctx context.Context, calls int, wait, idle time.Duration) error {
	dl, ok := ctx.Deadline()
	if calls < 2 || !ok {
		return nil
	}
	if !time.Now().Add(wait).After(dl) || idle >= time.Until(dl) {
		return nil
	}
	return &ThrottledError{Wait: wait}
}

// IdleDelay is how long n requests in a row take under rate with no other
// traffic: for a token bucket the burst goes at once and the rest at
// rate's pace; for a window (Rate.Window) a window's worth goes at once
// and each further one waits a whole window.
func IdleDelay(n int, rate Rate) time.Duration {
	if rate.Events <= 0 {
		return 0
	}
	if rate.Window {
		extra := n - rate.Events
		if extra <= 0 {
			return 0
		}
		return time.Duration((extra+rate.Events-1)/rate.Events) * rate.Per
	}
	extra := n - max(rate.Burst, 1)
	if extra <= 0 {
		return 0
	}
	return time.Duration(extra) * rate.Per / time.Duration(rate.Events)
}

// Warnings logs a warning once per key (a channel, a robot): a
// misconfiguration that concerns every message of a channel (charts that
// cannot be shown, a mention that cannot be made) is said once, not with
// every message. It is safe for concurrent use; the zero value is ready.
type Warnings struct {
	seen sync.Map
}

// Once logs msg with args at warning level the first time key is seen and
// reports whether it did.
func (w *Warnings) Once(logger *slog.Logger, key, msg string, args ...any) bool {
	if _, seen := w.seen.LoadOrStore(key, struct{}{}); seen {
		return false
	}
	if logger != nil {
		logger.Warn(msg, args...)
	}
	return true
}
