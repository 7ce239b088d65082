package fakewecom

import (
	"net/http"
	"strconv"
	"time"
)

// Fault is a failure the fake can inject instead of answering.
type Fault int

// The failures a fake can inject.
const (
	// FaultNone answers normally.
	FaultNone Fault = iota
	// FaultInternal answers HTTP 500.
	FaultInternal
	// FaultBadGateway answers 502 with an HTML page, as a proxy in front of
	// WeCom does: the body is not JSON.
	FaultBadGateway
	// FaultBusy answers HTTP 200 with errcode -1, "system busy".
	FaultBusy
	// FaultRateLimit answers HTTP 200 with errcode 45009 whatever the
	// window holds, as when another program posts to the same robot.
	FaultRateLimit
	// FaultHang never answers; the request ends when the client gives up.
	FaultHang
	// FaultReset closes the connection without an answer.
	FaultReset
)

// faults is the failure plan; guarded by Server.mu.
type faults struct {
	next    []Fault
	latency time.Duration
}

// FailNext makes the next n requests (before any check) fail with f.
func (s *Server) FailNext(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults.next = append(s.faults.next, f)
	}
}

// SetLatency delays every answer by d.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.latency = d
}

// ClearFaults removes every planned failure and the latency.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = faults{}
}

// takeFault counts a request and returns the fault planned for it.
func (s *Server) takeFault() (Fault, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Requests++
	f := FaultNone
	if len(s.faults.next) > 0 {
		f = s.faults.next[0]
		s.faults.next = s.faults.next[1:]
	}
	return f, s.faults.latency
}

// inject fails the request with f.
func (s *Server) inject(w http.ResponseWriter, r *http.Request, f Fault) {
	s.mu.Lock()
	s.stats.Injected++
	s.mu.Unlock()
	switch f {
	case FaultInternal:
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("Internal Server Error"))
	case FaultBadGateway:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><body><h1>502 Bad Gateway</h1></body></html>"))
	case FaultBusy:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"errcode":-1,"errmsg":"system busy, hint: [fake]"}`))
	case FaultRateLimit:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"errcode":45009,"errmsg":"api freq out of limit, hint: [fake]"}`))
	case FaultHang:
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
	case FaultReset:
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("fakewecom: connection cannot be hijacked")
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			conn.Close()
		}
	default:
		panic("fakewecom: unknown fault " + strconv.Itoa(int(f)))
	}
}
