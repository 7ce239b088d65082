package alertmanager

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/prometheus/alertmanager/pkg/labels"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/testutil/realproc"
)

// These tests use fakes for what the real Alertmanager does not do on
// demand: fail, hang, answer too much.

// seen is what a fake saw of one request.
type seen struct {
	method, path string
	query        url.Values
	header       http.Header
	body         []byte
}

// recorder answers every request with answer and keeps what it saw.
func recorder(t *testing.T, answer string) (*httptest.Server, func() []seen) {
	t.Helper()
	var mu sync.Mutex
	var reqs []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		reqs = append(reqs, seen{r.Method, r.URL.Path, r.URL.Query(), r.Header.Clone(), b})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []seen {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(reqs)
	}
}

func TestRequests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, requests := recorder(t, `{"silenceID":"9a0b5c1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b"}`)
	clock := time.Date(2030, 5, 6, 7, 8, 9, 0, time.FixedZone("CEST", 2*3600))
	c := newClient(t, amConfig(srv.URL+"/am/"), WithClock(func() time.Time { return clock }))

	// The answer is not a list: only the request matters here.
	_, _ = c.Alerts(ctx, AlertFilter{
		Matchers: []*labels.Matcher{matcher(t, labels.MatchRegexp, "instance", `db\d+`), matcher(t, labels.MatchNotEqual, "path", `C:\ "x"`)},
		Active:   new(true), Silenced: new(false), Receiver: "team-.*",
	})
	_, _ = c.Silences(ctx, []*labels.Matcher{matcher(t, labels.MatchEqual, "alertname", "DiskFull")})
	id, err := c.CreateSilence(ctx, Silence{
		Matchers:  []Matcher{{Name: "alertname", Value: "DiskFull", IsEqual: true}, {Name: "env", Value: "dev|test", IsRegex: true}},
		EndsAt:    clock.Add(time.Hour),
		CreatedBy: "@ann", Comment: "disk swap",
	})
	if err != nil || id != "9a0b5c1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b" {
		t.Fatalf("create: %q, %v", id, err)
	}
	_ = c.ExpireSilence(ctx, id)

	reqs := requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests", len(reqs))
	}
	want := []struct{ method, path, query string }{
		{"GET", "/am/api/v2/alerts", `active=true&filter=instance%3D~%22db%5C%5Cd%2B%22&filter=path%21%3D%22C%3A%5C%5C+%5C%22x%5C%22%22&receiver=team-.%2A&silenced=false`},
		{"GET", "/am/api/v2/silences", `filter=alertname%3D%22DiskFull%22`},
		{"POST", "/am/api/v2/silences", ``},
		{"DELETE", "/am/api/v2/silence/" + id, ``},
	}
	for i, r := range reqs {
		if r.method != want[i].method || r.path != want[i].path || r.query.Encode() != want[i].query {
			t.Errorf("request %d: %s %s?%s, want %s %s?%s", i, r.method, r.path, r.query.Encode(), want[i].method, want[i].path, want[i].query)
		}
		if ua := r.header.Get("User-Agent"); ua != "herald" {
			t.Errorf("request %d: User-Agent %q", i, ua)
		}
	}
	var body map[string]any
	if err := json.Unmarshal(reqs[2].body, &body); err != nil {
		t.Fatal(err)
	}
	wantBody := `{"comment":"disk swap","createdBy":"@ann","endsAt":"2030-05-06T06:08:09Z",` +
		`"matchers":[{"isEqual":true,"isRegex":false,"name":"alertname","value":"DiskFull"},{"isEqual":false,"isRegex":true,"name":"env","value":"dev|test"}],` +
		`"startsAt":"2030-05-06T05:08:09Z"}`
	if got, _ := json.Marshal(body); string(got) != wantBody {
		t.Errorf("body\n%s\nwant\n%s", got, wantBody)
	}
	if ct := reqs[2].header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
}

