package faketeams

import (
	"io"
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
	// FaultInternal answers 500 with Azure's JSON error envelope.
	FaultInternal
	// FaultBadGateway answers 502 with an HTML page, as a proxy in front
	// of the service does: the body is not JSON.
	FaultBadGateway
	// FaultThrottle answers 429 with Retry-After: 7 whatever the rate, as
	// when another program posts to the same webhook.
	FaultThrottle
	// FaultHang never answers; the request ends when the client gives up.
	FaultHang
	// FaultReset closes the connection without an answer.
	FaultReset
)

// ThrottleRetryAfter is the Retry-After of FaultThrottle, in seconds.
const ThrottleRetryAfter = 7

// faults is the failure plan; guarded by Server.mu.
type faults struct {
	next    []Fault
	latency time.Duration
}

// FailNext makes the next n requests fail with f, before any check.
func (s *Server) FailNext(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults.next = append(s.faults.next, f)
	}
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
	// Read the body as the service would before failing, so that the
	// client is not cut off while it is still writing.
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	switch f {
	case FaultInternal:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"error":{"code":"InternalServerError","message":"The server encountered an internal error."}}`)
	case FaultBadGateway:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
	case FaultThrottle:
		w.Header().Set("Retry-After", strconv.Itoa(ThrottleRetryAfter))
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"error":{"code":"TooManyRequests","message":"Rate limit is exceeded. Try again in 7 seconds."}}`)
	case FaultHang:
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
	case FaultReset:
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("faketeams: connection cannot be hijacked")
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			conn.Close()
		}
	default:
		panic("faketeams: unknown fault " + strconv.Itoa(int(f)))
	}
}
