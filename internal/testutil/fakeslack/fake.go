// Package fakeslack is a strict fake of Slack for tests: incoming webhooks
// and the Web API methods Herald uses (chat.postMessage, chat.update,
// files.getUploadURLExternal, the upload URL, files.completeUploadExternal).
// It checks what Slack checks — the token, the channel and the app's
// membership, Block Kit structure and limits, the exact byte length of an
// upload, thread and update targets, rate limits (answering 429 with
// Retry-After) — and answers the way Slack answers: Web API errors as
// HTTP 200 with {"ok":false,"error":…}, webhook errors as a plain-text
// code with a 4xx status. It records what it accepted and can fail on
// demand: 5xx, hangs, connection resets, latency and any error code.
package fakeslack

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakehttp"
)

// DefaultToken is the bot token the fake accepts when Config.Token is empty,
// followed by a random suffix per fake (see Server.Token). It is long and
// distinctive so that tests can search logs and errors for it.
const DefaultToken = "xoxb-4242424242-FakeTokenThatMustNeverLeak"

// webhookPrefix is the path of incoming webhooks, as on hooks.slack.com.
const webhookPrefix = "/services/"

// Config describes the fake workspace.
type Config struct {
	// Token is the only bot token accepted (default DefaultToken plus a
	// random suffix).
	Token string
	// Channels are the workspace's channels.
	Channels []Channel
	// WebhookChannel is the id of the channel the incoming webhook posts
	// to (default: the first channel).
	WebhookChannel string
	// Limits are the rate limits enforced (zero value: Slack's).
	Limits Limits
}

// Channel is a channel of the fake workspace.
type Channel struct {
	// ID is the channel id (C0123ABCD).
	ID string
	// Name is the channel name without "#"; chat.postMessage takes it too.
	Name string
	// NotMember makes calls answer not_in_channel, as when the app was not
	// invited.
	NotMember bool
	// Archived makes calls answer is_archived (channel_is_archived with
	// 410 for the webhook).
	Archived bool
}

// Server is a running fake Slack. It is safe for concurrent use.
type Server struct {
	srv         *fakehttp.Server
	token       string
	webhookPath string
	hookChannel string
	faults      fakehttp.Faults
	msgs        *fakehttp.Log[Message]
	shared      *fakehttp.Log[File] // completed uploads

	mu       sync.Mutex
	channels map[string]*Channel
	limits   *limiter
	seq      int64
	byTS     map[string]*Message // channel + "/" + ts
	files    map[string]*File
	uploads  map[string]*File // upload path -> pending file
	stats    Stats
	calls    callFaults
}

// New starts a fake Slack on a loopback port; it is closed when the test
// ends.
func New(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	s := &Server{
		token:       cfg.Token,
		webhookPath: webhookPrefix + "T0FAKE/B0FAKE/" + randomHex(12),
		msgs:        fakehttp.NewLog("fakeslack", "messages", (*Message).clone),
		shared:      fakehttp.NewLog("fakeslack", "files", (*File).clone),
		channels:    map[string]*Channel{},
		limits:      newLimiter(cfg.Limits),
		byTS:        map[string]*Message{},
		files:       map[string]*File{},
		uploads:     map[string]*File{},
		stats:       Stats{Calls: map[string]int{}},
	}
	if s.token == "" {
		s.token = DefaultToken + "-" + randomHex(6)
	}
	for _, c := range cfg.Channels {
		s.AddChannel(c)
	}
	s.hookChannel = cfg.WebhookChannel
	if s.hookChannel == "" && len(cfg.Channels) > 0 {
		s.hookChannel = cfg.Channels[0].ID
	}
	s.srv = fakehttp.NewServer(tb, http.HandlerFunc(s.serveHTTP))
	return s
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// URL is the Web API base URL to configure as Herald's api_url.
func (s *Server) URL() string { return s.srv.URL + "/api" }

// WebhookURL is the incoming webhook's URL; its path is the secret.
func (s *Server) WebhookURL() string { return s.srv.URL + s.webhookPath }

// Token is the bot token the fake accepts.
func (s *Server) Token() string { return s.token }

// AddChannel adds (or replaces) a channel.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[c.ID] = &c
}

// Close stops the server. Hanging requests are released first, because
// httptest.Server.Close waits for every request to finish.
func (s *Server) Close() { s.srv.Close() }

// serveHTTP routes a request like slack.com, hooks.slack.com and
// files.slack.com together.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if s.faults.Apply(w, r) {
		return
	}
	switch {
	case strings.HasPrefix(r.URL.Path, webhookPrefix):
		s.serveWebhook(w, r)
	case strings.HasPrefix(r.URL.Path, "/api/"):
		s.serveAPI(w, r, strings.TrimPrefix(r.URL.Path, "/api/"))
	case strings.HasPrefix(r.URL.Path, uploadPrefix):
		s.serveUpload(w, r)
	default:
		http.NotFound(w, r)
	}
}

// apiError is an error answer of the Web API.
type apiError struct {
	code     string
	status   int // 0: 200
	messages []string
	retry    time.Duration
}

func fail(code string, messages ...string) *apiError {
	return &apiError{code: code, messages: messages}
}

// replyAPI writes the Web API's envelope and counts it.
func (s *Server) replyAPI(w http.ResponseWriter, method string, result map[string]any, aerr *apiError, warning string) {
	s.count(method, aerr)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	body := map[string]any{"ok": aerr == nil}
	for k, v := range result {
		body[k] = v
	}
	if warning != "" {
		body["warning"] = warning
	}
	status := http.StatusOK
	if aerr != nil {
		body["error"] = aerr.code
		if len(aerr.messages) > 0 {
			body["response_metadata"] = map[string]any{"messages": aerr.messages}
		}
		if aerr.retry > 0 {
			w.Header().Set("Retry-After", retryAfter(aerr.retry))
		}
		if aerr.status != 0 {
			status = aerr.status
		}
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// count records an answer in the stats.
func (s *Server) count(method string, aerr *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Calls[method]++
	switch {
	case aerr == nil:
		s.stats.OK++
	case aerr.status == http.StatusTooManyRequests:
		s.stats.TooManyRequests++
	default:
		s.stats.Errors++
	}
}
