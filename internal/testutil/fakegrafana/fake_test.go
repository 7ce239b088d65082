package fakegrafana_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/heraldhq/herald/internal/testutil/fakegrafana"
)

// recorder is a testing.TB that keeps the fake's test failures.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) failures() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}

type answer struct {
	status int
	ctype  string
	body   []byte
	header http.Header
}

// get sends GET path with auth ("bearer", "basic", "wrong", "") and the
// org header.
func get(t *testing.T, f *fakegrafana.Server, path, auth string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.URL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	switch auth {
	case "bearer":
		req.Header.Set("Authorization", "Bearer "+f.Token())
	case "basic":
		req.SetBasicAuth(fakegrafana.DefaultUser, fakegrafana.DefaultPassword)
	case "wrong":
		req.Header.Set("Authorization", "Bearer nope")
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, ctype: resp.Header.Get("Content-Type"), body: b, header: resp.Header}
}

func newFake(t *testing.T, tb testing.TB) *fakegrafana.Server {
	return fakegrafana.New(tb, fakegrafana.Config{SubPath: "/g", OrgID: 2, Dashboards: []fakegrafana.Dashboard{
		{UID: "a", Title: "Alpha", Panels: []map[string]any{fakegrafana.Panel(1, "P", "stat", 0, 0),
			fakegrafana.Row(2, "R", 8, true, fakegrafana.Panel(3, "Q", "stat", 0, 9))}},
		{UID: "b", Title: "beta", FolderUID: "f", FolderTitle: "Team"},
		{UID: "c", Title: "Gamma", Tags: []string{"x"}},
	}})
}

func TestAuth(t *testing.T) {
	t.Parallel()
	f := newFake(t, t)
	for _, tt := range []struct {
		path, auth string
		status     int
		says       string
	}{
		{"/api/search", "bearer", 200, `"uid":"a"`},
		{"/api/search", "basic", 200, `"uid":"a"`},
		{"/api/search", "wrong", 401, `"message":"Invalid API key","messageId":"api-key.invalid"`},
		{"/api/search", "", 401, `"messageId":"auth.unauthorized"`},
		{"/render/d-solo/a?orgId=2&panelId=1&from=1&to=2&width=10&height=10", "", 302, ""},
		{"/render/d-solo/a?orgId=2&panelId=1&from=1&to=2&width=10&height=10", "wrong", 401, "Invalid API key"},
	} {
		a := get(t, f, tt.path, tt.auth)
		if a.status != tt.status || !strings.Contains(string(a.body), tt.says) {
			t.Errorf("%s as %q: %d %s", tt.path, tt.auth, a.status, a.body)
		}
		if a.status == 302 && a.header.Get("Location") != "/g/login" {
			t.Errorf("redirect to %q", a.header.Get("Location"))
		}
	}
	reqs := f.Requests()
	if reqs[0].Auth != "bearer" || reqs[1].Auth != "basic" || reqs[2].Auth != "" || reqs[2].Status != 401 || reqs[0].Path != "/api/search" {
		t.Errorf("requests %+v", reqs[:3])
	}
}

func TestSearch(t *testing.T) {
	t.Parallel()
	f := newFake(t, t)
	var hits []map[string]any
	a := get(t, f, "/api/search?type=dash-db&query=A&limit=2&page=1", "bearer")
	if err := json.Unmarshal(a.body, &hits); err != nil || len(hits) != 2 || hits[0]["title"] != "Alpha" || hits[1]["title"] != "beta" ||
		hits[1]["folderTitle"] != "Team" || hits[0]["url"] != "/g/d/a/alpha" {
		t.Errorf("page 1: %s", a.body)
	}
	a = get(t, f, "/api/search?type=dash-db&query=A&limit=2&page=2", "bearer")
	if err := json.Unmarshal(a.body, &hits); err != nil || len(hits) != 1 || hits[0]["title"] != "Gamma" {
		t.Errorf("page 2: %s", a.body)
	}
	if a = get(t, f, "/api/search?type=dash-folder", "bearer"); !strings.Contains(string(a.body), `"title":"Team"`) {
		t.Errorf("folders: %s", a.body)
	}
	if a = get(t, f, "/api/search?limit=5001", "bearer"); a.status != 422 || !strings.Contains(string(a.body), "Limit is above maximum") {
		t.Errorf("limit: %d %s", a.status, a.body)
	}
}

func TestStrict(t *testing.T) {
	t.Parallel()
	rec := &recorder{TB: t}
	f := newFake(t, rec)
	for _, path := range []string{
		"/api/search?type=dash-db&qurey=x",
		"/api/search?page=zero",
		"/api/search?type=dashboard",
		"/api/dashboards/uid/a?apiVersion=v2",
		"/render/d-solo/a?orgId=2&panelId=1&from=1&to=2&width=10",
		"/render/d-solo/a?orgId=1&panelId=1&from=1&to=2&width=10&height=10",
		"/render/d-solo/a?orgId=2&panelId=1&from=5&to=2&width=10&height=10",
		"/render/d-solo/a?orgId=2&panelId=x&from=1&to=2&width=10&height=10",
		"/render/d-solo/a?orgId=2&panelId=1&from=1&to=2&width=10&height=10&theme=blue",
		"/api/nothing",
	} {
		if a := get(t, f, path, "bearer"); a.status/100 != 4 || !strings.Contains(string(a.body), "fakegrafana: ") {
			t.Errorf("%s: %d %s", path, a.status, a.body)
		}
	}
	if n, p := len(rec.failures()), len(f.Problems()); n != 10 || p != 10 {
		t.Errorf("%d failures, %d problems: %v", n, p, f.Problems())
	}
	if len(f.Renders()) != 0 {
		t.Error("a malformed render was recorded")
	}
}

