// Package fakefeishu is a strict fake of Feishu's (and Lark's) custom bot
// webhook (POST /open-apis/bot/v2/hook/<token>) and of the two Open
// Platform APIs Herald uses for charts: tenant_access_token/internal and
// im/v1/images. It checks what Feishu checks — the bot's token, the
// signature and its one-hour window, the custom keywords, the 20 KB body,
// the message type, the card's structure (header colours, element tags,
// buttons, image keys it issued) and each bot's 100 messages a minute and
// 5 a second — and answers the way Feishu answers: HTTP 200 with a code.
// Tenant tokens expire on the fake's clock (or on demand) and are refused
// with 99991663 afterwards; the rate limits count on a clock of their own,
// which tests can move too. It records what Feishu would accept but Herald
// must not send (fields Feishu ignores) as warnings, reads the markdown of
// every card it accepts (links, mentions, images, formatting) for the
// hostile-value tests, and fails on demand.
package fakefeishu

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakehttp"
)

// The bot and app the fake knows when Config leaves them out. The values
// are long and distinctive so that tests can search logs and errors for
// them.
const (
	DefaultToken     = "0fa4e7c2-fake-feishu-hook-token-that-must-never-leak-12345678"
	DefaultSecret    = "fake0feishu0signing0secret0that0must0never0leak0abcdef"
	DefaultAppID     = "cli_fake0feishu0app0id"
	DefaultAppSecret = "fake0feishu0app0secret0that0must0never0leak0987654321"
)

// Bot is a custom bot the fake knows.
type Bot struct {
	// Token is the last segment of its webhook URL.
	Token string
	// Secret turns on "signature verification" (签名校验): every request
	// must carry a valid timestamp and sign.
	Secret string
	// Keywords turns on "custom keywords" (自定义关键词): some text of the
	// message must hold one of them.
	Keywords []string
}

// App is a custom app whose credentials get tenant tokens.
type App struct {
	ID, Secret string
}

// Config describes the fake.
type Config struct {
	// Bots are the bots the fake knows (default: one with DefaultToken
	// and DefaultSecret); Apps the apps (default: DefaultAppID).
	Bots []Bot
	Apps []App
	// PerMinute and PerSecond are a bot's limits (default 100 and 5,
	// Feishu's), counted in windows of Minute and Second (default a
	// minute and a second; tests scale them down).
	PerMinute, PerSecond int
	Minute, Second       time.Duration
	// Unlimited turns the rate limits off.
	Unlimited bool
	// MaxBodyBytes is the largest webhook body accepted (default 20000,
	// the stricter reading of Feishu's "20 KB").
	MaxBodyBytes int
	// TokenTTL is how long a tenant token lives (default two hours,
	// Feishu's).
	TokenTTL time.Duration
	// Now is the clock of signature timestamps and token expiry (default
	// time.Now).
	Now func() time.Time
	// RateNow is the clock of the rate limits and of Message.Received
	// (default time.Now), so that a test of the limits can move time on
	// instead of sleeping. It is not Now: tests pin the signature clock to
	// a fixed time, under which a window would never end.
	RateNow func() time.Time
}

// MaxTimestampSkew is how far a signature timestamp may be from the
// fake's clock: "距当前时间不超过 1 小时（3600 秒）"
// (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot).
const MaxTimestampSkew = time.Hour

// tokenReuse is the remaining life above which the token API answers with
// the token it gave before: "剩余有效期大于等于 30 分钟时，调用本接口会返回原有的
// tenant_access_token".
const tokenReuse = 30 * time.Minute

// Server is a running fake Feishu. It is safe for concurrent use.
type Server struct {
	srv    *fakehttp.Server
	cfg    Config
	faults fakehttp.Faults
	msgs   *fakehttp.Log[Message]

	mu       sync.Mutex
	bots     map[string]*Bot
	apps     map[string]*App
	sent     map[string][2]*fakehttp.Window
	tokens   map[string]*token // by token
	images   map[string]Image  // by image_key
	seq      int
	warnings []string
	stats    Stats
}

// token is a tenant token the fake issued.
type token struct {
	app     string
	expires time.Time
}

