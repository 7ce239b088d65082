package fakefeishu

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// clock is the fake's time in these tests.
var clock = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// manualClock is a clock that moves only when a test says so.
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

// signed adds a signature made at ts, computed here independently of
// Herald's signer, to a JSON object body.
func signed(body string, ts time.Time) string {
	sec := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(sec+"\n"+DefaultSecret))
	sign := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return `{"timestamp":"` + sec + `","sign":"` + sign + `",` + body[1:]
}

const cardBody = `{"msg_type":"interactive","card":{"config":{"wide_screen_mode":true},` +
	`"header":{"title":{"tag":"plain_text","content":"🔥 HighCPU"},"template":"red"},` +
	`"elements":[{"tag":"markdown","content":"**CPU at 97%** <at id=ou_abc></at>"},` +
	`{"tag":"div","fields":[{"is_short":true,"text":{"tag":"lark_md","content":"**Instance**\nweb-1"}}]},` +
	`{"tag":"action","actions":[{"tag":"button","text":{"tag":"plain_text","content":"Source"},"type":"default","url":"http://prom:9090/graph"}]}]}}`

// post sends body and returns Feishu's code and msg.
func post(t *testing.T, u, contentType, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(u, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatal(err)
	}
	return a.Code, a.Msg
}

func TestAcceptsSignedCard(t *testing.T) {
	t.Parallel()
	s := newTestFake(t, Config{})
	if code, msg := post(t, s.WebhookURL(), "application/json; charset=utf-8", signed(cardBody, clock.Add(-time.Minute))); code != 0 {
		t.Fatalf("code %d %s", code, msg)
	}
	m := s.Messages()[0]
	if m.MsgType != "interactive" || m.Title != "🔥 HighCPU" || m.Colour != "red" || !m.Signed ||
		m.Timestamp != clock.Add(-time.Minute).Unix() || len(m.Fields) != 1 || m.ButtonURL("Source") != "http://prom:9090/graph" {
		t.Errorf("recorded %+v", m)
	}
	if ms := m.Mentions(); len(ms) != 1 || ms[0].Target != "ou_abc" {
		t.Errorf("mentions %v", ms)
	}
	if w := s.Warnings(); len(w) != 0 {
		t.Errorf("warnings: %v", w)
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	s := newTestFake(t, Config{Bots: []Bot{{Token: DefaultToken, Secret: DefaultSecret}, {Token: "plain"},
		{Token: "keyword", Keywords: []string{"alert"}}}})
	good := func(body string) string { return signed(body, clock) }
	replace := func(old, new string) string { return good(strings.Replace(cardBody, old, new, 1)) }
	for _, tc := range []struct {
		name, url, ctype, body string
		code                   int
	}{
		{"unknown bot", s.BotURL("nope"), "application/json", good(cardBody), 19001},
		{"no signature", s.WebhookURL(), "application/json", cardBody, 19021},
		{"timestamp over an hour old", s.WebhookURL(), "application/json", signed(cardBody, clock.Add(-61*time.Minute)), 19021},
		{"timestamp over an hour ahead", s.WebhookURL(), "application/json", signed(cardBody, clock.Add(61*time.Minute)), 19021},
		{"milliseconds", s.WebhookURL(), "application/json", strings.Replace(good(cardBody), strconv.FormatInt(clock.Unix(), 10), strconv.FormatInt(clock.UnixMilli(), 10), 1), 19021},
		{"wrong content type", s.WebhookURL(), "text/plain", good(cardBody), 9499},
		{"too big", s.WebhookURL(), "application/json", replace("CPU at 97%", strings.Repeat("长", 7000)), 9499},
		{"not JSON", s.WebhookURL(), "application/json", "hello", 9499},
		{"unknown colour", s.WebhookURL(), "application/json", replace(`"red"`, `"pink"`), 9499},
		{"no title", s.WebhookURL(), "application/json", replace(`"🔥 HighCPU"`, `""`), 9499},
		{"unknown element", s.WebhookURL(), "application/json", replace(`"tag":"markdown"`, `"tag":"video"`), 9499},
		{"button to javascript", s.WebhookURL(), "application/json", replace("http://prom:9090/graph", "javascript:alert(1)"), 9499},
		{"image not uploaded", s.WebhookURL(), "application/json", replace(`{"tag":"markdown"`, `{"tag":"img","img_key":"img_x","alt":{"tag":"plain_text","content":"c"}},{"tag":"markdown"`), 9499},
		{"keyword missing", s.BotURL("keyword"), "application/json", cardBody, 19024},
		{"keyword present", s.BotURL("keyword"), "application/json", strings.Replace(cardBody, "HighCPU", "alert", 1), 0},
		{"unsigned bot", s.BotURL("plain"), "application/json", cardBody, 0},
		{"text message", s.BotURL("plain"), "application/json", `{"msg_type":"text","content":{"text":"hi"}}`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, msg := post(t, tc.url, tc.ctype, tc.body); code != tc.code {
				t.Errorf("code %d (%s), want %d", code, msg, tc.code)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	rate := newManualClock(clock)
	s := newTestFake(t, Config{Bots: []Bot{{Token: "a"}, {Token: "b"}}, PerMinute: 4, PerSecond: 2, RateNow: rate.Now})
	for i := range 2 {
		if code, _ := post(t, s.BotURL("a"), "application/json", cardBody); code != 0 {
			t.Fatalf("message %d: %d", i, code)
		}
	}
	if code, _ := post(t, s.BotURL("a"), "application/json", cardBody); code != 11232 {
		t.Fatalf("3rd in a second: %d", code)
	}
	if code, _ := post(t, s.BotURL("b"), "application/json", cardBody); code != 0 {
		t.Fatalf("another bot has its own limit: %d", code)
	}
	rate.Add(time.Second)
	for range 2 {
		post(t, s.BotURL("a"), "application/json", cardBody)
	}
	rate.Add(time.Second)
	if code, _ := post(t, s.BotURL("a"), "application/json", cardBody); code != 11232 {
		t.Fatalf("5th in a minute: %d", code)
	}
	if st := s.Stats(); st.TooFast != 2 || st.OK != 5 {
		t.Errorf("stats %+v", st)
	}
}

// upload posts a PNG with token and returns the code and image key.
func upload(t *testing.T, s *Server, token string, png []byte) (int, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("image_type", "message")
	part, _ := w.CreateFormFile("image", "chart.png")
	_, _ = part.Write(png)
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL()+imagesPath, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a struct {
		Code int `json:"code"`
		Data struct {
			ImageKey string `json:"image_key"`
		} `json:"data"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&a)
	return a.Code, a.Data.ImageKey
}

// getToken asks for a tenant token and returns it with its expiry.
func getToken(t *testing.T, s *Server, secret string) (string, int, int) {
	t.Helper()
	resp, err := http.Post(s.URL()+tokenPath, "application/json", strings.NewReader(`{"app_id":"`+DefaultAppID+`","app_secret":"`+secret+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a struct {
		Code   int    `json:"code"`
		Token  string `json:"tenant_access_token"`
		Expire int    `json:"expire"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&a)
	return a.Token, a.Expire, a.Code
}

// Tokens live two hours on the fake's clock, are reused while half an
// hour is left, and are refused with 99991663 after; an upload needs one
// and a PNG.
func TestTokensAndUploads(t *testing.T) {
	t.Parallel()
	now := newManualClock(clock)
	s := newTestFake(t, Config{Now: now.Now})
	png := append([]byte("\x89PNG\r\n\x1a\n"), "chart"...)
	if _, _, code := getToken(t, s, "wrong"); code != 10014 {
		t.Fatalf("wrong secret: %d", code)
	}
	tok, exp, code := getToken(t, s, DefaultAppSecret)
	if code != 0 || exp != 7200 || !strings.HasPrefix(tok, "t-") {
		t.Fatalf("token %q %d %d", tok, exp, code)
	}
	if again, _, _ := getToken(t, s, DefaultAppSecret); again != tok {
		t.Error("a fresh token was not reused")
	}
	if code, _ := upload(t, s, "", png); code != 99991661 {
		t.Errorf("no token: %d", code)
	}
	if code, _ := upload(t, s, tok, []byte("GIF89a")); code != 234011 {
		t.Errorf("not a PNG: %d", code)
	}
	code, key := upload(t, s, tok, png)
	if code != 0 || s.Images()[key].Type != "message" {
		t.Fatalf("upload: %d %q", code, key)
	}
	now.Add(2*time.Hour + time.Second)
	if code, _ := upload(t, s, tok, png); code != 99991663 {
		t.Errorf("expired token: %d", code)
	}
	fresh, _, _ := getToken(t, s, DefaultAppSecret)
	if fresh == tok {
		t.Error("an expired token was given again")
	}
	s.ExpireTokens()
	if code, _ := upload(t, s, fresh, png); code != 99991663 {
		t.Errorf("token expired on demand: %d", code)
	}
}

// Feishu reads mentions and emoji shortcodes besides markdown; full-width
// look-alikes are text.
func TestMarkup(t *testing.T) {
	t.Parallel()
	m := &Message{Markdown: []string{"**a** <at id=all></at> :OK: [x](http://e.example) <font color=red>r</font>",
		"＜at id=all＞＜/at＞ ∶OK: ［x］(http:／／e.example)"}, Buttons: []Button{{Text: "Source", URL: "http://p/"}}}
	got := m.Markup()
	kinds := map[string]int{}
	for _, e := range got {
		kinds[e.Kind]++
	}
	if kinds["mention"] != 1 || kinds["emoji"] != 1 || kinds["link"] != 2 || kinds["bold"] != 1 || kinds["font"] != 2 || len(got) != 7 {
		t.Errorf("markup %v", got)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	s := newTestFake(t, Config{Bots: []Bot{{Token: "a"}}})
	s.FailNextCode(1, 11232, "frequency limited")
	s.FailNext(1, FaultInternal)
	if code, _ := post(t, s.BotURL("a"), "application/json", cardBody); code != 11232 {
		t.Errorf("code fault: %d", code)
	}
	resp, err := http.Post(s.BotURL("a"), "application/json", strings.NewReader(cardBody))
	if err != nil || resp.StatusCode != 500 {
		t.Fatalf("500 fault: %v %v", resp, err)
	}
	resp.Body.Close()
	if code, _ := post(t, s.BotURL("a"), "application/json", cardBody); code != 0 {
		t.Errorf("after the faults: %d", code)
	}
	if st := s.Stats(); st.Injected != 2 || st.Requests != 3 {
		t.Errorf("stats %+v", st)
	}
}

// FailNextAnswer answers whatever a test needs, as Feishu's gateway or a
// proxy in front of it would, and then the fake answers again.
func TestFailNextAnswer(t *testing.T) {
	t.Parallel()
	s := newTestFake(t, Config{Bots: []Bot{{Token: "a"}}})
	s.FailNextAnswer(1, http.StatusTooManyRequests, http.Header{"X-Ogw-Ratelimit-Reset": {"7"}}, `{"code":99991400,"msg":"request trigger frequency limit"}`)
	resp, err := http.Post(s.BotURL("a"), "application/json", strings.NewReader(cardBody))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("x-ogw-ratelimit-reset") != "7" {
		t.Fatalf("answer %d %v", resp.StatusCode, resp.Header)
	}
	if code, _ := post(t, s.BotURL("a"), "application/json", cardBody); code != 0 {
		t.Fatalf("after the answer: %d", code)
	}
}
