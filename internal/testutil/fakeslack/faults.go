package fakeslack

import (
	"net/http"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakehttp"
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

// answers is how Slack fails for each Fault.
var answers = map[Fault]fakehttp.Fault{
	FaultInternal:   internalError,
	FaultBadGateway: fakehttp.BadGateway,
	FaultHang:       fakehttp.Hang,
	FaultReset:      fakehttp.Reset,
}

// answer is the fakehttp.Fault that f injects.
func (f Fault) answer() fakehttp.Fault { return fakehttp.Kind("fakeslack", answers, f) }

// internalError is FaultInternal's answer, which depends on where the
// request went.
func internalError(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, webhookPrefix) {
		fakehttp.Answer(http.StatusInternalServerError, "text/plain", "rollup_error")(w, r)
		return
	}
	fakehttp.Answer(http.StatusInternalServerError, "application/json", `{"ok":false,"error":"internal_error"}`)(w, r)
}

// callFaults is the failure plan of single calls; guarded by Server.mu.
type callFaults struct {
	codes  map[string][]string         // call name -> error codes to answer
	byCall map[string][]fakehttp.Fault // call name -> faults to inject
}

// FailNext makes the next n requests (of any kind, before any check) fail
// with f.
func (s *Server) FailNext(n int, f Fault) { s.faults.FailNext(n, f.answer()) }

// FailCall makes the next n calls of a Web API method (or of the incoming
// webhook, call "webhook") fail with f, after authentication.
func (s *Server) FailCall(call string, n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls.byCall == nil {
		s.calls.byCall = map[string][]fakehttp.Fault{}
	}
	for range n {
		s.calls.byCall[call] = append(s.calls.byCall[call], f.answer())
	}
}

// FailWith makes the next n calls of a Web API method answer
// {"ok":false,"error":code} with HTTP 200, or, for call "webhook", the
// webhook answer code with its status (for example invalid_blocks, 400).
func (s *Server) FailWith(call, code string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls.codes == nil {
		s.calls.codes = map[string][]string{}
	}
	for range n {
		s.calls.codes[call] = append(s.calls.codes[call], code)
	}
}

// ClearFaults removes every planned failure and the latency.
func (s *Server) ClearFaults() {
	s.faults.Clear()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = callFaults{}
}

// SetLatency delays every answer by d.
func (s *Server) SetLatency(d time.Duration) { s.faults.SetLatency(d) }

// plannedFailure returns the fault or the error code planned for a call.
func (s *Server) plannedFailure(call string) (fakehttp.Fault, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fs := s.calls.byCall[call]; len(fs) > 0 {
		s.calls.byCall[call] = fs[1:]
		return fs[0], ""
	}
	if cs := s.calls.codes[call]; len(cs) > 0 {
		s.calls.codes[call] = cs[1:]
		return nil, cs[0]
	}
	return nil, ""
}
