package fakediscord

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakehttp"
)

// Limits are the rate limits the fake enforces. Discord does not document
// its webhook limits; the defaults are what webhooks are seen to get: a
// bucket of 5 requests per 2 seconds per webhook (posts and edits alike,
// announced in X-RateLimit-* headers) and 30 messages a minute per channel.
type Limits struct {
	// PerWebhook is the size of a webhook's bucket (default 5).
	PerWebhook int
	// Window is how long after its first request a bucket resets (default 2s).
	Window time.Duration
	// PerChannel is how many messages a channel takes in any ChannelWindow
	// (default 30).
	PerChannel int
	// ChannelWindow is the sliding window of PerChannel (default 1 minute).
	ChannelWindow time.Duration
	// Unlimited turns rate limiting off; the headers then always show a
	// full bucket.
	Unlimited bool
}

func (l Limits) withDefaults() Limits {
	if l.PerWebhook <= 0 {
		l.PerWebhook = 5
	}
	if l.Window <= 0 {
		l.Window = 2 * time.Second
	}
	if l.PerChannel <= 0 {
		l.PerChannel = 30
	}
	if l.ChannelWindow <= 0 {
		l.ChannelWindow = time.Minute
	}
	return l
}

// bucket is a webhook's fixed-window bucket, as Discord reports it.
type bucket struct {
	used  int
	reset time.Time
}

// limiter applies Limits; guarded by Server.mu.
type limiter struct {
	cfg      Limits
	buckets  map[string]*bucket
	channels map[string]*fakehttp.Window
}

func newLimiter(cfg Limits) *limiter {
	return &limiter{cfg: cfg.withDefaults(), buckets: map[string]*bucket{}, channels: map[string]*fakehttp.Window{}}
}

// rateLimited is a refusal: how long to wait, and its scope.
type rateLimited struct {
	wait   time.Duration
	scope  string
	global bool
}

// limit admits one request of hook (a new message when post) or refuses
// it. A refused request takes nothing from the bucket.
func (s *Server) limit(hook *Webhook, post bool) *rateLimited {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, now := s.limits, s.now()
	b := l.bucketOf(hook.ID, now)
	if l.cfg.Unlimited {
		return nil // and the headers keep saying so
	}
	if b.used >= l.cfg.PerWebhook {
		return &rateLimited{wait: b.reset.Sub(now), scope: "user"}
	}
	if post {
		window := l.channels[hook.ChannelID]
		if window == nil {
			window = &fakehttp.Window{N: l.cfg.PerChannel, Per: l.cfg.ChannelWindow}
			l.channels[hook.ChannelID] = window
		}
		if wait := window.Wait(now); wait > 0 {
			return &rateLimited{wait: wait, scope: "shared"}
		}
		window.Add(now)
	}
	b.used++
	return nil
}

// bucketOf returns the bucket of webhook id, reset when its window is over.
func (l *limiter) bucketOf(id string, now time.Time) *bucket {
	b := l.buckets[id]
	if b == nil || !now.Before(b.reset) {
		b = &bucket{reset: now.Add(l.cfg.Window)}
		l.buckets[id] = b
	}
	return b
}

// setLimitHeaders writes the X-RateLimit-* headers of hook's bucket
// (https://discord.com/developers/docs/topics/rate-limits#header-format).
func (s *Server) setLimitHeaders(w http.ResponseWriter, hook *Webhook) {
	s.mu.Lock()
	l, now := s.limits, s.now()
	b := l.bucketOf(hook.ID, now)
	remaining := max(l.cfg.PerWebhook-b.used, 0)
	resetAfter := b.reset.Sub(now)
	s.mu.Unlock()
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(l.cfg.PerWebhook))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", fmt.Sprintf("%.3f", float64(b.reset.UnixMilli())/1000))
	h.Set("X-RateLimit-Reset-After", fmt.Sprintf("%.3f", resetAfter.Seconds()))
	h.Set("X-RateLimit-Bucket", "fakebucket"+hook.ID)
}

// tooMany answers 429 the way Discord does: Retry-After in whole seconds,
// X-RateLimit-Scope, and the JSON body with retry_after in seconds with
// decimals
// (https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit).
func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, hook *Webhook, rl *rateLimited) {
	s.count(r, http.StatusTooManyRequests)
	if hook != nil {
		s.setLimitHeaders(w, hook)
	}
	wait := max(rl.wait, time.Millisecond)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	h.Set("X-RateLimit-Scope", rl.scope)
	if rl.global {
		h.Set("X-RateLimit-Global", "true")
	}
	w.WriteHeader(http.StatusTooManyRequests)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"message":     "You are being rate limited.",
		"retry_after": math.Round(wait.Seconds()*1000) / 1000,
		"global":      rl.global,
	})
}
