package faketelegram

import (
	"net/http"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakehttp"
)

// Fault is a failure the fake can inject instead of answering.
type Fault int

// The failures a fake can inject.
const (
	// FaultNone answers normally.
	FaultNone Fault = iota
	// FaultInternal answers 500 with Telegram's JSON envelope.
	FaultInternal
	// FaultBadGateway answers 502 with an HTML page, as a proxy in front of
	// the API does: the body is not JSON.
	FaultBadGateway
	// FaultHang never answers; the request ends when the client gives up.
	FaultHang
	// FaultReset closes the connection without an answer.
	FaultReset
)

// answers is how Telegram's API fails for each Fault.
var answers = map[Fault]fakehttp.Fault{
	FaultInternal: fakehttp.Answer(http.StatusInternalServerError, "application/json",
		`{"ok":false,"error_code":500,"description":"Internal Server Error"}`),
	FaultBadGateway: fakehttp.BadGateway,
	FaultHang:       fakehttp.Hang,
	FaultReset:      fakehttp.Reset,
}

// answer is the fakehttp.Fault that f injects.
func (f Fault) answer() fakehttp.Fault { return fakehttp.Kind("faketelegram", answers, f) }

// FailNext makes the next n requests (of any method, before any check)
// fail with f.
func (s *Server) FailNext(n int, f Fault) { s.faults.FailNext(n, f.answer()) }

// FailChat makes every request to chat fail with f until ClearFaults (or
// FailChat with FaultNone).
func (s *Server) FailChat(chat int64, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == FaultNone {
		delete(s.chatFaults, chat)
		return
	}
	s.chatFaults[chat] = f.answer()
}

// ClearFaults removes every planned failure and the latency.
func (s *Server) ClearFaults() {
	s.faults.Clear()
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.chatFaults)
}

// SetLatency delays every answer by d.
func (s *Server) SetLatency(d time.Duration) { s.faults.SetLatency(d) }

// chatFault returns the fault planned for the chat a request addresses.
func (s *Server) chatFault(p *params) fakehttp.Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.chatFaults) == 0 {
		return nil
	}
	c, err := s.chat(p)
	if err != nil {
		return nil
	}
	return s.chatFaults[c.ID]
}
