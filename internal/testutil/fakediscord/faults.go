package fakediscord

import (
	"net/http"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakehttp"
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

// answers is how Discord fails for each FaultKind but FaultRateLimited,
// which the fake's rate limiter answers.
var answers = map[FaultKind]fakehttp.Fault{
	FaultInternal: fakehttp.Answer(http.StatusInternalServerError, "application/json",
		`{"message": "500: Internal Server Error", "code": 0}`),
	FaultBadGateway: fakehttp.Answer(http.StatusBadGateway, "text/html",
		"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>"),
	FaultHang:  fakehttp.Hang,
	FaultReset: fakehttp.Reset,
}

// FailNext makes the next n requests fail with k, before any check.
func (s *Server) FailNext(n int, k FaultKind) {
	f := fakehttp.Kind("fakediscord", answers, k)
	if k == FaultRateLimited {
		f = s.rateLimitedFault(time.Second, false)
	}
	s.faults.FailNext(n, f)
}

// RateLimitNext makes the next request answer 429 with retry_after (and
// "global": true when global), as Discord does when another client of the
// same webhook or IP used the bucket up.
func (s *Server) RateLimitNext(retryAfter time.Duration, global bool) {
	s.faults.FailNext(1, s.rateLimitedFault(retryAfter, global))
}

// rateLimitedFault answers 429 with retryAfter, whatever the bucket says.
func (s *Server) rateLimitedFault(retryAfter time.Duration, global bool) fakehttp.Fault {
	scope := "user"
	if global {
		scope = "global"
	}
	return func(w http.ResponseWriter, r *http.Request) {
		s.tooMany(w, r, nil, &rateLimited{wait: retryAfter, scope: scope, global: global})
	}
}

// ClearFaults removes every planned failure and the latency.
func (s *Server) ClearFaults() { s.faults.Clear() }

// SetLatency delays every answer by d.
func (s *Server) SetLatency(d time.Duration) { s.faults.SetLatency(d) }
