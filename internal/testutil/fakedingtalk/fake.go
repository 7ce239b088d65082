// Package fakedingtalk is a strict fake of DingTalk's custom robot webhook
// (POST /robot/send?access_token=…) for tests. It checks what DingTalk
// checks — the access token, the 加签 signature and its timestamp, the
// keywords, the message type and its required fields, the 20,000-byte
// limit and the 20 messages a minute per robot — and answers the way
// DingTalk answers: HTTP 200 with an errcode. It also records what
// DingTalk would accept silently but Herald must not do (mentions missing
// from the text, unknown fields) as warnings, and fails on demand: 500,
// 502, "system busy", hangs, connection resets and latency.
package fakedingtalk

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakehttp"
)

// The robot the fake knows when Config.Robots is empty. The values are
// long and distinctive so that tests can search logs and errors for them.
const (
	DefaultToken  = "fake0dingtalk0access0token0that0must0never0leak0123456789abcdef"
	DefaultSecret = "SECfake0dingtalk0signing0secret0that0must0never0leak0123456789"
)

// Robot is a custom robot the fake knows.
type Robot struct {
	// Token is the access_token of its webhook URL.
	Token string
	// Secret turns on the "additional signature" (加签) security setting:
	// every request must carry a valid timestamp and sign.
	Secret string
	// Keywords turns on the "custom keywords" security setting: the title
	// or text must contain one of them.
	Keywords []string
}

// Config describes the fake.
type Config struct {
	// Robots are the robots the fake knows (default: one with
	// DefaultToken and DefaultSecret).
	Robots []Robot
	// Limit is how many messages a robot may send in any Window (default
	// 20, DingTalk's); Window defaults to one minute. Tests scale the
	// window down (20 in 3 s) to run a storm in seconds.
	Limit  int
	Window time.Duration
	// Penalty makes a robot that went over Limit refuse everything for
	// this long, as DingTalk does for ten minutes; 0 refuses only what is
	// over the limit, so that a test fails on the count rather than hangs.
	Penalty time.Duration
	// Unlimited turns the rate limit off.
	Unlimited bool
	// MaxBodyBytes is the largest body accepted (default 20000).
	MaxBodyBytes int
	// Now is the clock signature timestamps are checked against (default
	// time.Now).
	Now func() time.Time
	// RateNow is the clock of the rate limit and of Message.Received
	// (default time.Now), so that a test of the limit can move time on
	// instead of sleeping. It is not Now: tests pin the signature clock to
	// a fixed time, under which a window would never end.
	RateNow func() time.Time
}

// MaxTimestampSkew is how far a signature timestamp may be from the
// fake's clock: DingTalk's "与请求调用时间误差不能超过1小时"
// (https://open.dingtalk.com/document/robots/customize-robot-security-settings).
const MaxTimestampSkew = time.Hour

// Server is a running fake DingTalk. It is safe for concurrent use.
type Server struct {
	srv    *fakehttp.Server
	cfg    Config
	faults fakehttp.Faults
	msgs   *fakehttp.Log[Message]

	mu       sync.Mutex
	robots   map[string]*Robot
	sent     map[string]*fakehttp.Window
	penalty  map[string]time.Time
	warnings []string
	stats    Stats
}

// New starts a fake DingTalk on a loopback port; it is closed when the
// test ends.
func New(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	if len(cfg.Robots) == 0 {
		cfg.Robots = []Robot{{Token: DefaultToken, Secret: DefaultSecret}}
	}
	if cfg.Limit <= 0 {
		cfg.Limit = 20
	}
	if cfg.Window <= 0 {
		cfg.Window = time.Minute
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 20000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RateNow == nil {
		cfg.RateNow = time.Now
	}
	s := &Server{
		cfg:     cfg,
		msgs:    fakehttp.NewLog("fakedingtalk", "messages", (*Message).clone),
		robots:  map[string]*Robot{},
		sent:    map[string]*fakehttp.Window{},
		penalty: map[string]time.Time{},
		stats:   Stats{Codes: map[int]int{}},
	}
	for _, r := range cfg.Robots {
		s.robots[r.Token] = &r
	}
	s.srv = fakehttp.NewServer(tb, http.HandlerFunc(s.serveHTTP))
	return s
}

// URL is the fake's base URL.
func (s *Server) URL() string { return s.srv.URL }

// RobotURL is the webhook URL of the robot with token, as DingTalk shows
// it in the robot's settings.
func (s *Server) RobotURL(token string) string {
	return s.srv.URL + "/robot/send?access_token=" + token
}

// WebhookURL is the webhook URL of the default robot.
func (s *Server) WebhookURL() string { return s.RobotURL(DefaultToken) }

// Close stops the server. Hanging requests are released first, because
// httptest.Server.Close waits for every request to finish.
func (s *Server) Close() { s.srv.Close() }

// apiError is a refusal: DingTalk answers it with HTTP 200.
type apiError struct {
	code int
	msg  string
}

// The refusals DingTalk documents or is known to send, and the fake's own
// for what DingTalk refuses without a documented answer (marked).
var (
	errNoToken      = &apiError{300001, "token is not exist"}
	errTimestamp    = &apiError{310000, "invalid timestamp"}
	errSign         = &apiError{310000, "sign not match"}
	errKeywords     = &apiError{310000, "keywords not in content"}
	errTooFast      = &apiError{130101, "send too fast, exceed 20 times per minute"}
	errTooLong      = &apiError{460101, "message too long, exceed 20000 bytes"}
	errMsgType      = &apiError{400105, "不支持的消息类型"}
	errContentType  = &apiError{43004, "无效的HTTP HEADER Content-Type"}
	errInvalidJSON  = &apiError{40035, "缺少参数 json"}     // the fake's: the body is not a JSON object
	errInvalidUTF8  = &apiError{40035, "invalid UTF-8"} // the fake's: DingTalk asks for UTF-8
	errMissingField = func(f string) *apiError { return &apiError{40035, "缺少参数 " + f} }
)

// serveHTTP answers one request like oapi.dingtalk.com/robot/send.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if s.faults.Apply(w, r) {
		return
	}
	if r.URL.Path != "/robot/send" || r.Method != http.MethodPost {
		s.mu.Lock()
		s.stats.Errors++
		s.mu.Unlock()
		http.NotFound(w, r)
		return
	}
	msg, aerr := s.handle(r)
	s.reply(w, msg, aerr)
}

// reply records the outcome and writes DingTalk's answer.
func (s *Server) reply(w http.ResponseWriter, msg *Message, aerr *apiError) {
	s.mu.Lock()
	switch {
	case aerr == nil:
		s.stats.OK++
		msg.Received = s.cfg.RateNow()
		s.msgs.Add(msg)
	case aerr.code == errTooFast.code:
		s.stats.TooFast++
	default:
		s.stats.Errors++
	}
	code, text := 0, "ok"
	if aerr != nil {
		code, text = aerr.code, aerr.msg
	}
	s.stats.Codes[code]++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]any{"errcode": code, "errmsg": text})
}
