package feishu

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakefeishu"
)

// reply is what the fake answers once instead of Feishu.
type reply struct {
	status int
	body   string
	header http.Header
}

// Every failure is classified (retry or not, rate limit or not), and no
// error, log line or String shows the bot's token, the signing secret or
// the app secret.
func TestErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		reply     *reply // answered once by the fake, as Feishu's gateway or a proxy would
		token     string // the bot's token, when not the fake's default
		fault     fakefeishu.Fault
		code      int // a code the fake answers on demand
		timeout   time.Duration
		retry     bool
		apiCode   int // the APIError's code, when there is one
		rateLimit time.Duration
		contains  string
	}{
		{name: "500", fault: fakefeishu.FaultInternal, retry: true, apiCode: CodeInternal},
		{name: "502 from a proxy", fault: fakefeishu.FaultBadGateway, retry: true, contains: "HTTP 502"},
		{name: "connection reset", fault: fakefeishu.FaultReset, retry: true, contains: "feishu send"},
		{name: "hang", fault: fakefeishu.FaultHang, timeout: 300 * time.Millisecond, retry: true, contains: "feishu send"},
		{name: "internal error in a 200", code: CodeInternal, retry: true, apiCode: CodeInternal},
		{name: "frequency limited in a 200", code: CodeTooFast, retry: true, apiCode: CodeTooFast, rateLimit: TooFastPause},
		{name: "bad request in a 200", code: CodeBadRequest, apiCode: CodeBadRequest},
		{name: "ip not allowed", code: CodeIPNotAllowed, apiCode: CodeIPNotAllowed, contains: "IP allowlist"},
		{name: "keywords", code: CodeKeywords, apiCode: CodeKeywords, contains: "keyword"},
		{name: "deleted bot", token: "0000dead-0000-bot0-token-thatwasdeleted0", apiCode: 19001},
		{name: "gateway 429 with reset", reply: &reply{429, `{"code":99991400,"msg":"request trigger frequency limit"}`,
			http.Header{"X-Ogw-Ratelimit-Reset": {"7"}}}, retry: true, apiCode: CodeGatewayTooFast, rateLimit: 7 * time.Second},
		{name: "429 without a code", reply: &reply{429, "", http.Header{"Retry-After": {"3"}}}, retry: true, rateLimit: 3 * time.Second},
		{name: "200 without an answer", reply: &reply{200, "<html>captive portal</html>", nil}, retry: true, contains: "without a Feishu answer"},
		{name: "404", reply: &reply{404, "not found", nil}, contains: "HTTP 404"},
		{name: "redirect not followed", reply: &reply{302, "", http.Header{"Location": {"https://evil.example/"}}}, contains: "HTTP 302"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, fakefeishu.Config{})
			cfg := channelConfig(fake)
			if tc.token != "" {
				cfg.URL = config.Secret(fake.BotURL(tc.token))
			}
			var logs alerts.LogBuffer
			n := fixed(newNotifier(t, cfg, logs.Logger()), "t", "x")
			if tc.fault != fakefeishu.FaultNone {
				fake.FailNext(1, tc.fault)
			}
			if tc.code != 0 {
				fake.FailNextCode(1, tc.code, "answer "+fakefeishu.DefaultToken)
			}
			if tc.reply != nil {
				fake.FailNextAnswer(1, tc.reply.status, tc.reply.header, tc.reply.body)
			}
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			refs, retry, err := n.Notify(alerts.Context(t, timeout), message(alert.KindFiring, cpu()))
			if err == nil || len(refs) != 0 || retry != tc.retry {
				t.Fatalf("refs %v, retry %v, err %v", refs, retry, err)
			}
			var aerr *APIError
			if got := errors.As(err, &aerr); got != (tc.apiCode != 0) || (got && aerr.Code != tc.apiCode) {
				t.Errorf("APIError %v, want code %d", aerr, tc.apiCode)
			}
			var rl *notify.RateLimitError
			if got := errors.As(err, &rl); got != (tc.rateLimit > 0) || (got && rl.RetryAfter != tc.rateLimit) {
				t.Errorf("RateLimitError %v, want retry after %v", rl, tc.rateLimit)
			}
			if !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("error %q lacks %q", err, tc.contains)
			}
			for _, secret := range append(secrets, "0000dead-0000-bot0") {
				if strings.Contains(err.Error(), secret) || strings.Contains(logs.String(), secret) || strings.Contains(n.String(), secret) {
					t.Errorf("secret %q leaked:\nerr: %v\nlog: %s", secret, err, logs.String())
				}
			}
		})
	}
}

