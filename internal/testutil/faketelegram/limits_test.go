package faketelegram

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRateLimitPerChat(t *testing.T) {
	s := newTestServer(t, Limits{})
	for i := range 3 {
		if a := send(t, s, userChat, "x"); !a.OK {
			t.Fatalf("message %d of the burst: %+v", i, a)
		}
	}
	a := send(t, s, userChat, "x")
	if a.Status != 429 || a.Parameters.RetryAfter != 1 || a.Description != "Too Many Requests: retry after 1" {
		t.Fatalf("4th message: %+v", a)
	}
	// Another chat has its own allowance.
	if a := send(t, s, groupChat, "x"); !a.OK {
		t.Errorf("other chat: %+v", a)
	}
	if st := s.Stats(); st.TooManyRequests != 1 || st.OK != 4 || st.Calls["sendMessage"] != 5 {
		t.Errorf("stats = %+v", st)
	}
}

func TestRateLimitGroupWindow(t *testing.T) {
	s := newTestServer(t, Limits{PerChat: 1000, PerChatBurst: 1000, GroupMessages: 5})
	for range 5 {
		if a := send(t, s, groupChat, "x"); !a.OK {
			t.Fatalf("within the group allowance: %+v", a)
		}
	}
	a := send(t, s, groupChat, "x")
	if a.Status != 429 || a.Parameters.RetryAfter < 59 || a.Parameters.RetryAfter > 60 {
		t.Fatalf("6th group message: %+v", a)
	}
	// Private chats have no per-minute window.
	for range 6 {
		if a := send(t, s, userChat, "x"); !a.OK {
			t.Fatalf("private chat: %+v", a)
		}
	}
}

func TestRateLimitGlobal(t *testing.T) {
	s := New(t, Config{Limits: Limits{PerChat: 1000, PerChatBurst: 1000, Global: 4}})
	for i := range 10 {
		s.AddChat(Chat{ID: int64(i + 1)})
	}
	limited := 0
	for i := range 10 {
		if a := send(t, s, i+1, "x"); a.Status == 429 {
			limited++
		}
	}
	if limited != 6 {
		t.Errorf("%d of 10 messages limited with a global allowance of 4/s, want 6", limited)
	}
}

func TestFaults(t *testing.T) {
	s := newTestServer(t, Limits{Unlimited: true})
	s.FailNext(1, FaultInternal)
	if a := send(t, s, userChat, "x"); a.Status != 500 {
		t.Errorf("FaultInternal: %+v", a)
	}
	s.FailNext(1, FaultBadGateway)
	resp := post(t, s, context.Background())
	if resp == nil || resp.StatusCode != 502 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("FaultBadGateway: %+v", resp)
	}
	s.FailNext(1, FaultReset)
	if resp := post(t, s, context.Background()); resp != nil {
		t.Errorf("FaultReset answered %d", resp.StatusCode)
	}
	s.FailNext(1, FaultHang)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if resp := post(t, s, ctx); resp != nil || !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Errorf("FaultHang answered")
	}
	s.FailChat(groupChat, FaultInternal)
	if a := send(t, s, "@alerts", "x"); a.Status != 500 {
		t.Errorf("FailChat: %+v", a)
	}
	if a := send(t, s, userChat, "x"); !a.OK {
		t.Errorf("other chat during FailChat: %+v", a)
	}
	s.ClearFaults()
	if a := send(t, s, groupChat, "x"); !a.OK {
		t.Errorf("after ClearFaults: %+v", a)
	}
	if st := s.Stats(); st.Injected != 5 || st.Requests != 7 {
		t.Errorf("stats = %+v", st)
	}
}

func post(t *testing.T, s *Server, ctx context.Context) *http.Response {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+"/bot"+s.Token()+"/sendMessage",
		strings.NewReader(`{"chat_id":111,"text":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil
	}
	resp.Body.Close()
	return resp
}

func TestLatencyAndConcurrency(t *testing.T) {
	s := newTestServer(t, Limits{Unlimited: true})
	s.SetLatency(50 * time.Millisecond)
	start := time.Now()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { send(t, s, userChat, "x") })
	}
	msgs, err := s.WaitMessages(20, 5*time.Second)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("answers took %v with 50ms latency", d)
	}
	seen := map[int64]bool{}
	for _, m := range msgs {
		if seen[m.ID] {
			t.Errorf("message id %d given twice", m.ID)
		}
		seen[m.ID] = true
	}
}