func TestDashboardModel(t *testing.T) {
	t.Parallel()
	f := newFake(t, t)
	a := get(t, f, "/api/dashboards/uid/a", "bearer")
	var d struct {
		Dashboard struct {
			UID    string           `json:"uid"`
			Panels []map[string]any `json:"panels"`
		} `json:"dashboard"`
		Meta map[string]any `json:"meta"`
	}
	if err := json.Unmarshal(a.body, &d); err != nil || d.Dashboard.UID != "a" || len(d.Dashboard.Panels) != 2 ||
		d.Meta["slug"] != "alpha" || d.Meta["folderTitle"] != "General" {
		t.Errorf("dashboard: %v %s", err, a.body)
	}
	if a = get(t, f, "/api/dashboards/uid/zzz", "bearer"); a.status != 404 || string(a.body) != `{"message":"Dashboard not found"}`+"\n" {
		t.Errorf("unknown: %d %s", a.status, a.body)
	}
}

func TestRender(t *testing.T) {
	t.Parallel()
	f := newFake(t, t)
	for _, tt := range []struct {
		path  string
		found bool
	}{
		{"/render/d-solo/a?orgId=2&panelId=3&from=now-6h&to=now&width=300&height=100&var-query=up&var-x=1&var-x=2", true},
		{"/render/d-solo/a/alpha?orgId=2&panelId=2&from=1000&to=2000&width=300&height=100&timeout=5&tz=UTC&theme=dark", false},
		{"/render/d-solo/zzz?orgId=2&panelId=1&from=1000&to=2000&width=300&height=100", false},
	} {
		a := get(t, f, tt.path, "bearer")
		img, err := png.Decode(bytes.NewReader(a.body))
		if err != nil || a.ctype != "image/png" || img.Bounds().Dx() != 300 || img.Bounds().Dy() != 100 {
			t.Fatalf("%s: %v %s", tt.path, err, a.ctype)
		}
		r, g, b, _ := img.At(1, 1).RGBA()
		want := fakegrafana.NotFoundColor
		if tt.found {
			want = fakegrafana.PanelColor("a", 3, "up")
		}
		if uint8(r>>8) != want.R || uint8(g>>8) != want.G || uint8(b>>8) != want.B {
			t.Errorf("%s: wrong color", tt.path)
		}
	}
	rs := f.Renders()
	if len(rs) != 3 || !rs[0].Found || rs[0].RawFrom != "now-6h" || !rs[0].From.IsZero() || len(rs[0].Vars["x"]) != 2 ||
		rs[1].Found || rs[1].Timeout != 5 || rs[1].From.UnixMilli() != 1000 || rs[2].Found {
		t.Errorf("renders %+v", rs)
	}

	f.SetRenderer(fakegrafana.RendererNone)
	a := get(t, f, "/render/d-solo/a?orgId=2&panelId=3&from=1&to=2&width=300&height=100", "bearer")
	if a.status != 500 || !strings.Contains(string(a.body), "<h2>Rendering failed.</h2>") {
		t.Errorf("no renderer: %d %s", a.status, a.body)
	}
	if a = get(t, f, "/api/frontend/settings", "bearer"); !strings.Contains(string(a.body), `"rendererAvailable":false`) {
		t.Errorf("settings: %s", a.body)
	}
	f.SetRenderer(fakegrafana.RendererNonePlaceholder)
	a = get(t, f, "/render/d-solo/a?orgId=2&panelId=3&from=1&to=2&width=300&height=100", "bearer")
	if img, err := png.Decode(bytes.NewReader(a.body)); err != nil || a.status != 200 || img.Bounds().Dx() != fakegrafana.PlaceholderWidth {
		t.Errorf("placeholder: %d %v", a.status, err)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	f := newFake(t, t)
	f.FailNext(1, fakegrafana.FaultLogin)
	if a := get(t, f, "/api/search", "bearer"); a.status != 302 || !strings.HasPrefix(a.header.Get("Location"), "/g/login?") {
		t.Errorf("login: %d %v", a.status, a.header)
	}
	f.AnswerNext(1, 503, "text/plain", "down")
	if a := get(t, f, "/api/search", "bearer"); a.status != 503 || string(a.body) != "down" {
		t.Errorf("answer: %d %s", a.status, a.body)
	}
	if reqs := f.Requests(); !reqs[0].Injected || !reqs[1].Injected {
		t.Errorf("requests %+v", reqs)
	}
}
