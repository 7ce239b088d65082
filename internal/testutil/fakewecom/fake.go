// Package fakewecom is a strict fake of a WeCom (企业微信) group robot
// webhook for tests (https://developer.work.weixin.qq.com/document/path/91770).
// It checks what WeCom checks and answers the way WeCom answers — HTTP 200
// with {"errcode":...,"errmsg":...} — so that a bug in Herald fails a test
// instead of a delivery:
//   - the key in the URL (93000 invalid webhook url);
//   - 20 messages a minute per robot, or a scaled window, answered with
//     45009 "api freq out of limit";
//   - msgtype and its one field (text, markdown, image), unknown fields;
//   - markdown content ≤ 4096 bytes, text content ≤ 2048 bytes, both
//     non-empty valid UTF-8;
//   - image: base64 that decodes, md5 of the raw bytes, ≤ 2 MB, PNG or JPG;
//   - mentioned_list (user ids or "@all") and mentioned_mobile_list (phone
//     numbers or "@all"), on text messages only.
//
// It is stricter than WeCom in two ways: markdown whose <font> tags do not
// balance, or whose font colour WeCom does not know, is refused, because
// WeCom would show the broken markup as text; and content with U+FFFD is
// refused, because that is how encoding/json writes a cut UTF-8 sequence.
// Codes for refusals WeCom does not document are taken from its global
// error codes (https://developer.work.weixin.qq.com/document/path/90313).
// It can also fail on demand: 500, 502, "system busy", 45009, hangs,
// resets, latency.
package fakewecom

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakehttp"
)

// keyPrefix starts the key of every fake robot: long and distinctive, so
// that tests can search logs and errors for the key.
const keyPrefix = "693a91f6-fake-KeyThatMustNeverLeak-"

// keys numbers the fakes of a test binary: each gets a key of its own,
// because Herald paces robots by key, and two fakes with one key would be
// one robot to it.
var keys atomic.Int64

// WeCom's documented limits (https://developer.work.weixin.qq.com/document/path/91770).
const (
	// MaxMarkdownBytes: markdown content "最长不超过4096个字节".
	MaxMarkdownBytes = 4096
	// MaxTextBytes: text content "最长不超过2048个字节".
	MaxTextBytes = 2048
	// MaxImageBytes: an image "（base64编码前）最大不能超过2M"; M read as
	// 10^6, the stricter reading.
	MaxImageBytes = 2_000_000
	// DefaultLimit messages in any DefaultWindow: "每个机器人发送的消息不能超过20条/分钟".
	DefaultLimit  = 20
	DefaultWindow = time.Minute
)

// Path is where WeCom serves robot webhooks.
const Path = "/cgi-bin/webhook/send"

// Config describes the fake robot.
type Config struct {
	// Key is the only robot key accepted (default: a distinctive key of
	// the fake's own).
	Key string
	// Limit is how many messages the robot takes in any Window (default
	// DefaultLimit per DefaultWindow). Tests scale the window down.
	Limit  int
	Window time.Duration
	// Unlimited turns rate limiting off.
	Unlimited bool
	// RateNow is the clock of the rate limit and of Message.Time (default
	// time.Now), so that a test of the limit can move time on instead of
	// sleeping.
	RateNow func() time.Time
}

// Server is a running fake robot. It is safe for concurrent use.
type Server struct {
	srv    *fakehttp.Server
	cfg    Config
	faults fakehttp.Faults
	msgs   *fakehttp.Log[Message]

	mu    sync.Mutex
	sent  fakehttp.Window // requests counted in the robot's window
	stats Stats
}

// New starts a fake robot on a loopback port; it is closed when the test ends.
func New(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	if cfg.Key == "" {
		cfg.Key = keyPrefix + strconv.FormatInt(keys.Add(1), 10)
	}
	if cfg.Limit <= 0 {
		cfg.Limit = DefaultLimit
	}
	if cfg.Window <= 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.RateNow == nil {
		cfg.RateNow = time.Now
	}
	s := &Server{cfg: cfg, msgs: fakehttp.NewLog("fakewecom", "messages", (*Message).clone)}
	s.srv = fakehttp.NewServer(tb, http.HandlerFunc(s.serveHTTP))
	return s
}

// URL is the robot's webhook address, key included, as WeCom shows it.
func (s *Server) URL() string { return s.srv.URL + Path + "?key=" + s.cfg.Key }

// BaseURL is the server's address without path or key.
func (s *Server) BaseURL() string { return s.srv.URL }

// Key is the robot key the fake accepts.
func (s *Server) Key() string { return s.cfg.Key }

// Close stops the server. Hanging requests are released first, because
// httptest.Server.Close waits for every request to finish.
func (s *Server) Close() { s.srv.Close() }

// apiError is a refusal: WeCom's errcode and errmsg.
type apiError struct {
	code int
	msg  string
}

func errorf(code int, format string, args ...any) *apiError {
	return &apiError{code: code, msg: fmt.Sprintf(format, args...)}
}

// serveHTTP answers one webhook call like qyapi.weixin.qq.com.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if s.faults.Apply(w, r) {
		return
	}
	if r.URL.Path != Path {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Query().Get("key") != s.cfg.Key {
		s.reply(w, errorf(93000, "invalid webhook url"))
		return
	}
	if aerr := s.allow(s.cfg.RateNow()); aerr != nil {
		s.reply(w, aerr)
		return
	}
	m, aerr := readMessage(r)
	if aerr == nil {
		m.Time = s.cfg.RateNow()
		s.msgs.Add(&m)
	}
	s.reply(w, aerr)
}

// allow counts one message against the robot's window, or refuses it with
// 45009. A refused message takes nothing from the window; every other one
// counts, also one refused afterwards for its content, as WeCom counts it.
func (s *Server) allow(now time.Time) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg.Unlimited {
		return nil
	}
	s.sent.N, s.sent.Per = s.cfg.Limit, s.cfg.Window
	if s.sent.Wait(now) > 0 {
		return errorf(45009, "api freq out of limit")
	}
	s.sent.Add(now)
	return nil
}

// reply writes WeCom's answer, always HTTP 200, and counts it.
func (s *Server) reply(w http.ResponseWriter, aerr *apiError) {
	s.mu.Lock()
	switch {
	case aerr == nil:
		s.stats.OK++
	case aerr.code == 45009:
		s.stats.RateLimited++
	default:
		s.stats.Errors++
		s.stats.LastError = fmt.Sprintf("%d %s", aerr.code, aerr.msg)
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	body := map[string]any{"errcode": 0, "errmsg": "ok"}
	if aerr != nil {
		body = map[string]any{"errcode": aerr.code, "errmsg": fmt.Sprintf(
			"%s, hint: [fake], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=%d",
			aerr.msg, aerr.code)}
	}
	_ = json.NewEncoder(w).Encode(body)
}