// TestDecode reads answers as Alertmanager 0.21 (no isEqual) and newer
// ones (fields Herald does not know) write them.
func TestDecode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v2/alerts":
			io.WriteString(w, `[{"labels":{"alertname":"A"},"fingerprint":"f1","receivers":[{"name":"r1"},{"name":"r2"}],`+
				`"status":{"state":"suppressed","silencedBy":[],"inhibitedBy":["f0"],"mutedBy":["night"]},"startsAt":"2030-01-01T00:00:00.123Z"}]`)
		default:
			io.WriteString(w, `[{"id":"s1","matchers":[{"name":"a","value":"b","isRegex":false}],"status":{"state":"pending"},"updatedAt":"2030-01-01T00:00:00Z"}]`)
		}
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, amConfig(srv.URL))
	alerts, err := c.Alerts(ctx, AlertFilter{})
	if err != nil || len(alerts) != 1 {
		t.Fatalf("%+v, %v", alerts, err)
	}
	a := alerts[0]
	if a.Annotations == nil || !slices.Equal(a.Receivers, []string{"r1", "r2"}) || a.Status.State != AlertSuppressed ||
		!slices.Equal(a.Status.InhibitedBy, []string{"f0"}) || a.StartsAt.Nanosecond() != 123e6 {
		t.Errorf("%+v", a)
	}
	sils, err := c.Silences(ctx, nil)
	if err != nil || len(sils) != 1 {
		t.Fatalf("%+v, %v", sils, err)
	}
	if s := sils[0]; s.Status.State != SilencePending || len(s.Matchers) != 1 || !s.Matchers[0].IsEqual {
		t.Errorf("%+v", s)
	}
}

// TestStatuses checks the classification of Alertmanager's (and
// proxies') answers.
func TestStatuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status   int
		body     string
		retry    bool
		notFound bool
		text     string
	}{
		{500, `"failed to get alerts: store closed"`, true, false, `HTTP 500: "failed to get alerts: store closed"`},
		{503, "<html>\n<h1>503 Service Unavailable</h1>\n</html>", true, false, `HTTP 503: "<html> <h1>503 Service Unavailable</h1> </html>"`},
		{429, "slow down", true, false, `HTTP 429: "slow down"`},
		{408, "", true, false, `HTTP 408`},
		{400, `"bad matcher format: x"`, false, false, `HTTP 400: "bad matcher format: x"`},
		{422, `{"code":602,"message":"endsAt in body is required"}`, false, false, `HTTP 422: "endsAt in body is required"`},
		{403, "forbidden\x1b[31m", false, false, `HTTP 403: "forbidden\x1b[31m"`},
		{404, "404 page not found", false, false, `HTTP 404: "404 page not found"`},
		{302, "", false, false, `HTTP 302 (a redirect, not followed: follow_redirects is false)`},
	} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if tc.status == 302 {
					w.Header().Set("Location", "/login")
				}
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			t.Cleanup(srv.Close)
			cfg := amConfig(srv.URL)
			cfg.HTTP.FollowRedirects = false
			_, err := newClient(t, cfg).Alerts(context.Background(), AlertFilter{})
			e, ok := errors.AsType[*Error](err)
			if !ok || e.StatusCode != tc.status || IsRetryable(err) != tc.retry || errors.Is(err, ErrNotFound) {
				t.Fatalf("err = %v (%#v), want status %d, retryable %v", err, e, tc.status, tc.retry)
			}
			if want := "alertmanager list alerts: " + tc.text; err.Error() != want {
				t.Errorf("err = %s\nwant  %s", err, want)
			}
		})
	}
}

// TestSilenceStatuses: about one silence, Alertmanager's "not found" is
// ErrNotFound, as 0.25 writes it (500) and later ones (404).
func TestSilenceStatuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status   int
		body     string
		notFound bool
	}{
		{404, "", true},
		{404, `"silence not found"`, true},
		{500, `"silence not found"`, true},
		{500, `"silence already expired"`, false},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(tc.status)
			io.WriteString(w, tc.body)
		}))
		c := newClient(t, amConfig(srv.URL))
		err := c.ExpireSilence(context.Background(), "9a0b5c1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b")
		if errors.Is(err, ErrNotFound) != tc.notFound || IsRetryable(err) == tc.notFound {
			t.Errorf("%d %s: err = %v, want not found %v", tc.status, tc.body, err, tc.notFound)
		}
		srv.Close()
	}
}

