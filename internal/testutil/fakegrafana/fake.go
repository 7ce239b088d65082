// Package fakegrafana is a strict fake of the parts of Grafana's HTTP API
// that Herald uses, for tests of any package: dashboard search
// (/api/search), dashboard models (/api/dashboards/uid/{uid}), the
// renderer's availability (/api/frontend/settings) and panel renders
// (/render/d-solo/{uid}). It checks what Grafana checks (credentials, the
// organization, each query parameter) and answers the way Grafana answers,
// with Grafana's JSON errors; a render is a real PNG of the requested size
// in a color that tells which panel and query it answers. It can play a
// Grafana without an image renderer (Grafana 13 removed the plugin), a busy
// or failing renderer, and fail on demand: 5xx, hangs, resets, a proxy's
// page, a login redirect, latency.
//
// A request that Herald should never send (an unknown parameter or
// endpoint, a number that is not one, another organization's id) is
// answered with an error whose message starts "fakegrafana: " (400, or
// 404 for an unknown endpoint) and fails the test, unless Config.Lenient
// is set; every request is recorded either way (Requests, Problems), and
// every render that passed the checks (Renders).
package fakegrafana

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/heraldhq/herald/internal/testutil/fakehttp"
)

// The identity the fake accepts when Config leaves it empty. They are long
// and distinctive so that tests can search errors and logs for them.
const (
	DefaultToken    = "glsa_FakeServiceAccountToken_MustNeverLeak_42"
	DefaultUser     = "herald"
	DefaultPassword = "p4ss-MustNeverLeak-7"
)

// Config describes the fake Grafana.
type Config struct {
	// Token is the service account token accepted as "Bearer <token>"
	// (default DefaultToken).
	Token string
	// User and Password are accepted as basic auth (default DefaultUser
	// and DefaultPassword).
	User, Password string
	// OrgID is the organization of the identity (default 1): another
	// X-Grafana-Org-Id or orgId is refused as Grafana does.
	OrgID int
	// SubPath is the path Grafana is served from ("/grafana"), "" for the
	// root.
	SubPath string
	// Dashboards are the dashboards the identity can see.
	Dashboards []Dashboard
	// Renderer is the state of the image renderer (default RendererInstalled).
	Renderer Renderer
	// Lenient answers malformed requests 400 without failing the test, for
	// tests that send one on purpose.
	Lenient bool
}

// Server is a running fake Grafana. It is safe for concurrent use.
type Server struct {
	tb      testing.TB
	srv     *fakehttp.Server
	cfg     Config
	faults  fakehttp.Faults
	reqs    *fakehttp.Log[Request]
	renders *fakehttp.Log[Render]

	mu         sync.Mutex
	dashboards map[string]*stored
	renderer   Renderer
}

// New starts a fake Grafana on a loopback port; it is closed when the test
// ends.
func New(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	if cfg.Token == "" {
		cfg.Token = DefaultToken
	}
	if cfg.User == "" && cfg.Password == "" {
		cfg.User, cfg.Password = DefaultUser, DefaultPassword
	}
	if cfg.OrgID <= 0 {
		cfg.OrgID = 1
	}
	cfg.SubPath = strings.TrimRight(cfg.SubPath, "/")
	s := &Server{
		tb: tb, cfg: cfg,
		reqs:       fakehttp.NewLog("fakegrafana", "requests", (*Request).clone),
		renders:    fakehttp.NewLog("fakegrafana", "renders", (*Render).clone),
		dashboards: map[string]*stored{},
		renderer:   cfg.Renderer,
	}
	for _, d := range cfg.Dashboards {
		s.AddDashboard(d)
	}
	s.srv = fakehttp.NewServer(tb, http.HandlerFunc(s.serveHTTP))
	return s
}

// URL is Grafana's root URL, sub-path included: what grafana.url is set to.
func (s *Server) URL() string { return s.srv.URL + s.cfg.SubPath }

// Token is the service account token the fake accepts.
func (s *Server) Token() string { return s.cfg.Token }

// OrgID is the identity's organization.
func (s *Server) OrgID() int { return s.cfg.OrgID }

// Close stops the server; hanging requests are released first.
func (s *Server) Close() { s.srv.Close() }

// SetRenderer changes the state of the image renderer.
func (s *Server) SetRenderer(r Renderer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.renderer = r
}

