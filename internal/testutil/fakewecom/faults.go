package fakewecom

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

// answers is how WeCom fails for each Fault; its 500 is a bare page.
var answers = map[Fault]fakehttp.Fault{
	FaultInternal:   fakehttp.Answer(http.StatusInternalServerError, "", "Internal Server Error"),
	FaultBadGateway: fakehttp.BadGateway,
	FaultBusy:       fakehttp.Answer(http.StatusOK, "application/json", `{"errcode":-1,"errmsg":"system busy, hint: [fake]"}`),
	FaultRateLimit:  fakehttp.Answer(http.StatusOK, "application/json", `{"errcode":45009,"errmsg":"api freq out of limit, hint: [fake]"}`),
	FaultHang:       fakehttp.Hang,
	FaultReset:      fakehttp.Reset,
}

// FailNext makes the next n requests (before any check) fail with f.
func (s *Server) FailNext(n int, f Fault) {
	s.faults.FailNext(n, fakehttp.Kind("fakewecom", answers, f))
}

// SetLatency delays every answer by d.
func (s *Server) SetLatency(d time.Duration) { s.faults.SetLatency(d) }

// ClearFaults removes every planned failure and the latency.
func (s *Server) ClearFaults() { s.faults.Clear() }
