package fakewecom

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/png"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// answer is WeCom's reply as a client sees it.
type answer struct {
	Status  int
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

func post(t *testing.T, url, contentType, body string) answer {
	t.Helper()
	resp, err := http.Post(url, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := answer{Status: resp.StatusCode}
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
			t.Fatalf("answer is not JSON: %v", err)
		}
	}
	return a
}

func send(t *testing.T, s *Server, body any) answer {
	t.Helper()
	b, _ := json.Marshal(body)
	return post(t, s.URL(), "application/json", string(b))
}

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func imageBody(raw []byte) map[string]any {
	sum := md5.Sum(raw)
	return map[string]any{"msgtype": "image", "image": map[string]any{
		"base64": base64.StdEncoding.EncodeToString(raw), "md5": hex.EncodeToString(sum[:])}}
}

func TestChecks(t *testing.T) {
	t.Parallel()
	s := New(t, Config{Unlimited: true})
	img := pngBytes(t, 40, 30)
	badMD5 := imageBody(img)
	sum := md5.Sum([]byte(base64.StdEncoding.EncodeToString(img)))
	badMD5["image"].(map[string]any)["md5"] = hex.EncodeToString(sum[:]) // md5 of the base64: a classic bug
	huge := bytes.Repeat([]byte{0}, MaxImageBytes+1)
	copy(huge, img)
	gif := []byte("GIF89a\x01\x00\x01\x00")
	md := func(c string) map[string]any {
		return map[string]any{"msgtype": "markdown", "markdown": map[string]any{"content": c}}
	}
	txt := func(c string, ids, mobiles []string) map[string]any {
		return map[string]any{"msgtype": "text", "text": map[string]any{"content": c, "mentioned_list": ids, "mentioned_mobile_list": mobiles}}
	}
	tests := []struct {
		name string
		body any
		code int
	}{
		{"markdown", md("**hi** <font color=\"warning\">x</font> 日本"), 0},
		{"markdown at the limit", md(strings.Repeat("日", MaxMarkdownBytes/3) + "a"), 0},
		{"markdown over the limit", md(strings.Repeat("a", MaxMarkdownBytes+1)), 40058},
		{"markdown empty", md("  \n"), 44004},
		{"markdown cut UTF-8", md("ab\xe6\x97"), 40033},
		{"markdown unbalanced font", md(`<font color="info">x`), 40058},
		{"markdown unknown colour", md(`<font color="red">x</font>`), 40058},
		{"markdown with mentioned_list", map[string]any{"msgtype": "markdown", "markdown": map[string]any{"content": "x", "mentioned_list": []string{"a"}}}, 40058},
		{"text with mentions", txt("hi", []string{"zhangsan", "@all"}, []string{"13800001111", "@all"}), 0},
		{"text over the limit", txt(strings.Repeat("a", MaxTextBytes+1), nil, nil), 40058},
		{"bad user id", txt("hi", []string{"<@x>"}, nil), 40058},
		{"bad mobile", txt("hi", nil, []string{"call me"}), 40058},
		{"image", imageBody(img), 0},
		{"image md5 of the base64", badMD5, 40058},
		{"image too large", imageBody(huge), 40009},
		{"image gif", imageBody(gif), 40004},
		{"image bad base64", map[string]any{"msgtype": "image", "image": map[string]any{"base64": "%%%", "md5": strings.Repeat("0", 32)}}, 40058},
		{"unknown msgtype", map[string]any{"msgtype": "news", "news": map[string]any{}}, 40058},
		{"msgtype and field differ", map[string]any{"msgtype": "text", "markdown": map[string]any{"content": "x"}}, 40058},
		{"no msgtype field", map[string]any{"msgtype": "markdown"}, 40058},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := send(t, s, tt.body)
			if a.Status != 200 || a.ErrCode != tt.code {
				t.Fatalf("answer %+v, want HTTP 200 errcode %d", a, tt.code)
			}
		})
	}
	msgs := s.Messages()
	if len(msgs) != 4 || msgs[3].Type != "image" || msgs[3].Width != 40 || !bytes.Equal(msgs[3].Image, img) {
		t.Fatalf("accepted %d messages: %+v", len(msgs), msgs)
	}
	if m := msgs[2]; m.Type != "text" || m.MentionedList[0] != "zhangsan" || m.MentionedMobileList[0] != "13800001111" {
		t.Errorf("text message recorded as %+v", m)
	}
}