func TestBounds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("error text", func(t *testing.T) {
		t.Parallel()
		long := "silence invalid: " + strings.Repeat("é", 10_000)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(long)
		}))
		t.Cleanup(srv.Close)
		_, err := newClient(t, amConfig(srv.URL)).CreateSilence(ctx, silenceOf(""))
		e, ok := errors.AsType[*Error](err)
		if !ok || len(e.Msg) > maxErrorText+len("…") || !utf8.ValidString(e.Msg) || !strings.HasPrefix(e.Msg, "silence invalid: éé") {
			t.Fatalf("Msg = %q (%d bytes)", e.Msg, len(e.Msg))
		}
		if len(err.Error()) > 400 {
			t.Errorf("error of %d bytes", len(err.Error()))
		}
	})
	for _, tc := range []struct {
		name  string
		limit int64
		size  int
		ok    bool
	}{
		{"at the bound", 1 << 10, 1 << 10, true},
		{"over the bound", 1 << 10, 1<<10 + 1, false},
		{"over the default bound", 0, DefaultMaxResponseSize + 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// A valid list padded with spaces to the size.
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				io.WriteString(w, "[]"+strings.Repeat(" ", tc.size-2))
			}))
			t.Cleanup(srv.Close)
			_, err := newClient(t, amConfig(srv.URL), WithMaxResponseSize(tc.limit)).Alerts(ctx, AlertFilter{})
			if tc.ok != (err == nil) || !tc.ok && (!errors.Is(err, ErrTooLarge) || IsRetryable(err)) {
				t.Fatalf("err = %v", err)
			}
			if !tc.ok && !strings.Contains(err.Error(), "answer too large (over ") {
				t.Errorf("err = %v", err)
			}
		})
	}
	t.Run("not JSON", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			io.WriteString(w, "<html>\n<title>Sign in</title></html>")
		}))
		t.Cleanup(srv.Close)
		_, err := newClient(t, amConfig(srv.URL)).Silences(ctx, nil)
		want := `alertmanager list silences: unreadable answer (HTTP 200, starting "<html> <title>Sign in</title></html>"): invalid character '<'`
		if err == nil || !strings.HasPrefix(err.Error(), want) || IsRetryable(err) {
			t.Errorf("err = %v\nwant  %s…", err, want)
		}
	})
}

// TestDeadlines: a call ends at the client's timeout or the caller's
// deadline, whichever comes first.
func TestDeadlines(t *testing.T) {
	t.Parallel()
	hang := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hang.Close)
	short := amConfig(hang.URL)
	short.Timeout = config.Duration(100 * time.Millisecond)
	long := amConfig(hang.URL)
	long.Timeout = config.Duration(time.Minute)
	for _, tc := range []struct {
		name   string
		cfg    config.AlertmanagerConfig
		ctx    func() (context.Context, context.CancelFunc)
		retry  bool
		expect error
	}{
		{"client timeout", short, func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
			true, context.DeadlineExceeded},
		{"caller deadline", long, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 100*time.Millisecond)
		}, true, context.DeadlineExceeded},
		{"caller gave up", long, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			return ctx, cancel
		}, false, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := tc.ctx()
			defer cancel()
			start := time.Now()
			_, err := newClient(t, tc.cfg).Alerts(ctx, AlertFilter{})
			if !errors.Is(err, tc.expect) || IsRetryable(err) != tc.retry {
				t.Fatalf("err = %v, want %v, retryable %v", err, tc.expect, tc.retry)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		_, err := newClient(t, amConfig("http://"+realproc.FreePort(t))).Alerts(context.Background(), AlertFilter{})
		if !IsRetryable(err) || !strings.Contains(err.Error(), "connection refused") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestNew(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ url, want string }{
		{"", "alertmanager: no url configured"},
		{"alertmanager:9093", "alertmanager: url must be an absolute http or https URL"},
		{"ftp://alertmanager", "alertmanager: url must be an absolute http or https URL"},
		{"http://admin:" + testPassword + "@alertmanager:9093", "alertmanager: url must not contain credentials, a query or a fragment (use basic_auth or authorization)"},
		{"http://alertmanager:9093/?token=" + testToken, "alertmanager: url must not contain credentials, a query or a fragment (use basic_auth or authorization)"},
		{"http://admin:" + testPassword + "@alertmanager:9093/%zz", `alertmanager: invalid url: invalid URL escape "%zz"`},
	} {
		_, err := New(amConfig(tc.url), nil)
		if err == nil || err.Error() != tc.want {
			t.Errorf("New(%q) = %v, want %s", tc.url, err, tc.want)
		}
	}
}
