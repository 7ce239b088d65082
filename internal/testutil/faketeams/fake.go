// Package faketeams is a strict fake of a Microsoft Teams workflow webhook
// ("Post to a channel when a webhook request is received") for tests. It
// checks what the service checks and a little more — the signed URL, POST
// with Content-Type application/json, the 28 KB size limit, the message
// envelope and the Adaptive Card schema of every element and action it
// knows, and the webhook's rate limit — and answers the way Power Automate
// does: 202 Accepted with a run id, 400 for a bad card, 413 for a large
// one, 429 with Retry-After when too fast. In legacy mode it answers like
// an Office 365 connector URL instead: 200 "1", and errors hidden in a 200.
// It can fail on demand: 500, 502, 429, hangs, resets and latency.
package faketeams

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakehttp"
)

// DefaultSig is the signature the fake's URL carries when Config.Sig is
// empty. It is long and distinctive so that tests can search logs and
// errors for it.
const DefaultSig = "FakeTeamsSigThatMustNeverLeak_0123456789abcdef"

// DefaultMaxBytes is the largest body accepted: Teams' "The message size
// limit is 28 KB" read as 28,000 bytes, the stricter reading
// (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook).
const DefaultMaxBytes = 28_000

// workflowID is the workflow in the fake's URL path.
const workflowID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"

// Config describes the fake webhook.
type Config struct {
	// Sig is the only signature accepted (default DefaultSig).
	Sig string
	// MaxBytes is the largest body accepted (default DefaultMaxBytes).
	MaxBytes int
	// Limits are the rate limits enforced (zero value: Teams').
	Limits Limits
	// Legacy answers like an Office 365 connector URL: 200 with body "1"
	// on success and 200 with "Microsoft Teams endpoint returned HTTP
	// error NNN" on failure.
	Legacy bool
	// RateNow is the clock of the rate limits and of Message.Received
	// (default time.Now), so that a test of the limits can move time on
	// instead of sleeping.
	RateNow func() time.Time
}

// Server is a running fake webhook. It is safe for concurrent use.
type Server struct {
	srv      *fakehttp.Server
	sig      string
	maxBytes int
	legacy   bool
	now      func() time.Time
	faults   fakehttp.Faults
	msgs     *fakehttp.Log[Message]

	mu      sync.Mutex
	limits  *limiter
	stats   Stats
	nextRun int
}

// New starts a fake webhook on a loopback port; it is closed when the test
// ends.
func New(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	s := &Server{sig: cfg.Sig, maxBytes: cfg.MaxBytes, legacy: cfg.Legacy, now: cfg.RateNow,
		msgs: fakehttp.NewLog[Message]("faketeams", "messages", nil), limits: newLimiter(cfg.Limits)}
	if s.now == nil {
		s.now = time.Now
	}
	if s.sig == "" {
		s.sig = DefaultSig
	}
	if s.maxBytes <= 0 {
		s.maxBytes = DefaultMaxBytes
	}
	s.srv = fakehttp.NewServer(tb, http.HandlerFunc(s.serveHTTP))
	return s
}

// URL is the webhook URL to configure, shaped like a workflow's.
func (s *Server) URL() string {
	return s.srv.URL + "/workflows/" + workflowID + "/triggers/manual/paths/invoke" +
		"?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=" + s.sig
}

// Sig is the signature the fake accepts: the secret of its URL.
func (s *Server) Sig() string { return s.sig }

// Close stops the server. Hanging requests are released first, because
// httptest.Server.Close waits for every request to finish.
func (s *Server) Close() { s.srv.Close() }

// apiError is an error answer, in Azure's {"error":{"code","message"}}
// envelope, as Power Automate writes them.
type apiError struct {
	status     int
	code       string
	msg        string
	retryAfter int
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.msg) }

func badRequest(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "InvalidRequestContent", msg: fmt.Sprintf(format, args...)}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if s.faults.Apply(w, r) {
		return
	}
	if aerr := s.checkRequest(r); aerr != nil {
		s.reply(w, aerr)
		return
	}
	s.mu.Lock()
	wait := s.limits.allow(s.now())
	s.mu.Unlock()
	if wait > 0 {
		s.reply(w, &apiError{status: http.StatusTooManyRequests, code: "TooManyRequests",
			msg: "Rate limit is exceeded. Try again later.", retryAfter: retryAfter(wait)})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(s.maxBytes)+1))
	if err != nil {
		return // the client went away
	}
	if len(body) > s.maxBytes {
		s.reply(w, &apiError{status: http.StatusRequestEntityTooLarge, code: "RequestEntityTooLarge",
			msg: fmt.Sprintf("The request content length exceeds the limit of %d bytes.", s.maxBytes)})
		return
	}
	msg, aerr := parseMessage(body)
	if aerr != nil {
		s.reply(w, aerr)
		return
	}
	s.accept(w, msg)
}

// checkRequest checks what comes before the body: the route, the method,
// the signature and the content type.
func (s *Server) checkRequest(r *http.Request) *apiError {
	if r.URL.Path != "/workflows/"+workflowID+"/triggers/manual/paths/invoke" {
		return &apiError{status: http.StatusNotFound, code: "WorkflowNotFound", msg: "The workflow could not be found."}
	}
	if r.Method != http.MethodPost {
		return &apiError{status: http.StatusMethodNotAllowed, code: "TriggerRequestMethodNotValid",
			msg: "The HTTP method for this request is not valid: expected 'Post'."}
	}
	q := r.URL.Query()
	if q.Get("sig") != s.sig || q.Get("api-version") == "" {
		return &apiError{status: http.StatusUnauthorized, code: "DirectApiAuthorizationRequired",
			msg: "The request must be authenticated only by Shared Access scheme."}
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" || (params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
		return badRequest("The request content type %q is not valid: expected application/json.", r.Header.Get("Content-Type"))
	}
	return nil
}

// accept records msg and answers 202 (200 "1" in legacy mode).
func (s *Server) accept(w http.ResponseWriter, msg Message) {
	s.mu.Lock()
	s.nextRun++
	msg.RunID = fmt.Sprintf("08584%015d", s.nextRun)
	msg.Received = s.now()
	s.msgs.Add(&msg)
	s.stats.Accepted++
	s.mu.Unlock()
	if s.legacy {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "1")
		return
	}
	w.Header().Set("x-ms-workflow-run-id", msg.RunID)
	w.WriteHeader(http.StatusAccepted)
}

// reply writes an error answer and counts it.
func (s *Server) reply(w http.ResponseWriter, aerr *apiError) {
	s.mu.Lock()
	switch aerr.status {
	case http.StatusTooManyRequests:
		s.stats.TooManyRequests++
	case http.StatusRequestEntityTooLarge:
		s.stats.TooLarge++
		s.stats.Rejected++
	default:
		s.stats.Rejected++
	}
	s.stats.LastError = aerr.Error()
	s.mu.Unlock()
	if s.legacy {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error %d with ContextId tcid=0,server=fake,cv=0", aerr.status)
		return
	}
	if aerr.retryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(aerr.retryAfter))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(aerr.status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": aerr.code, "message": aerr.msg}})
}
