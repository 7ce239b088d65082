package fakeslack

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault is a failure the fake can inject instead of answering.
type Fault int

// The failures a fake can inject.
const (
	// FaultNone answers normally.
	FaultNone Fault = iota
	// FaultInternal answers 500 (Slack's envelope with internal_error for
	// the Web API, rollup_error for webhooks).
	FaultInternal
	// FaultBadGateway answers 502 with an HTML page, as a proxy in front of
	// Slack does: the body is not Slack's.
	FaultBadGateway
	// FaultHang never answers; the request ends when the client gives up.
	FaultHang
	// FaultReset closes the connection without an answer.
	FaultReset
)

// faults is the failure plan; guarded by Server.mu.
type faults struct {
	next    []Fault
	codes   map[string][]string // call name -> error codes to answer
	byCall  map[string][]Fault  // call name -> faults to inject
	latency time.Duration
}

// FailNext makes the next n requests (of any kind, before any check) fail
// with f.
func (s *Server) FailNext(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults.next = append(s.faults.next, f)
	}
}

// FailCall makes the next n calls of a Web API method (or of the incoming
// webhook, call "webhook") fail with f, after authentication.
func (s *Server) FailCall(call string, n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.byCall == nil {
		s.faults.byCall = map[string][]Fault{}
	}
	for range n {
		s.faults.byCall[call] = append(s.faults.byCall[call], f)
	}
}

// FailWith makes the next n calls of a Web API method answer
// {"ok":false,"error":code} with HTTP 200, or, for call "webhook", the
// webhook answer code with its status (for example invalid_blocks, 400).
func (s *Server) FailWith(call, code string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.codes == nil {
		s.faults.codes = map[string][]string{}
	}
	for range n {
		s.faults.codes[call] = append(s.faults.codes[call], code)
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

// plannedFailure returns the fault or the error code planned for a call.
func (s *Server) plannedFailure(call string) (Fault, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fs := s.faults.byCall[call]; len(fs) > 0 {
		s.faults.byCall[call] = fs[1:]
		return fs[0], ""
	}
	if cs := s.faults.codes[call]; len(cs) > 0 {
		s.faults.codes[call] = cs[1:]
		return FaultNone, cs[0]
	}
	return FaultNone, ""
}

// inject fails the request with f.
func (s *Server) inject(w http.ResponseWriter, r *http.Request, f Fault) {
	s.mu.Lock()
	s.stats.Injected++
	s.mu.Unlock()
	switch f {
	case FaultInternal:
		if strings.HasPrefix(r.URL.Path, webhookPrefix) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte("rollup_error"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"ok":false,"error":"internal_error"}`))
	case FaultBadGateway:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><body><h1>502 Bad Gateway</h1></body></html>"))
	case FaultHang:
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
	case FaultReset:
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("fakeslack: connection cannot be hijacked")
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			conn.Close()
		}
	default:
		panic("fakeslack: unknown fault " + strconv.Itoa(int(f)))
	}
}