// The signature is Feishu's (key timestamp+"\n"+secret, empty message),
// in seconds, checked by the fake within its hour; a clock more than an
// hour off or a wrong secret is refused, permanently, with a hint.
func TestSignature(t *testing.T) {
	t.Parallel()
	// Computed with Python's hmac, hashlib and base64 as Feishu's
	// documentation shows: hmac.new(f"{ts}\n{secret}".encode(), digestmod=sha256).
	if got, want := Sign("demo", 1599360473), "l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8="; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	fake := newFake(t, fakefeishu.Config{})
	n := fixed(newNotifier(t, channelConfig(fake), nil), "t", "x")
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, cpu())); err != nil {
		t.Fatal(err)
	}
	if m := fake.Messages()[0]; !m.Signed || m.Timestamp != now.Unix() {
		t.Errorf("signed %v at %d", m.Signed, m.Timestamp)
	}
	skewed := fixed(newNotifier(t, channelConfig(fake), nil, WithClock(func() time.Time { return now.Add(-61 * time.Minute) })), "t", "x")
	wrong := channelConfig(fake)
	wrong.Secret = "wrong0secret0value"
	for name, n := range map[string]*Notifier{"skewed clock": skewed, "wrong secret": fixed(newNotifier(t, wrong, nil), "t", "x")} {
		_, retry, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, cpu()))
		var aerr *APIError
		if !errors.As(err, &aerr) || aerr.Code != CodeBadSign || retry || !strings.Contains(err.Error(), "clock") {
			t.Errorf("%s: retry %v, err %v", name, retry, err)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// SigningTransport adds the signature to a copy of the body at the moment
// it leaves; without a secret the request goes as it is.
func TestSigningTransport(t *testing.T) {
	t.Parallel()
	var got string
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		got = string(b)
		return nil, errors.New("not sent")
	})
	tr := &SigningTransport{Base: rt, Secret: "demo", Now: func() time.Time { return time.Unix(1599360473, 0) }}
	req, _ := http.NewRequest(http.MethodPost, "https://open.feishu.cn/open-apis/bot/v2/hook/x", strings.NewReader(`{"msg_type":"text"}`))
	_, _ = tr.RoundTrip(req)
	if want := `{"timestamp":"1599360473","sign":"l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8=","msg_type":"text"}`; got != want {
		t.Errorf("body %s\nwant %s", got, want)
	}
	req, _ = http.NewRequest(http.MethodPost, "https://x/", strings.NewReader(`{}`))
	_, _ = tr.RoundTrip(req)
	if !strings.HasSuffix(got, `"}`) || strings.Contains(got, `",}`) {
		t.Errorf("empty object signed as %s", got)
	}
	tr.Secret = ""
	req, _ = http.NewRequest(http.MethodPost, "https://x/", strings.NewReader(`{"a":1}`))
	_, _ = tr.RoundTrip(req)
	if got != `{"a":1}` {
		t.Errorf("unsigned body %s", got)
	}
}

// A signer without a transport under it refuses to send rather than fall
// back on one that ignores the channel's http_config.
func TestSigningTransportNeedsBase(t *testing.T) {
	t.Parallel()
	req, _ := http.NewRequest(http.MethodPost, "https://open.feishu.cn/open-apis/bot/v2/hook/x", strings.NewReader(`{"msg_type":"text"}`))
	if resp, err := (&SigningTransport{Secret: "demo"}).RoundTrip(req); err == nil || resp != nil {
		t.Fatalf("no base: resp %v, err %v", resp, err)
	}
}
