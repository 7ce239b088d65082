package faketeams

import (
	"net/http"
	"strconv"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakehttp"
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

// answers is how the service fails for each Fault.
var answers = map[Fault]fakehttp.Fault{
	FaultInternal: fakehttp.Answer(http.StatusInternalServerError, "application/json; charset=utf-8",
		`{"error":{"code":"InternalServerError","message":"The server encountered an internal error."}}`),
	FaultBadGateway: fakehttp.BadGateway,
	FaultThrottle:   throttle,
	FaultHang:       fakehttp.Hang,
	FaultReset:      fakehttp.Reset,
}

// throttle is FaultThrottle's answer.
func throttle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", strconv.Itoa(ThrottleRetryAfter))
	fakehttp.Answer(http.StatusTooManyRequests, "application/json; charset=utf-8",
		`{"error":{"code":"TooManyRequests","message":"Rate limit is exceeded. Try again in 7 seconds."}}`)(w, r)
}

// FailNext makes the next n requests fail with f, before any check. The
// fake reads the body as the service would before failing, so that the
// client is not cut off while it is still writing.
func (s *Server) FailNext(n int, f Fault) {
	s.faults.FailNext(n, fakehttp.Drain(fakehttp.Kind("faketeams", answers, f)))
}

// ClearFaults removes every planned failure and the latency.
func (s *Server) ClearFaults() { s.faults.Clear() }

// SetLatency delays every answer by d.
func (s *Server) SetLatency(d time.Duration) { s.faults.SetLatency(d) }