// New starts a fake Feishu on a loopback port; it is closed when the test
// ends.
func New(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	if len(cfg.Bots) == 0 {
		cfg.Bots = []Bot{{Token: DefaultToken, Secret: DefaultSecret}}
	}
	if len(cfg.Apps) == 0 {
		cfg.Apps = []App{{ID: DefaultAppID, Secret: DefaultAppSecret}}
	}
	cfg.PerMinute = defaultInt(cfg.PerMinute, 100)
	cfg.PerSecond = defaultInt(cfg.PerSecond, 5)
	cfg.MaxBodyBytes = defaultInt(cfg.MaxBodyBytes, 20000)
	if cfg.Minute <= 0 {
		cfg.Minute = time.Minute
	}
	if cfg.Second <= 0 {
		cfg.Second = time.Second
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 2 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RateNow == nil {
		cfg.RateNow = time.Now
	}
	s := &Server{
		cfg:    cfg,
		msgs:   fakehttp.NewLog("fakefeishu", "messages", (*Message).clone),
		bots:   map[string]*Bot{},
		apps:   map[string]*App{},
		sent:   map[string][2]*fakehttp.Window{},
		tokens: map[string]*token{},
		images: map[string]Image{},
		stats:  Stats{Codes: map[int]int{}},
	}
	for _, b := range cfg.Bots {
		s.bots[b.Token] = &b
	}
	for _, a := range cfg.Apps {
		s.apps[a.ID] = &a
	}
	s.srv = fakehttp.NewServer(tb, http.HandlerFunc(s.serveHTTP))
	return s
}

func defaultInt(v, d int) int {
	if v <= 0 {
		return d
	}
	return v
}

// URL is the fake's base URL: a notifier's domain.
func (s *Server) URL() string { return s.srv.URL }

// BotURL is the webhook URL of the bot with token, as Feishu shows it.
func (s *Server) BotURL(token string) string { return s.srv.URL + hookPrefix + token }

// WebhookURL is the webhook URL of the default bot.
func (s *Server) WebhookURL() string { return s.BotURL(DefaultToken) }

// Close stops the server, releasing hanging requests first.
func (s *Server) Close() { s.srv.Close() }

// The paths the fake serves.
const (
	hookPrefix = "/open-apis/bot/v2/hook/"
	tokenPath  = "/open-apis/auth/v3/tenant_access_token/internal"
	imagesPath = "/open-apis/im/v1/images"
)

// apiError is a refusal, answered with status (200 unless set) and a code.
type apiError struct {
	code   int
	msg    string
	status int
}

// The refusals Feishu documents or is known to send.
var (
	errNoBot        = &apiError{code: 19001, msg: "param invalid: incoming webhook access token invalid"}
	errSign         = &apiError{code: 19021, msg: "sign match fail or timestamp is not within one hour from current time"}
	errKeywords     = &apiError{code: 19024, msg: "Key Words Not Found"}
	errTooFast      = &apiError{code: 11232, msg: "frequency limited psm[lark.oapi.app.platform.runtime]"}
	errBadRequest   = func(why string) *apiError { return &apiError{code: 9499, msg: "Bad Request: " + why} }
	errTokenMissing = &apiError{code: 99991661, msg: "Missing access token for authorization.", status: http.StatusBadRequest}
	errTokenInvalid = &apiError{code: 99991663, msg: "Invalid access token for authorization. Please make a request with token attached.", status: http.StatusBadRequest}
	errAppParam     = &apiError{code: 10003, msg: "invalid param"}
	errAppSecret    = &apiError{code: 10014, msg: "app secret invalid"}
	errImageParam   = func(why string) *apiError {
		return &apiError{code: 234001, msg: "Invalid request param: " + why, status: http.StatusBadRequest}
	}
	errImageSize   = &apiError{code: 234006, msg: "The file size exceeds the limit.", status: http.StatusBadRequest}
	errImageFormat = &apiError{code: 234011, msg: "Can't recognize image format.", status: http.StatusBadRequest}
)

// serveHTTP routes one request.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if s.faults.Apply(w, r) {
		return
	}
	switch {
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, hookPrefix):
		msg, aerr := s.handleHook(r, strings.TrimPrefix(r.URL.Path, hookPrefix))
		if aerr == nil {
			msg.Received = s.cfg.RateNow()
			s.msgs.Add(msg)
		}
		s.reply(w, aerr, nil)
	case r.Method == http.MethodPost && r.URL.Path == tokenPath:
		extra, aerr := s.handleToken(r)
		s.reply(w, aerr, extra)
	case r.Method == http.MethodPost && r.URL.Path == imagesPath:
		extra, aerr := s.handleImage(r)
		s.reply(w, aerr, extra)
	default:
		s.mu.Lock()
		s.stats.Errors++
		s.mu.Unlock()
		http.NotFound(w, r)
	}
}

// reply counts the outcome and writes Feishu's answer: code and msg, and
// extra's fields on success.
func (s *Server) reply(w http.ResponseWriter, aerr *apiError, extra map[string]any) {
	out := map[string]any{"code": 0, "msg": "success", "data": map[string]any{}}
	status := http.StatusOK
	s.mu.Lock()
	switch {
	case aerr == nil:
		s.stats.OK++
		for k, v := range extra {
			out[k] = v
		}
	case aerr.code == errTooFast.code:
		s.stats.TooFast++
	default:
		s.stats.Errors++
	}
	if aerr != nil {
		out["code"], out["msg"] = aerr.code, aerr.msg
		if aerr.status != 0 {
			status = aerr.status
		}
	}
	s.stats.Codes[out["code"].(int)]++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(out)
}

func (s *Server) warn(w string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.warnings = append(s.warnings, w)
}
