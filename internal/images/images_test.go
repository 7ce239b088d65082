package images

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func newStore(t *testing.T) (*Store, *httptest.Server, *time.Time) {
	t.Helper()
	now := time.Date(2026, 11, 21, 5, 0, 0, 0, time.UTC)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s, err := Open(t.TempDir(), []byte("0123456789abcdef0123"), 7*24*time.Hour, srv.URL+"/", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return now }
	mux.Handle("GET /images/{file}", s)
	return s, srv, &now
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestSignedLinks(t *testing.T) {
	s, srv, now := newStore(t)
	png := []byte("\x89PNG\r\n\x1a\nfake chart")
	link, err := s.Publish(png)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, srv.URL+"/images/") || strings.Contains(link, "//images") {
		t.Fatalf("link %s", link)
	}
	if code, body := get(t, link); code != 200 || body != string(png) {
		t.Fatalf("valid link: %d %q", code, body)
	}
	u, _ := url.Parse(link)
	q := u.Query()
	tampered := func(k, v string) string {
		c := *u
		qq := url.Values{}
		for kk, vv := range q {
			qq[kk] = vv
		}
		qq.Set(k, v)
		c.RawQuery = qq.Encode()
		return c.String()
	}
	for name, l := range map[string]string{
		"later expiry":  tampered("exp", "9999999999"),
		"other sig":     tampered("sig", strings.Repeat("ab", 32)),
		"no sig":        tampered("sig", ""),
		"other picture": strings.Replace(link, u.Path, "/images/"+strings.Repeat("0", 32)+".png", 1),
	} {
		if code, _ := get(t, l); code != 403 {
			t.Errorf("%s: %d, want 403", name, code)
		}
	}
	if code, _ := get(t, srv.URL+"/images/..%2Fimages.key"); code != 404 {
		t.Errorf("path traversal: %d", code)
	}
	*now = now.Add(8 * 24 * time.Hour)
	if code, _ := get(t, link); code != 410 {
		t.Errorf("expired link: %d, want 410", code)
	}
}

func TestCleanupAndKey(t *testing.T) {
	s, _, now := newStore(t)
	if _, err := s.Publish([]byte("old")); err != nil {
		t.Fatal(err)
	}
	old := now.Add(-8 * 24 * time.Hour)
	entries, _ := os.ReadDir(s.dir)
	os.Chtimes(filepath.Join(s.dir, entries[0].Name()), old, old)
	if _, err := s.Publish([]byte("new")); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Cleanup(); err != nil || n != 1 {
		t.Fatalf("cleanup removed %d: %v", n, err)
	}
	dir := t.TempDir()
	k1, err := LoadKey("", dir)
	if err != nil || len(k1) != 32 {
		t.Fatalf("key %x %v", k1, err)
	}
	k2, _ := LoadKey("", dir)
	if string(k1) != string(k2) {
		t.Fatal("the key must survive a restart")
	}
	if k, _ := LoadKey("configured-secret-key", dir); string(k) != "configured-secret-key" {
		t.Fatal("configured key ignored")
	}
}
