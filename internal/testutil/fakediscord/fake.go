// Package fakediscord is a strict fake of Discord's webhook API for tests.
// It checks what Discord checks — webhook ids and tokens, embed limits and
// the 6000-character total, multipart bodies with payload_json and
// files[n], attachment:// references, edits of existing messages only —
// answers with Discord's JSON errors and X-RateLimit-* headers, refuses
// requests over its rate limits with Discord's 429 body, and records what
// it accepted. It can also fail on demand: 5xx, hangs, connection resets,
// latency and forced 429s.
package fakediscord

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakehttp"
)

// The webhook a fake knows when Config.Webhooks is empty. The token is long
// and distinctive so that tests can search logs and errors for it.
const (
	DefaultID        = "1180000000000000001"
	DefaultToken     = "FakeWebhookToken_MustNeverLeak-0123456789abcdefghijklmnopqrstuvwxyzABCDEF"
	DefaultChannelID = "1170000000000000007"
)

// Config describes the webhooks a fake knows and its limits.
type Config struct {
	// Webhooks are the webhooks that exist (default: one, DefaultID).
	Webhooks []Webhook
	// Limits are the rate limits enforced (zero value: Discord's).
	Limits Limits
	// Now is the fake's clock (default time.Now): of its rate limits and
	// of the times it records, so that a test of the limits can move time
	// on instead of sleeping.
	Now func() time.Time
}

// Webhook is a webhook the fake knows.
type Webhook struct {
	ID, Token string
	// ChannelID is the channel the webhook posts in (default DefaultChannelID).
	ChannelID string
	// Threads are the ids of the channel's threads (thread_id).
	Threads []string
}

// Server is a running fake webhook API. It is safe for concurrent use.
type Server struct {
	srv    *fakehttp.Server
	faults fakehttp.Faults
	msgs   *fakehttp.Log[Message]
	now    func() time.Time

	mu       sync.Mutex
	hooks    map[string]*Webhook
	limits   *limiter
	nextID   int64
	byID     map[string]*Message
	stats    Stats
	requests []Request
}

// New starts a fake on a loopback port; it is closed when the test ends.
func New(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	s := &Server{
		msgs:   fakehttp.NewLog("fakediscord", "messages", (*Message).clone),
		hooks:  map[string]*Webhook{},
		limits: newLimiter(cfg.Limits),
		nextID: 1190000000000000000,
		byID:   map[string]*Message{},
		now:    cfg.Now,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if len(cfg.Webhooks) == 0 {
		cfg.Webhooks = []Webhook{{ID: DefaultID, Token: DefaultToken}}
	}
	for _, w := range cfg.Webhooks {
		if w.ChannelID == "" {
			w.ChannelID = DefaultChannelID
		}
		s.hooks[w.ID] = &w
	}
	s.srv = fakehttp.NewServer(tb, http.HandlerFunc(s.serveHTTP))
	return s
}

// URL is the execute URL of the default webhook, as Discord's "Copy Webhook
// URL" gives it.
func (s *Server) URL() string { return s.WebhookURL(DefaultID) }

// WebhookURL is the execute URL of the webhook id (with its token).
func (s *Server) WebhookURL(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.hooks[id]
	if !ok {
		return s.srv.URL + "/api/webhooks/" + id + "/unknown"
	}
	return s.srv.URL + "/api/webhooks/" + w.ID + "/" + w.Token
}

// Token is the token of the default webhook.
func (s *Server) Token() string { return DefaultToken }

// Close stops the server; hanging requests are released first, because
// httptest.Server.Close waits for every request to finish.
func (s *Server) Close() { s.srv.Close() }

// route matches Discord's webhook routes, with or without an API version.
var route = regexp.MustCompile(`^/api(?:/v[0-9]+)?/webhooks/([^/]+)/([^/]+)(?:/messages/([^/]+))?/?$`)

// apiError is an error answer: Discord's {"code", "message", "errors"}.
type apiError struct {
	status  int
	code    int
	message string
	errors  map[string]any
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %d %s", e.status, e.code, e.message) }

func notFound(code int, msg string) *apiError {
	return &apiError{status: http.StatusNotFound, code: code, message: msg}
}

// serveHTTP authenticates, rate-limits, then handles a request.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if s.faults.Apply(w, r) {
		return
	}
	m := route.FindStringSubmatch(r.URL.Path)
	if m == nil {
		s.reply(w, r, nil, nil, &apiError{status: http.StatusNotFound, code: 0, message: "404: Not Found"})
		return
	}
	s.mu.Lock()
	hook, ok := s.hooks[m[1]]
	s.mu.Unlock()
	switch {
	case !ok:
		s.reply(w, r, nil, nil, notFound(10015, "Unknown Webhook"))
		return
	case m[2] != hook.Token:
		s.reply(w, r, nil, nil, &apiError{status: http.StatusUnauthorized, code: 50027, message: "Invalid Webhook Token"})
		return
	}
	var allowed bool
	switch {
	case m[3] == "" && r.Method == http.MethodPost, m[3] != "" && r.Method == http.MethodPatch:
		allowed = true
	}
	if !allowed {
		s.reply(w, r, hook, nil, &apiError{status: http.StatusMethodNotAllowed, message: "405: Method Not Allowed"})
		return
	}
	if rl := s.limit(hook, r.Method == http.MethodPost); rl != nil {
		s.tooMany(w, r, hook, rl)
		return
	}
	req, aerr := readRequest(r)
	if aerr != nil {
		s.reply(w, r, hook, nil, aerr)
		return
	}
	var msg *Message
	s.mu.Lock()
	if m[3] == "" {
		msg, aerr = s.create(hook, r, req)
	} else {
		msg, aerr = s.edit(hook, m[3], r, req)
	}
	var body map[string]any
	if msg != nil {
		body = msg.object(s.now())
	}
	s.mu.Unlock()
	if aerr == nil && r.Method == http.MethodPost && r.URL.Query().Get("wait") != "true" {
		// Discord answers 204 without the message unless asked to wait.
		s.count(r, http.StatusNoContent)
		s.setLimitHeaders(w, hook)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	s.reply(w, r, hook, body, aerr)
}

// reply writes a JSON answer (a message object or an error) with the
// webhook's rate-limit headers, and counts it.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, hook *Webhook, body map[string]any, aerr *apiError) {
	status := http.StatusOK
	if aerr != nil {
		status = aerr.status
		body = map[string]any{"code": aerr.code, "message": aerr.message}
		if aerr.errors != nil {
			body["errors"] = aerr.errors
		}
	}
	s.count(r, status)
	if hook != nil {
		s.setLimitHeaders(w, hook)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// count records the answer to r.
func (s *Server) count(r *http.Request, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case status/100 == 2:
		s.stats.OK++
		if r.Method == http.MethodPost {
			s.stats.Posts++
		} else {
			s.stats.Edits++
		}
		if status == http.StatusNoContent {
			s.stats.NoWait++
		}
	case status == http.StatusTooManyRequests:
		s.stats.TooManyRequests++
	default:
		s.stats.Errors++
	}
	// Recorded without the token, so that tests can print requests.
	path := r.URL.Path
	if m := route.FindStringSubmatch(path); m != nil {
		path = "/api/webhooks/" + m[1] + "/<token>"
		if m[3] != "" {
			path += "/messages/" + m[3]
		}
	}
	s.requests = append(s.requests, Request{Method: r.Method, Path: path, Query: r.URL.RawQuery, Status: status, At: s.now()})
}

// newID returns the next snowflake-like id; the caller holds s.mu.
func (s *Server) newID() string {
	s.nextID++
	return strconv.FormatInt(s.nextID, 10)
}
