package fakefeishu

import (
	"encoding/json"
	"maps"
	"net/http"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakehttp"
)

// Fault is a failure the fake can inject instead of answering.
type Fault int

// The failures the fake can inject.
const (
	// FaultNone answers normally.
	FaultNone Fault = iota
	// FaultInternal answers HTTP 500.
	FaultInternal
	// FaultBadGateway answers 502 with an HTML page, as a proxy does.
	FaultBadGateway
	// FaultHang never answers; the request ends when the client gives up.
	FaultHang
	// FaultReset closes the connection without an answer.
	FaultReset
)

var answers = map[Fault]fakehttp.Fault{
	FaultInternal:   fakehttp.Answer(http.StatusInternalServerError, "application/json", `{"code":2200,"msg":"Internal Error"}`),
	FaultBadGateway: fakehttp.BadGateway,
	FaultHang:       fakehttp.Hang,
	FaultReset:      fakehttp.Reset,
}

// FailNext makes the next n requests (to any API, before any check) fail
// with f.
func (s *Server) FailNext(n int, f Fault) {
	s.faults.FailNext(n, fakehttp.Kind("fakefeishu", answers, f))
}

// FailNextCode makes the next n requests answer HTTP 200 with code and
// msg, as Feishu answers its errors (11232 "frequency limited", 2200
// "Internal Error", 9499 "Bad Request"...).
func (s *Server) FailNextCode(n, code int, msg string) {
	body, _ := json.Marshal(map[string]any{"code": code, "msg": msg, "data": map[string]any{}})
	s.faults.FailNext(n, fakehttp.Drain(fakehttp.Answer(http.StatusOK, "application/json; charset=utf-8", string(body))))
}

// FailNextAnswer makes the next n requests (to any API, before any
// check) answer status with header and body: what Feishu's gateway says
// that the fake does not model (a 429 with x-ogw-ratelimit-reset), or
// what a proxy in front of it says.
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