// call is one request being answered: what is recorded of it.
type call struct {
	w   http.ResponseWriter
	r   *http.Request
	rec Request
}

// serveHTTP records every request, applies the planned faults, checks the
// credentials and routes like Grafana.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	path, inside := strings.CutPrefix(r.URL.Path, s.cfg.SubPath)
	inside = inside && (path == "" || path[0] == '/')
	if !inside {
		path = r.URL.Path
	}
	c := &call{w: w, r: r, rec: Request{Method: r.Method, Path: path, RawQuery: r.URL.RawQuery}}
	sw := &statusWriter{ResponseWriter: w}
	c.w = sw
	// Recorded on arrival, so that a test sees a request that hangs;
	// completed when answered.
	logged := c.rec
	s.reqs.Add(&logged)
	defer func() {
		c.rec.Status = sw.status
		s.reqs.Update(func() { logged = c.rec })
	}()
	// The raw writer: a reset hijacks the connection.
	if s.faults.Apply(w, r) {
		c.rec.Injected = true
		return
	}
	if !inside {
		s.reject(c, http.StatusNotFound, "path %q is outside the sub-path %q", r.URL.Path, s.cfg.SubPath)
		return
	}
	if !s.authenticate(c, strings.HasPrefix(path, "/api/")) {
		return
	}
	if r.Method != http.MethodGet {
		s.reject(c, http.StatusMethodNotAllowed, "method %s on %s", r.Method, path)
		return
	}
	switch {
	case path == "/api/search":
		s.search(c)
	case path == "/api/frontend/settings":
		s.frontendSettings(c)
	case strings.HasPrefix(path, "/api/dashboards/uid/"):
		s.dashboard(c, strings.TrimPrefix(path, "/api/dashboards/uid/"))
	case strings.HasPrefix(path, "/render/d-solo/"):
		s.render(c, strings.TrimPrefix(path, "/render/d-solo/"))
	default:
		s.reject(c, http.StatusNotFound, "no such endpoint: %s", path)
	}
}

// authenticate checks the credentials and the organization as Grafana's
// authn middleware does: wrong credentials are a 401 with Grafana's JSON;
// none at all are a 401 on the API and a redirect to the login page
// elsewhere.
func (s *Server) authenticate(c *call, api bool) bool {
	r := c.r
	user, pass, isBasic := r.BasicAuth()
	bearer, isBearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch {
	case isBearer && bearer == s.cfg.Token:
		c.rec.Auth = "bearer"
	case isBearer:
		grafanaError(c.w, http.StatusUnauthorized, "Invalid API key", "api-key.invalid")
		return false
	case isBasic && user == s.cfg.User && pass == s.cfg.Password:
		c.rec.Auth = "basic"
	case isBasic:
		grafanaError(c.w, http.StatusUnauthorized, "Invalid username or password", "password-auth.failed")
		return false
	case api:
		grafanaError(c.w, http.StatusUnauthorized, "Unauthorized", "auth.unauthorized")
		return false
	default:
		http.Redirect(c.w, r, s.cfg.SubPath+"/login", http.StatusFound)
		return false
	}
	if org := r.Header.Get("X-Grafana-Org-Id"); org != "" && org != strconv.Itoa(s.cfg.OrgID) {
		grafanaError(c.w, http.StatusUnauthorized, "API key does not belong to the requested organization",
			"api-key.organization-mismatch")
		return false
	}
	return true
}

// reject answers a request Grafana would refuse as malformed, records why,
// and fails the test unless the fake is lenient.
func (s *Server) reject(c *call, status int, format string, args ...any) {
	c.rec.Problem = fmt.Sprintf(format, args...)
	if !s.cfg.Lenient {
		s.tb.Errorf("fakegrafana: %s %s?%s: %s", c.r.Method, c.r.URL.Path, c.r.URL.RawQuery, c.rec.Problem)
	}
	writeJSON(c.w, status, map[string]string{"message": "fakegrafana: " + c.rec.Problem})
}

// grafanaError answers Grafana's error JSON (pkg/util/errutil's public
// payload).
func grafanaError(w http.ResponseWriter, status int, message, messageID string) {
	writeJSON(w, status, map[string]any{"message": message, "messageId": messageID, "statusCode": status, "traceID": ""})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