func TestKeyPathAndMethod(t *testing.T) {
	t.Parallel()
	s := New(t, Config{Unlimited: true})
	body := `{"msgtype":"text","text":{"content":"x"}}`
	if a := post(t, s.BaseURL()+Path+"?key=wrong", "application/json", body); a.ErrCode != 93000 || !strings.Contains(a.ErrMsg, "invalid webhook url") {
		t.Errorf("wrong key: %+v", a)
	}
	if a := post(t, s.BaseURL()+Path, "application/json", body); a.ErrCode != 93000 {
		t.Errorf("no key: %+v", a)
	}
	if a := post(t, s.BaseURL()+"/cgi-bin/other?key="+s.Key(), "application/json", body); a.Status != 404 {
		t.Errorf("wrong path: %+v", a)
	}
	if a := post(t, s.URL(), "text/plain", body); a.ErrCode != 40058 {
		t.Errorf("wrong content type: %+v", a)
	}
	resp, err := http.Get(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", resp.StatusCode)
	}
	if st := s.Stats(); st.OK != 0 || st.Errors != 3 {
		t.Errorf("stats %+v", st)
	}
}

// The 21st message in a window gets WeCom's 45009 with HTTP 200; once the
// oldest message leaves the window, one more is taken.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	var now atomic.Int64 // the rate clock, moved by the test
	s := New(t, Config{RateNow: func() time.Time { return time.Unix(0, now.Load()) }})
	body := map[string]any{"msgtype": "text", "text": map[string]any{"content": "x"}}
	for i := range DefaultLimit {
		if a := send(t, s, body); a.ErrCode != 0 {
			t.Fatalf("message %d: %+v", i, a)
		}
	}
	now.Add(int64(DefaultWindow - time.Second))
	a := send(t, s, body)
	if a.Status != 200 || a.ErrCode != 45009 || !strings.HasPrefix(a.ErrMsg, "api freq out of limit") {
		t.Fatalf("21st message: %+v", a)
	}
	now.Add(int64(time.Second))
	if a := send(t, s, body); a.ErrCode != 0 {
		t.Fatalf("after the window: %+v", a)
	}
	if st := s.Stats(); st.RateLimited != 1 || st.OK != DefaultLimit+1 {
		t.Errorf("stats %+v", st)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	s := New(t, Config{Unlimited: true})
	body := `{"msgtype":"text","text":{"content":"x"}}`
	s.FailNext(1, FaultInternal)
	s.FailNext(1, FaultBadGateway)
	s.FailNext(1, FaultBusy)
	s.FailNext(1, FaultRateLimit)
	if a := post(t, s.URL(), "application/json", body); a.Status != 500 {
		t.Errorf("500: %+v", a)
	}
	if a := post(t, s.URL(), "application/json", body); a.Status != 502 {
		t.Errorf("502: %+v", a)
	}
	if a := post(t, s.URL(), "application/json", body); a.ErrCode != -1 {
		t.Errorf("busy: %+v", a)
	}
	if a := post(t, s.URL(), "application/json", body); a.ErrCode != 45009 {
		t.Errorf("rate limit: %+v", a)
	}
	s.FailNext(1, FaultReset)
	if _, err := http.Post(s.URL(), "application/json", strings.NewReader(body)); err == nil {
		t.Error("reset: no error")
	}
	s.FailNext(1, FaultHang)
	c := &http.Client{Timeout: 200 * time.Millisecond}
	if _, err := c.Post(s.URL(), "application/json", strings.NewReader(body)); err == nil {
		t.Error("hang: no error")
	}
	if a := post(t, s.URL(), "application/json", body); a.ErrCode != 0 {
		t.Errorf("after the faults: %+v", a)
	}
	if st := s.Stats(); st.Injected != 6 || st.OK != 1 || st.RateLimited != 0 {
		t.Errorf("stats %+v", st)
	}
	if _, err := s.WaitMessages(2, 100*time.Millisecond); err == nil {
		t.Error("WaitMessages: want a timeout error")
	}
	if msgs, err := s.WaitMessages(1, time.Second); err != nil || len(msgs) != 1 {
		t.Errorf("WaitMessages: %v %v", msgs, err)
	}
}
