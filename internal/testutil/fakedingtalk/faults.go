package fakedingtalk

import (
	"maps"
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
	// FaultInternal answers HTTP 500.
	FaultInternal
	// FaultBadGateway answers 502 with an HTML page, as a proxy in front
	// of DingTalk does: the body is not JSON.
	FaultBadGateway
	// FaultBusy answers HTTP 200 with errcode -1 "系统繁忙" (system busy),
	// DingTalk's global "try again later".
	FaultBusy
	// FaultHang never answers; the request ends when the client gives up.
	FaultHang
	// FaultReset closes the connection without an answer.
	FaultReset
)

// answers is how DingTalk fails for each Fault.
var answers = map[Fault]fakehttp.Fault{
	FaultInternal:   fakehttp.Answer(http.StatusInternalServerError, "application/json", `{"errcode":-1,"errmsg":"internal error"}`),
	FaultBadGateway: fakehttp.BadGateway,
	FaultBusy:       fakehttp.Answer(http.StatusOK, "application/json;charset=utf-8", `{"errcode":-1,"errmsg":"系统繁忙"}`),
	FaultHang:       fakehttp.Hang,
	FaultReset:      fakehttp.Reset,
}

// FailNext makes the next n requests (before any check) fail with f.
func (s *Server) FailNext(n int, f Fault) {
	s.faults.FailNext(n, fakehttp.Kind("fakedingtalk", answers, f))
}

// FailNextAnswer makes the next n requests (before any check) answer
// status with header and body: what DingTalk says that the fake does not
// model (an errcode of its own, a 429 with Retry-After), or what a proxy
// in front of it says.
func (s *Server) FailNextAnswer(n, status int, header http.Header, body string) {
	s.faults.FailNext(n, fakehttp.Drain(func(w http.ResponseWriter, r *http.Request) {
		maps.Copy(w.Header(), header)
		fakehttp.Answer(status, "", body)(w, r)
	}))
}

// ClearFaults removes every planned failure and the latency.
func (s *Server) ClearFaults() { s.faults.Clear() }

// SetLatency delays every answer by d.
func (s *Server) SetLatency(d time.Duration) { s.faults.SetLatency(d) }
