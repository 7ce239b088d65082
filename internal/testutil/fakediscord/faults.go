package fakediscord

import (
	"net/http"
	"strconv"
	"time"
)

// FaultKind is a failure the fake can inject instead of answering.
type FaultKind int

// The failures a fake can inject.
const (
	// FaultNone answers normally.
	FaultNone FaultKind = iota
	// FaultInternal answers 500 with Discord's JSON error.
	FaultInternal
	// FaultBadGateway answers 502 with an HTML page, as Cloudflare in front
	// of the API does: the body is not JSON.
	FaultBadGateway
	// FaultHang never answers; the request ends when the client gives up.
	FaultHang
	// FaultReset closes the connection without an answer.
	FaultReset
	// FaultRateLimited answers 429 with Discord's body, whatever the
	// bucket says (see RateLimitNext).
	FaultRateLimited
)

// fault is one planned failure.
type fault struct {
	kind       FaultKind
	retryAfter time.Duration
	global     bool
}

// faults is the failure plan; guarded by Server.mu.
type faults struct {
	next    []fault
	latency time.Duration
}

// FailNext makes the next n requests fail with k, before any check.
func (s *Server) FailNext(n int, k FaultKind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults.next = append(s.faults.next, fault{kind: k, retryAfter: time.Second})
	}
}

// RateLimitNext makes the next request answer 429 with retry_after (and
// "global": true when global), as Discord does when another client of the
// same webhook or IP used the bucket up.
func (s *Server) RateLimitNext(retryAfter time.Duration, global bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.next = append(s.faults.next, fault{kind: FaultRateLimited, retryAfter: retryAfter, global: global})
}

// ClearFaults removes every planned failure and the latency.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = faults{}
}

// SetLatency delays every answer by d.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.latency = d
}

// takeFault counts a request and returns the fault planned for it.
func (s *Server) takeFault() (fault, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Requests++
	f := fault{}
	if len(s.faults.next) > 0 {
		f = s.faults.next[0]
		s.faults.next = s.faults.next[1:]
	}
	return f, s.faults.latency
}

// inject fails the request with f.
func (s *Server) inject(w http.ResponseWriter, r *http.Request, f fault) {
	s.mu.Lock()
	s.stats.Injected++
	s.mu.Unlock()
	switch f.kind {
	case FaultInternal:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"message": "500: Internal Server Error", "code": 0}`))
	case FaultBadGateway:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>"))
	case FaultHang:
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
	case FaultReset:
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("fakediscord: connection cannot be hijacked")
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			conn.Close()
		}
	case FaultRateLimited:
		scope := "user"
		if f.global {
			scope = "global"
		}
		s.tooMany(w, r, nil, &rateLimited{wait: f.retryAfter, scope: scope, global: f.global})
	default:
		panic("fakediscord: unknown fault " + strconv.Itoa(int(f.kind)))
	}
}
