// Package faketelegram is a strict fake of the Telegram Bot API for tests.
// It checks what Telegram checks (tokens, chats, topics, parse_mode=HTML,
// length limits, rate limits, replies and edits, inline keyboards; for
// bots, getUpdates long polls and offsets, webhooks and their
// secret_token, callback queries and command lists) and answers the way
// Telegram answers, so that a bug in Herald fails a test instead of a
// delivery. It can also fail on demand: 5xx, hangs, connection resets and
// latency.
//
// For bot scenario tests, updates go in (PushIncoming, PushMessage,
// PushEdited, PushCallback, Press, PushMyChatMember; getUpdates returns
// them, or PostWebhook posts them to a webhook handler) and every call
// comes out recorded (Calls, WaitCalls, WaitCall; Messages for what the
// bot sent, with their keyboards).
package faketelegram

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/heraldhq/herald/internal/testutil/fakehttp"
)

// DefaultToken is the bot token the fake accepts when Config.Token is empty.
// It is long and distinctive so that tests can search logs and errors for it.
const DefaultToken = "4242424242:AAFakeTokenThatMustNeverLeak_0123456789"

// Config describes the fake's bot and the chats it knows.
type Config struct {
	// Token is the only bot token accepted (default DefaultToken).
	Token string
	// Chats are the chats the bot is a member of.
	Chats []Chat
	// Limits are the rate limits enforced (zero value: Telegram's).
	Limits Limits
}

// Chat is a chat the fake knows.
type Chat struct {
	// ID is the chat id; negative for groups, supergroups and channels.
	ID int64
	// Username makes the chat addressable as "@Username".
	Username string
	// Type is "private", "group", "supergroup" or "channel" (default:
	// private for positive ids, supergroup for negative ones).
	Type string
	// Topics are the message_thread_id values of the forum's topics.
	Topics []int64
	// Blocked makes every call answer 403, as when the user blocked the bot
	// or the bot was removed from the group.
	Blocked bool
	// MigrateTo makes every call answer 400 with parameters.migrate_to_chat_id,
	// as Telegram does after a group was upgraded to a supergroup.
	MigrateTo int64
}

func (c *Chat) kind() string {
	switch {
	case c.Type != "":
		return c.Type
	case c.ID < 0:
		return "supergroup"
	}
	return "private"
}

// Server is a running fake Bot API. It is safe for concurrent use.
type Server struct {
	srv    *fakehttp.Server
	token  string
	faults fakehttp.Faults
	msgs   *fakehttp.Log[Message]
	calls  *callLog

	mu         sync.Mutex
	chats      map[int64]*Chat
	limits     *limiter
	nextID     map[int64]int64
	byID       map[msgKey]*Message
	stats      Stats
	chatFaults map[int64]fakehttp.Fault
	bot        botState
}

// New starts a fake Bot API on a loopback port; it is closed when the test ends.
func New(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	s := &Server{
		token:      cfg.Token,
		msgs:       fakehttp.NewLog("faketelegram", "messages", (*Message).clone),
		calls:      &callLog{changed: make(chan struct{})},
		chats:      map[int64]*Chat{},
		limits:     newLimiter(cfg.Limits),
		nextID:     map[int64]int64{},
		byID:       map[msgKey]*Message{},
		stats:      Stats{Calls: map[string]int{}},
		chatFaults: map[int64]fakehttp.Fault{},
		bot:        newBotState(),
	}
	if s.token == "" {
		s.token = DefaultToken
	}
	for _, c := range cfg.Chats {
		s.AddChat(c)
	}
	s.srv = fakehttp.NewServer(tb, http.HandlerFunc(s.serveHTTP))
	return s
}

// URL is the base URL to configure as Herald's api_url.
func (s *Server) URL() string { return s.srv.URL }

// Token is the bot token the fake accepts.
func (s *Server) Token() string { return s.token }

// AddChat adds (or replaces) a chat.
func (s *Server) AddChat(c Chat) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.Topics = append([]int64(nil), c.Topics...)
	s.chats[c.ID] = &c
}

// Close stops the server. Hanging requests are released first, because
// httptest.Server.Close waits for every request to finish.
func (s *Server) Close() { s.srv.Close() }

// apiError is an error answer of the Bot API.
type apiError struct {
	code       int
	desc       string
	retryAfter int
	migrateTo  int64
}

func badRequest(desc string) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + desc}
}

// serveHTTP routes /bot<token>/<method> like api.telegram.org.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if s.faults.Apply(w, r) {
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	switch {
	case !ok || !ok2 || method == "":
		s.reply(w, method, nil, nil, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	case token != s.token:
		s.reply(w, method, nil, nil, &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"})
		return
	}
	h, ok := s.handler(strings.ToLower(method))
	if !ok && !strings.EqualFold(method, "getUpdates") {
		s.reply(w, method, nil, nil, &apiError{code: http.StatusNotFound, desc: "Not Found: method not found"})
		return
	}
	p, aerr := readParams(r)
	if aerr != nil {
		s.reply(w, method, nil, nil, aerr)
		return
	}
	if f := s.chatFault(p); f != nil {
		s.faults.Inject(w, r, f)
		return
	}
	if h == nil {
		// A long poll waits without holding s.mu.
		s.getUpdates(w, r, p)
		return
	}
	s.mu.Lock()
	result, aerr := h(p)
	s.mu.Unlock()
	s.reply(w, method, p, result, aerr)
}

// reply writes Telegram's answer envelope, counts it and records the call
// with its parameters p (nil when they could not be read).
func (s *Server) reply(w http.ResponseWriter, method string, p *params, result any, aerr *apiError) {
	s.record(method, p, aerr)
	s.mu.Lock()
	s.stats.Calls[method]++
	switch {
	case aerr == nil:
		s.stats.OK++
	case aerr.code == http.StatusTooManyRequests:
		s.stats.TooManyRequests++
	default:
		s.stats.Errors++
	}
	s.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")
	if aerr == nil {
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
		return
	}
	body := map[string]any{"ok": false, "error_code": aerr.code, "description": aerr.desc}
	switch {
	case aerr.retryAfter > 0:
		body["parameters"] = map[string]any{"retry_after": aerr.retryAfter}
	case aerr.migrateTo != 0:
		body["parameters"] = map[string]any{"migrate_to_chat_id": aerr.migrateTo}
	}
	w.WriteHeader(aerr.code)
	_ = json.NewEncoder(w).Encode(body)
}
