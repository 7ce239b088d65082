// Package fakemattermost is a strict fake of a Mattermost server's
// incoming webhooks for tests. It checks what Mattermost checks, and more
// where Herald promises more: the payload's schema (unknown keys refused,
// the types of attachment fields, the colour's format, http(s) URLs, a
// title for a title_link), the channel override, the size of the text and
// of the props, and the API rate limit (429 with Retry-After and
// X-RateLimit-* headers, as server/channels/app/ratelimit.go answers).
// It answers like Mattermost: "ok" with 200, errors as AppError JSON
// ({"id":…,"message":…,"status_code":…}). It records the posts it
// accepted and says what a client would show of them (see Markup): links,
// images, mentions, channel links, hashtags, emoji and formatting.
package fakemattermost

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakehttp"
)

// Defaults of Config.
const (
	// DefaultMaxPostSize is Mattermost's post size since 5.0
	// (model.PostMessageMaxRunesV2).
	DefaultMaxPostSize = 16383
	// MaxPropsRunes is model.PostPropsMaxUserRunes.
	MaxPropsRunes = 760000
	// maxBody bounds what the fake reads of a request.
	maxBody = 8 << 20
)

// Config describes the fake server.
type Config struct {
	// Channels are the team's channel names; the webhook posts to the
	// first one (default "town-square").
	Channels []string
	// Locked locks the webhook to its channel: a channel override is
	// refused, as with "Lock to this channel".
	Locked bool
	// MaxPostSize is the longest text, in runes, of the message and (the
	// fake is stricter than the server, which would take more) of each
	// attachment (default DefaultMaxPostSize).
	MaxPostSize int
	// Limits are the API rate limits (zero value: Mattermost's defaults
	// when rate limiting is on).
	Limits Limits
}

// Server is a running fake. It is safe for concurrent use.
type Server struct {
	srv      *fakehttp.Server
	key      string
	cfg      Config
	faults   fakehttp.Faults
	posts    *fakehttp.Log[Post]
	mu       sync.Mutex
	limiter  *limiter
	channels map[string]bool
	planned  []*AppError
	stats    Stats
}

// New starts a fake Mattermost on a loopback port; it is closed when the
// test ends.
func New(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	if len(cfg.Channels) == 0 {
		cfg.Channels = []string{"town-square"}
	}
	if cfg.MaxPostSize <= 0 {
		cfg.MaxPostSize = DefaultMaxPostSize
	}
	s := &Server{
		key:      newID(),
		cfg:      cfg,
		posts:    fakehttp.NewLog("fakemattermost", "posts", (*Post).clone),
		limiter:  newLimiter(cfg.Limits),
		channels: map[string]bool{},
	}
	for _, c := range cfg.Channels {
		s.channels[c] = true
	}
	s.srv = fakehttp.NewServer(tb, http.HandlerFunc(s.serveHTTP))
	return s
}

// newID is a Mattermost id: 26 lowercase letters and digits.
func newID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 26)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// URL is the server's base URL.
func (s *Server) URL() string { return s.srv.URL }

// WebhookURL is the incoming webhook's URL; its key is the secret.
func (s *Server) WebhookURL() string { return s.srv.URL + "/hooks/" + s.key }

// Key is the webhook's key.
func (s *Server) Key() string { return s.key }

// Close stops the server, releasing hanging requests first.
func (s *Server) Close() { s.srv.Close() }

// serveHTTP answers POST /hooks/{key}, after the planned faults.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if s.faults.Apply(w, r) {
		return
	}
	key, ok := strings.CutPrefix(r.URL.Path, "/hooks/")
	if !ok || r.Method != http.MethodPost {
		s.reply(w, nil, appErr(http.StatusNotFound, "api.context.404.app_error", "Sorry, we could not find the page."))
		return
	}
	now := time.Now()
	s.mu.Lock()
	limited := s.limiter.allow(w.Header(), now)
	s.mu.Unlock()
	if limited {
		s.count(http.StatusTooManyRequests)
		http.Error(w, "limit exceeded", http.StatusTooManyRequests)
		return
	}
	if key != s.key {
		s.reply(w, nil, appErr(http.StatusBadRequest, "web.incoming_webhook.invalid.app_error", "Invalid webhook."))
		return
	}
	if e := s.plannedError(); e != nil {
		s.reply(w, nil, e)
		return
	}
	p, aerr := s.read(r)
	if aerr == nil {
		aerr = s.accept(p, now)
	}
	s.reply(w, p, aerr)
}

// AppError is Mattermost's error answer (model.AppError).
type AppError struct {
	ID         string `json:"id"`
	Message    string `json:"message"`
	Detailed   string `json:"detailed_error"`
	RequestID  string `json:"request_id"`
	StatusCode int    `json:"status_code"`
}

func appErr(status int, id, msg string) *AppError {
	return &AppError{ID: id, Message: msg, StatusCode: status, RequestID: newID()}
}

// reply writes "ok" or the error, and counts it.
func (s *Server) reply(w http.ResponseWriter, _ *Post, e *AppError) {
	if e == nil {
		s.count(http.StatusOK)
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok"))
		return
	}
	s.count(e.StatusCode)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.StatusCode)
	_ = json.NewEncoder(w).Encode(e)
}

// accept checks the channel and records p; it returns the error to answer.
func (s *Server) accept(p *Post, now time.Time) *AppError {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case p.Channel == "":
		p.Channel = s.cfg.Channels[0]
	case s.cfg.Locked && p.Channel != s.cfg.Channels[0]:
		return appErr(http.StatusForbidden, "web.incoming_webhook.channel_locked.app_error", "This webhook is not permitted to post to the requested channel.")
	case strings.HasPrefix(p.Channel, "@"):
		// A direct message to a user: the fake knows every user.
	case !s.channels[p.Channel]:
		return appErr(http.StatusNotFound, "web.incoming_webhook.channel.app_error", "Couldn't find the channel.")
	}
	p.Date = now
	s.posts.Add(p)
	return nil
}
