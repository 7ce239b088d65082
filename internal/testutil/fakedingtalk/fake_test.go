package fakedingtalk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// clock is the fake's fixed time in these tests.
var clock = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// manualClock is a rate clock that moves only when a test says so.
type manualClock struct{ ns atomic.Int64 }

func newManualClock(t time.Time) *manualClock {
	c := &manualClock{}
	c.ns.Store(t.UnixNano())
	return c
}

func (c *manualClock) Now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *manualClock) Add(d time.Duration) { c.ns.Add(int64(d)) }

func newTestFake(t *testing.T, cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return clock }
	}
	return New(t, cfg)
}

// signedURL is the default robot's URL signed at ts, computed here
// independently of Herald's signer.
func signedURL(s *Server, ts time.Time) string {
	ms := strconv.FormatInt(ts.UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(DefaultSecret))
	mac.Write([]byte(ms + "\n" + DefaultSecret))
	sign := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return s.WebhookURL() + "&timestamp=" + ms + "&sign=" + url.QueryEscape(sign)
}

const markdownBody = `{"msgtype":"markdown","markdown":{"title":"🔥 HighCPU","text":"### HighCPU\n\n@13800000000"},"at":{"atMobiles":["13800000000"]}}`

// post sends body and returns DingTalk's errcode and errmsg.
func post(t *testing.T, u, contentType, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(u, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d; DingTalk answers 200 with an errcode", resp.StatusCode)
	}
	var a struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatal(err)
	}
	return a.ErrCode, a.ErrMsg
}

func TestAcceptsSignedMarkdown(t *testing.T) {
	t.Parallel()
	s := newTestFake(t, Config{})
	if code, msg := post(t, signedURL(s, clock.Add(-time.Minute)), "application/json; charset=utf-8", markdownBody); code != 0 {
		t.Fatalf("errcode %d %s", code, msg)
	}
	msgs := s.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := msgs[0]
	if m.MsgType != "markdown" || m.Title != "🔥 HighCPU" || !m.Signed || m.Timestamp != clock.Add(-time.Minute).UnixMilli() ||
		len(m.AtMobiles) != 1 || m.Token != DefaultToken {
		t.Errorf("recorded %+v", m)
	}
	if w := s.Warnings(); len(w) != 0 {
		t.Errorf("warnings: %v", w)
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	s := newTestFake(t, Config{Robots: []Robot{
		{Token: DefaultToken, Secret: DefaultSecret},
		{Token: "plain"},
		{Token: "keyword", Keywords: []string{"alert"}},
	}})
	good := signedURL(s, clock)
	ms := strconv.FormatInt(clock.UnixMilli(), 10)
	plusMS, plusSign := signWithPlus()
	for _, tc := range []struct {
		name, url, ctype, body string
		code                   int
	}{
		{"unknown token", s.RobotURL("nope"), "application/json", markdownBody, 300001},
		{"no signature", s.WebhookURL(), "application/json", markdownBody, 310000},
		{"timestamp over an hour old", signedURL(s, clock.Add(-61*time.Minute)), "application/json", markdownBody, 310000},
		{"timestamp over an hour ahead", signedURL(s, clock.Add(61*time.Minute)), "application/json", markdownBody, 310000},
		{"signature of another time", strings.Replace(signedURL(s, clock), "&timestamp="+ms, "&timestamp="+strconv.FormatInt(clock.UnixMilli()+1, 10), 1), "application/json", markdownBody, 310000},
		{"sign not URL-encoded", s.WebhookURL() + "&timestamp=" + plusMS + "&sign=" + plusSign, "application/json", markdownBody, 310000},
		{"wrong content type", good, "text/plain", markdownBody, 43004},
		{"wrong charset", good, "application/json; charset=gbk", markdownBody, 43004},
		{"not JSON", good, "application/json", "hello", 40035},
		{"no msgtype", good, "application/json", `{"markdown":{"title":"t","text":"x"}}`, 40035},
		{"no title", good, "application/json", `{"msgtype":"markdown","markdown":{"text":"x"}}`, 40035},
		{"no text", good, "application/json", `{"msgtype":"markdown","markdown":{"title":"t"}}`, 40035},
		{"unknown type", good, "application/json", `{"msgtype":"video","video":{}}`, 400105},
		{"too long", good, "application/json", `{"msgtype":"markdown","markdown":{"title":"t","text":"` + strings.Repeat("长", 7000) + `"}}`, 460101},
		{"invalid UTF-8", good, "application/json", "{\"msgtype\":\"markdown\",\"markdown\":{\"title\":\"t\",\"text\":\"\xff\"}}", 40035},
		{"keyword missing", s.RobotURL("keyword"), "application/json", markdownBody, 310000},
		{"unsigned robot", s.RobotURL("plain"), "application/json", markdownBody, 0},
		{"text message", good, "application/json", `{"msgtype":"text","text":{"content":"hi"}}`, 0},
		{"keyword present", s.RobotURL("keyword"), "application/json", `{"msgtype":"markdown","markdown":{"title":"alert","text":"x"}}`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, msg := post(t, tc.url, tc.ctype, tc.body); code != tc.code {
				t.Errorf("errcode %d (%s), want %d", code, msg, tc.code)
			}
		})
	}
	if st := s.Stats(); st.OK != 3 || st.TooFast != 0 {
		t.Errorf("stats %+v", st)
	}
}

// signWithPlus returns a timestamp near clock whose signature holds a
// '+', which reaches DingTalk as a space when not URL-encoded.
func signWithPlus() (string, string) {
	for ms := clock.UnixMilli(); ; ms++ {
		ts := strconv.FormatInt(ms, 10)
		mac := hmac.New(sha256.New, []byte(DefaultSecret))
		mac.Write([]byte(ts + "\n" + DefaultSecret))
		if sign := base64.StdEncoding.EncodeToString(mac.Sum(nil)); strings.Contains(sign, "+") {
			return ts, sign
		}
	}
}

