package fakediscord

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a test's clock, moved by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestWebhookBucket(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	s := New(t, Config{Limits: Limits{Window: 300 * time.Millisecond}, Now: clk.Now})
	for i := range 5 {
		a := postJSON(t, waitURL(s), map[string]any{"content": "x"})
		if a.status != 200 || a.header.Get("X-RateLimit-Remaining") != fmt.Sprint(4-i) {
			t.Fatalf("request %d: %d remaining %s", i, a.status, a.header.Get("X-RateLimit-Remaining"))
		}
	}
	a := postJSON(t, waitURL(s), map[string]any{"content": "x"})
	ra, _ := a.body["retry_after"].(float64)
	if a.status != 429 || ra <= 0 || ra > 0.3 || a.body["global"] != false || a.header.Get("Retry-After") != "1" ||
		a.header.Get("X-RateLimit-Scope") != "user" || a.body["message"] != "You are being rate limited." {
		t.Fatalf("%d %v %v", a.status, a.header, a.body)
	}
	clk.Advance(time.Duration(ra*1000) * time.Millisecond)
	if a := postJSON(t, waitURL(s), map[string]any{"content": "x"}); a.status != 200 {
		t.Fatalf("after the reset: %d", a.status)
	}
	if st := s.Stats(); st.TooManyRequests != 1 || st.Posts != 6 {
		t.Fatalf("%+v", st)
	}
}

func TestChannelLimitAndForcedRateLimit(t *testing.T) {
	t.Parallel()
	s := New(t, Config{Limits: Limits{PerWebhook: 100, PerChannel: 3, ChannelWindow: time.Minute}})
	for range 3 {
		postJSON(t, waitURL(s), map[string]any{"content": "x"})
	}
	if a := postJSON(t, waitURL(s), map[string]any{"content": "x"}); a.status != 429 || a.header.Get("X-RateLimit-Scope") != "shared" {
		t.Fatalf("%d %v", a.status, a.header)
	}
	s.RateLimitNext(1500*time.Millisecond, true)
	a := postJSON(t, waitURL(s), map[string]any{"content": "x"})
	if a.status != 429 || a.body["global"] != true || a.body["retry_after"] != 1.5 || a.header.Get("X-RateLimit-Global") != "true" {
		t.Fatalf("%d %v %v", a.status, a.header, a.body)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	s := New(t, Config{})
	s.FailNext(1, FaultInternal)
	if a := postJSON(t, waitURL(s), map[string]any{"content": "x"}); a.status != 500 {
		t.Fatalf("%d", a.status)
	}
	s.FailNext(1, FaultBadGateway)
	resp, err := http.Post(waitURL(s), "application/json", strings.NewReader(`{"content":"x"}`))
	if err != nil || resp.StatusCode != 502 {
		t.Fatalf("%v %v", resp, err)
	}
	resp.Body.Close()
	s.FailNext(1, FaultReset)
	if _, err := http.Post(waitURL(s), "application/json", strings.NewReader(`{"content":"x"}`)); err == nil {
		t.Fatal("reset: no error")
	}
	s.FailNext(1, FaultHang)
	c := &http.Client{Timeout: 200 * time.Millisecond}
	if _, err := c.Post(waitURL(s), "application/json", strings.NewReader(`{"content":"x"}`)); err == nil {
		t.Fatal("hang: no error")
	}
	if st := s.Stats(); st.Injected != 4 || len(s.Messages()) != 0 {
		t.Fatalf("%+v", st)
	}
	if _, err := s.WaitMessages(1, 50*time.Millisecond); err == nil {
		t.Fatal("WaitMessages: no error without messages")
	}
}
