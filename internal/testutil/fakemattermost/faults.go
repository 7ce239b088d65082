package fakemattermost

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
	// FaultInternal answers 500 with an AppError.
	FaultInternal
	// FaultBadGateway answers 502 with an HTML page, as a proxy in front
	// of Mattermost does.
	FaultBadGateway
	// FaultHang never answers.
	FaultHang
	// FaultReset closes the connection without an answer.
	FaultReset
	// FaultNotOK answers 200 with a body that is not "ok" (a proxy's
	// login page).
	FaultNotOK
)

var answers = map[Fault]fakehttp.Fault{
	FaultInternal: fakehttp.Answer(http.StatusInternalServerError, "application/json",
		`{"id":"api.post.create_webhook_post.creating.app_error","message":"Error creating post","detailed_error":"","request_id":"x","status_code":500}`),
	FaultBadGateway: fakehttp.BadGateway,
	FaultHang:       fakehttp.Hang,
	FaultReset:      fakehttp.Reset,
	FaultNotOK:      fakehttp.Answer(http.StatusOK, "text/html", "<html><body>Sign in</body></html>"),
}

// FailNext makes the next n requests fail with f before any check.
func (s *Server) FailNext(n int, f Fault) {
	s.faults.FailNext(n, fakehttp.Kind("fakemattermost", answers, f))
}

// FailWith makes the next n posts to the webhook, once the key is
// checked, answer an AppError with status, id and message.
func (s *Server) FailWith(status int, id, message string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.planned = append(s.planned, appErr(status, id, message))
	}
}

// SetLatency delays every answer by d.
func (s *Server) SetLatency(d time.Duration) { s.faults.SetLatency(d) }

// plannedError takes the next planned AppError.
func (s *Server) plannedError() *AppError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.planned) == 0 {
		return nil
	}
	e := s.planned[0]
	s.planned = s.planned[1:]
	return e
}