func TestRateLimitAnswersTooFast(t *testing.T) {
	t.Parallel()
	rate := newManualClock(clock)
	s := newTestFake(t, Config{Robots: []Robot{{Token: "a"}, {Token: "b"}}, Limit: 3, Window: time.Minute, RateNow: rate.Now})
	for i := range 3 {
		if code, _ := post(t, s.RobotURL("a"), "application/json", markdownBody); code != 0 {
			t.Fatalf("message %d: errcode %d", i, code)
		}
	}
	code, msg := post(t, s.RobotURL("a"), "application/json", markdownBody)
	if code != 130101 || msg != "send too fast, exceed 20 times per minute" {
		t.Fatalf("4th message: %d %q", code, msg)
	}
	if code, _ := post(t, s.RobotURL("b"), "application/json", markdownBody); code != 0 {
		t.Fatalf("another robot has its own limit: %d", code)
	}
	rate.Add(time.Minute)
	if code, _ := post(t, s.RobotURL("a"), "application/json", markdownBody); code != 0 {
		t.Fatalf("after the window: %d", code)
	}
	if st := s.Stats(); st.TooFast != 1 || st.OK != 5 || st.Codes[130101] != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestPenaltyRefusesEverything(t *testing.T) {
	t.Parallel()
	rate := newManualClock(clock)
	s := newTestFake(t, Config{Robots: []Robot{{Token: "a"}}, Limit: 1, Window: time.Minute, Penalty: 10 * time.Minute, RateNow: rate.Now})
	post(t, s.RobotURL("a"), "application/json", markdownBody)
	post(t, s.RobotURL("a"), "application/json", markdownBody)
	rate.Add(time.Minute)
	if code, _ := post(t, s.RobotURL("a"), "application/json", markdownBody); code != 130101 {
		t.Fatalf("during the penalty: %d", code)
	}
	rate.Add(9 * time.Minute)
	if code, _ := post(t, s.RobotURL("a"), "application/json", markdownBody); code != 0 {
		t.Fatalf("after the penalty: %d", code)
	}
}

func TestWarnings(t *testing.T) {
	t.Parallel()
	s := newTestFake(t, Config{Robots: []Robot{{Token: "a"}}})
	post(t, s.RobotURL("a"), "application/json", `{"msgtype":"markdown","markdown":{"title":"t","text":"x @u1"},"at":{"atMobiles":["138"],"atUserIds":["u1"]}}`)
	post(t, s.RobotURL("a"), "application/json", `{"msgtype":"markdown","markdown":{"title":"t","text":"x"},"at":{"atUserIDs":["u1"]}}`)
	w := s.Warnings()
	if len(w) != 2 || !strings.Contains(w[0], `"@138"`) || !strings.Contains(w[1], "unknown field") {
		t.Fatalf("warnings: %q", w)
	}
	if len(s.Messages()) != 2 {
		t.Error("DingTalk accepts such messages; so does the fake")
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	s := newTestFake(t, Config{Robots: []Robot{{Token: "a"}}})
	s.FailNext(1, FaultInternal)
	s.FailNext(1, FaultBadGateway)
	s.FailNext(1, FaultBusy)
	s.FailNext(1, FaultReset)
	s.FailNext(1, FaultHang)
	client := &http.Client{Timeout: 200 * time.Millisecond}
	do := func() (*http.Response, error) {
		return client.Post(s.RobotURL("a"), "application/json", strings.NewReader(markdownBody))
	}
	for _, want := range []int{500, 502} {
		resp, err := do()
		if err != nil || resp.StatusCode != want {
			t.Fatalf("want %d: %v %v", want, resp, err)
		}
		resp.Body.Close()
	}
	resp, err := do()
	if err != nil {
		t.Fatal(err)
	}
	var a struct{ ErrCode int }
	_ = json.NewDecoder(resp.Body).Decode(&a)
	resp.Body.Close()
	if a.ErrCode != -1 {
		t.Fatalf("busy: errcode %d", a.ErrCode)
	}
	if _, err := do(); err == nil {
		t.Fatal("reset: no error")
	}
	if _, err := do(); err == nil || !errors.Is(err, errTimeout(err)) {
		t.Fatalf("hang: %v", err)
	}
	if code, _ := post(t, s.RobotURL("a"), "application/json", markdownBody); code != 0 {
		t.Fatalf("after the faults: %d", code)
	}
	if st := s.Stats(); st.Injected != 5 || st.Requests != 6 {
		t.Errorf("stats %+v", st)
	}
}

// errTimeout returns err when it is a client timeout, so that errors.Is
// holds exactly then.
func errTimeout(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Timeout() {
		return err
	}
	return errors.New("not a timeout")
}

// FailNextAnswer answers whatever a test needs, as DingTalk or a proxy
// in front of it would, and then the fake answers again.
func TestFailNextAnswer(t *testing.T) {
	t.Parallel()
	s := newTestFake(t, Config{Robots: []Robot{{Token: "a"}}})
	s.FailNextAnswer(1, http.StatusTooManyRequests, http.Header{"Retry-After": {"7"}}, "slow down")
	resp, err := http.Post(s.RobotURL("a"), "application/json", strings.NewReader(markdownBody))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "7" || string(b) != "slow down" {
		t.Fatalf("answer %d %v %q", resp.StatusCode, resp.Header, b)
	}
	if code, _ := post(t, s.RobotURL("a"), "application/json", markdownBody); code != 0 {
		t.Fatalf("after the answer: %d", code)
	}
}
