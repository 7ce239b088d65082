package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testutil/realpg"
)

// With replicas on PostgreSQL a chart link made by one replica works on
// another, which did not draw it: the chart is in the database and every
// replica signs with the same key (derived from the database's, since no
// images.signing_key is set). A link altered, or to a chart not kept, is
// refused as on a single Herald.
func TestChartLinksWorkOnEveryReplica(t *testing.T) {
	srv := realpg.Start(t)
	dsn := srv.NewDatabase(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	replica := func() *App {
		st, err := store.OpenPostgres(context.Background(), dsn, store.Options{}, logger)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		cfg := config.DefaultConfig()
		cfg.DataDir = t.TempDir()
		cfg.ExternalURL = "https://herald.example.com"
		a := &App{logger: logger, store: st}
		if err := a.openImages(&cfg); err != nil {
			t.Fatal(err)
		}
		return a
	}
	drew, other := replica(), replica()
	png := []byte("\x89PNG\r\n\x1a\nthe chart")
	link, err := drew.images.Publish(png)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /images/{file}", other.images)
	get := func(target string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		return rec
	}
	rec := get(u.RequestURI())
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), png) || rec.Header().Get("Content-Type") != "image/png" {
		t.Fatalf("the other replica answered %d %q (%s)", rec.Code, rec.Body.String(), rec.Header().Get("Content-Type"))
	}
	q := u.Query()
	q.Set("sig", "00"+q.Get("sig")[2:])
	if rec := get(u.Path + "?" + q.Encode()); rec.Code != http.StatusForbidden {
		t.Errorf("an altered link: %d, want 403", rec.Code)
	}
	missing, err := drew.images.Publish([]byte("another chart"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := drew.store.PruneImages(context.Background(), farFuture); err != nil {
		t.Fatal(err)
	}
	mu, _ := url.Parse(missing)
	if rec := get(mu.RequestURI()); rec.Code != http.StatusNotFound {
		t.Errorf("a link to a pruned chart: %d, want 404", rec.Code)
	}
}

// farFuture prunes every chart.
var farFuture = time.Now().AddDate(10, 0, 0)
