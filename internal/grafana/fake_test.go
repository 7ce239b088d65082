package grafana_test

import (
	"bytes"
	"encoding/json"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The fake's identity and the sub-path Grafana is served from.
const (
	fakeToken    = "glsa_FakeServiceAccountToken_MustNeverLeak_42"
	fakeUser     = "herald"
	fakePassword = "p4ss-MustNeverLeak"
	fakeOrg      = 3
	subPath      = "/grafana"
)

// answer is how the fake answers a render that passed its checks.
type answer int

const (
	answerPNG         answer = iota // the panel, drawn in the query's color
	answerHTML                      // 200 with Grafana's HTML page (wrong path, proxy)
	answerJSON                      // 200 with a JSON error
	answerPlaceholder               // 200 with a PNG of the wrong size, as without the renderer
	answerHang                      // never answers
	answer500                       // 500 with Grafana's JSON error
	answer404                       // 404 page not found
	answerLogin                     // 302 to the login page
)

// fakeGrafana is a strict fake of Grafana's /render/d-solo endpoint: it
// checks the method, path, credentials, org header and every query
// parameter the way Grafana reads them, records the requests, and answers
// a PNG of the requested size whose color is a hash of var-query, so that
// a test can tell which request an image answers.
type fakeGrafana struct {
	t      *testing.T
	srv    *httptest.Server
	basic  bool // expect basic auth instead of the token
	answer answer
	jitter time.Duration // random latency up to this

	mu       sync.Mutex
	requests []url.Values
}

func newFakeGrafana(t *testing.T, a answer) *fakeGrafana {
	f := &fakeGrafana{t: t, answer: a}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() {
		f.srv.CloseClientConnections()
		f.srv.Close()
	})
	return f
}

// URL is Grafana's root URL, sub-path included.
func (f *fakeGrafana) URL() string { return f.srv.URL + subPath }

// Requests returns the query of every render that passed the checks.
func (f *fakeGrafana) Requests() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.requests...)
}

// queryColor is the color the fake draws for query.
func queryColor(query string) color.RGBA {
	h := fnv.New32a()
	h.Write([]byte(query))
	v := h.Sum32()
	return color.RGBA{R: uint8(v), G: uint8(v >> 8), B: uint8(v >> 16), A: 255}
}

func (f *fakeGrafana) fail(w http.ResponseWriter, code int, format string, args ...any) {
	f.t.Errorf("fake Grafana: "+format, args...)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": "fake: bad request"})
}

func (f *fakeGrafana) serve(w http.ResponseWriter, r *http.Request) {
	if f.jitter > 0 {
		time.Sleep(rand.N(f.jitter))
	}
	user, pass, isBasic := r.BasicAuth()
	authorized := (!f.basic && r.Header.Get("Authorization") == "Bearer "+fakeToken) ||
		(f.basic && isBasic && user == fakeUser && pass == fakePassword)
	if !authorized {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"message":"invalid API key","traceID":""}`))
		return
	}
	uid, ok := strings.CutPrefix(r.URL.Path, subPath+"/render/d-solo/")
	switch {
	case r.Method != http.MethodGet:
		f.fail(w, http.StatusMethodNotAllowed, "method %s", r.Method)
		return
	case !ok || uid == "" || strings.Contains(uid, "/"):
		f.fail(w, http.StatusNotFound, "path %q", r.URL.Path)
		return
	case r.Header.Get("X-Grafana-Org-Id") != strconv.Itoa(fakeOrg):
		f.fail(w, http.StatusBadRequest, "X-Grafana-Org-Id %q", r.Header.Get("X-Grafana-Org-Id"))
		return
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		f.fail(w, http.StatusBadRequest, "query %q: %v", r.URL.RawQuery, err)
		return
	}
	width, height, ok := f.checkQuery(w, q)
	if !ok {
		return
	}
	q.Set("uid", uid) // for the tests; not a Grafana parameter
	f.mu.Lock()
	f.requests = append(f.requests, q)
	f.mu.Unlock()
	f.respond(w, r, width, height, q.Get("var-query"))
}

// checkQuery checks the parameters as Grafana reads them: each once, known,
// numbers where numbers are due, and orgId matching the header.
func (f *fakeGrafana) checkQuery(w http.ResponseWriter, q url.Values) (int, int, bool) {
	// true: a required positive integer.
	known := map[string]bool{"orgId": true, "panelId": true, "from": true, "to": true, "width": true,
		"height": true, "tz": false, "theme": false, "timeout": true}
	for k, v := range q {
		if _, ok := known[k]; !ok && !strings.HasPrefix(k, "var-") {
			f.fail(w, http.StatusBadRequest, "unknown parameter %q", k)
			return 0, 0, false
		}
		if len(v) != 1 {
			f.fail(w, http.StatusBadRequest, "parameter %q given %d times", k, len(v))
			return 0, 0, false
		}
	}
	nums := map[string]int64{}
	for k, required := range known {
		if !required {
			continue
		}
		n, err := strconv.ParseInt(q.Get(k), 10, 64)
		if err != nil || n <= 0 {
			f.fail(w, http.StatusBadRequest, "parameter %s=%q", k, q.Get(k))
			return 0, 0, false
		}
		nums[k] = n
	}
	if nums["orgId"] != fakeOrg || nums["from"] >= nums["to"] {
		f.fail(w, http.StatusBadRequest, "orgId %d, from %d, to %d", nums["orgId"], nums["from"], nums["to"])
		return 0, 0, false
	}
	return int(nums["width"]), int(nums["height"]), true
}

func (f *fakeGrafana) respond(w http.ResponseWriter, r *http.Request, width, height int, query string) {
	switch f.answer {
	case answerPNG:
		writePNG(w, width, height, queryColor(query))
	case answerPlaceholder:
		writePNG(w, 500, 250, color.RGBA{A: 255})
	case answerHTML:
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		_, _ = w.Write([]byte("<!DOCTYPE html>\n<html><head><title>Grafana</title></head><body>app</body></html>"))
	case answerJSON:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"message":"Rendering failed: no renderer"}`))
	case answerHang:
		<-r.Context().Done()
	case answer500:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"message":"Rendering failed: timeout"}`))
	case answer404:
		http.NotFound(w, r)
	case answerLogin:
		http.Redirect(w, r, subPath+"/login?redirect=%2Frender", http.StatusFound)
	}
}

// writePNG answers a width×height PNG of one color. Paletted, so that a
// full-size image encodes in milliseconds even under the race detector.
func writePNG(w http.ResponseWriter, width, height int, c color.RGBA) {
	img := image.NewPaletted(image.Rect(0, 0, width, height), color.Palette{c})
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(buf.Bytes())
}
