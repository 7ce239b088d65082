package fakegrafana

import (
	"net/http"
	"net/url"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakehttp"
)

// Fault is a failure the fake can inject before any check.
type Fault int

// The failures the fake can inject.
const (
	// FaultNone answers normally.
	FaultNone Fault = iota
	// FaultInternal answers 500 with Grafana's JSON.
	FaultInternal
	// FaultBadGateway answers 502 with a proxy's HTML page.
	FaultBadGateway
	// FaultHang never answers; the request ends when the client gives up.
	FaultHang
	// FaultReset closes the connection without an answer.
	FaultReset
	// FaultHTMLPage answers 200 with Grafana's HTML app page, as a wrong
	// sub-path or a proxy's catch-all does.
	FaultHTMLPage
	// FaultNotFound answers 404 "404 page not found" in plain text (Go's
	// http.NotFound), as a wrong path in front of Grafana does.
	FaultNotFound
	// FaultLogin redirects to the login page, as Grafana does for a
	// browser without a session.
	FaultLogin
)

// appPage is the start of Grafana's single-page app, what every unknown
// non-API path answers.
const appPage = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Grafana</title>" +
	"<base href=\"/\" /></head><body class=\"theme-dark app-grafana\"><div id=\"reactRoot\"></div></body></html>"

var answers = map[Fault]fakehttp.Fault{
	FaultInternal: fakehttp.Answer(http.StatusInternalServerError, "application/json",
		`{"message":"Internal Server Error","traceID":""}`),
	FaultBadGateway: fakehttp.BadGateway,
	FaultHang:       fakehttp.Hang,
	FaultReset:      fakehttp.Reset,
	FaultHTMLPage:   fakehttp.Answer(http.StatusOK, "text/html; charset=UTF-8", appPage),
	FaultNotFound:   http.NotFound,
}

// answer is the fakehttp.Fault that f injects.
func (s *Server) answer(f Fault) fakehttp.Fault {
	if f == FaultLogin {
		return func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, s.cfg.SubPath+"/login?redirectTo="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
		}
	}
	return fakehttp.Kind("fakegrafana", answers, f)
}

// FailNext makes the next n requests (of any endpoint, before any check)
// fail with f.
func (s *Server) FailNext(n int, f Fault) { s.faults.FailNext(n, s.answer(f)) }

// AnswerNext makes the next n requests (before any check) answer status
// with body, for answers no Fault covers (a proxy's or another Grafana
// version's wording).
func (s *Server) AnswerNext(n, status int, contentType, body string) {
	s.faults.FailNext(n, fakehttp.Answer(status, contentType, body))
}

// SetLatency delays every answer by d.
func (s *Server) SetLatency(d time.Duration) { s.faults.SetLatency(d) }

// ClearFaults removes every planned failure and the latency.
func (s *Server) ClearFaults() { s.faults.Clear() }
