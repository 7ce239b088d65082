// Package images hosts rendered charts for the platforms that take images
// by URL only (DingTalk, Teams, Slack webhooks). Store keeps charts as files
// in the data directory served at GET /images/{id}.png with an HMAC-signed,
// expiring link built from external_url, and removes old files; S3Store
// uploads them to S3-compatible storage instead, for a Herald that chat
// platforms cannot reach.
package images

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Store keeps chart files and signs and checks their links. It is safe for
// concurrent use.
type Store struct {
	dir string
	// blobs keeps the charts instead of dir when several replicas serve
	// the links (OpenShared).
	blobs  Blobs
	key    []byte
	ttl    time.Duration
	base   string
	now    func() time.Time
	logger *slog.Logger
}

// Blobs keeps chart PNGs where every replica reads them: the shared
// database, when several Herald replicas sit behind external_url and the
// link may reach another than the one that drew the chart.
type Blobs interface {
	PutImage(ctx context.Context, id string, png []byte, expires time.Time) error
	Image(ctx context.Context, id string) (png []byte, saved time.Time, ok bool, err error)
	PruneImages(ctx context.Context, before time.Time) (int64, error)
}

// blobTimeout bounds one read or write of a chart in Blobs.
const blobTimeout = 5 * time.Second

// OpenShared makes a store that keeps its charts in blobs, for replicas
// that share them; key must be the same on every replica.
func OpenShared(blobs Blobs, key []byte, ttl time.Duration, externalURL string, logger *slog.Logger) (*Store, error) {
	if len(key) < 16 {
		return nil, errors.New("images: the signing key must have at least 16 bytes")
	}
	return &Store{blobs: blobs, key: key, ttl: ttl, base: strings.TrimSuffix(externalURL, "/"), now: time.Now,
		logger: logger}, nil
}

// idPattern is what Publish names files: a content hash, so publishing the
// same chart twice keeps one file.
var idPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Open makes a store in dir whose links start with externalURL.
func Open(dir string, key []byte, ttl time.Duration, externalURL string, logger *slog.Logger) (*Store, error) {
	if len(key) < 16 {
		return nil, errors.New("images: the signing key must have at least 16 bytes")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("images: %w", err)
	}
	return &Store{dir: dir, key: key, ttl: ttl, base: strings.TrimSuffix(externalURL, "/"), now: time.Now, logger: logger}, nil
}

// Publish stores a PNG and returns a link to it that works for the TTL.
func (s *Store) Publish(png []byte) (string, error) {
	sum := sha256.Sum256(png)
	id := hex.EncodeToString(sum[:16])
	exp := s.now().Add(s.ttl)
	if s.blobs != nil {
		ctx, cancel := context.WithTimeout(context.Background(), blobTimeout)
		defer cancel()
		if err := s.blobs.PutImage(ctx, id, png, exp); err != nil {
			return "", fmt.Errorf("images: %w", err)
		}
		return s.link(id, exp.Unix()), nil
	}
	path := filepath.Join(s.dir, id+".png")
	tmp, err := os.CreateTemp(s.dir, id+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("images: %w", err)
	}
	_, werr := tmp.Write(png)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("images: write: %w", err)
	}
	// Rename also refreshes the file's time, which is what Cleanup reads.
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("images: %w", err)
	}
	return s.link(id, exp.Unix()), nil
}

func (s *Store) link(id string, exp int64) string {
	return fmt.Sprintf("%s/images/%s.png?exp=%d&sig=%s", s.base, id, exp, s.sign(id, exp))
}

func (s *Store) sign(id string, exp int64) string {
	m := hmac.New(sha256.New, s.key)
	fmt.Fprintf(m, "%s.%d", id, exp)
	return hex.EncodeToString(m.Sum(nil))
}

// ServeHTTP serves GET /images/{id}.png: 403 for a link that was not signed
// by this Herald (or was altered), 410 for an expired one, 404 when the file
// is gone.
func (s *Store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	id, ok := strings.CutSuffix(name, ".png")
	if !ok || !idPattern.MatchString(id) {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	q := r.URL.Query()
	exp, err := strconv.ParseInt(q.Get("exp"), 10, 64)
	sig, herr := hex.DecodeString(q.Get("sig"))
	want, _ := hex.DecodeString(s.sign(id, exp))
	if err != nil || herr != nil || !hmac.Equal(sig, want) {
		http.Error(w, "forbidden: invalid image link", http.StatusForbidden)
		return
	}
	left := time.Unix(exp, 0).Sub(s.now())
	if left <= 0 {
		http.Error(w, "gone: the image link has expired", http.StatusGone)
		return
	}
	if s.blobs != nil {
		ctx, cancel := context.WithTimeout(r.Context(), blobTimeout)
		defer cancel()
		png, saved, ok, err := s.blobs.Image(ctx, id)
		switch {
		case err != nil:
			s.logger.Warn("cannot read a chart image from the store", "err", err)
			http.Error(w, "cannot read the image now", http.StatusServiceUnavailable)
		case !ok:
			http.Error(w, "not found", http.StatusNotFound)
		default:
			servePNG(w, r, left, saved, bytes.NewReader(png))
		}
		return
	}
	f, err := os.Open(filepath.Join(s.dir, id+".png"))
	if err != nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	servePNG(w, r, left, st.ModTime(), f)
}

// servePNG answers with a chart that its link allows for left more.
func servePNG(w http.ResponseWriter, r *http.Request, left time.Duration, modified time.Time, png io.ReadSeeker) {
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d, immutable", int(left.Seconds())))
	http.ServeContent(w, r, "", modified, png)
}

// Cleanup removes chart files older than the TTL (their links have expired)
// and temporary files left by a crash.
func (s *Store) Cleanup() (removed int, err error) {
	if s.blobs != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		n, err := s.blobs.PruneImages(ctx, s.now())
		return int(n), err
	}
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return 0, err
	}
	cut := s.now().Add(-s.ttl)
	for _, e := range entries {
		info, ierr := e.Info()
		if ierr != nil || e.IsDir() {
			continue
		}
		stale := info.ModTime().Before(cut)
		if strings.HasSuffix(e.Name(), ".tmp") {
			stale = info.ModTime().Before(s.now().Add(-time.Hour))
		}
		if stale && os.Remove(filepath.Join(s.dir, e.Name())) == nil {
			removed++
		}
	}
	return removed, nil
}

// Run cleans up every hour until ctx is done.
func (s *Store) Run(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := s.Cleanup(); err != nil {
			s.logger.Warn("cannot clean up chart images", "err", err)
		} else if n > 0 {
			s.logger.Debug("removed expired chart images", "files", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
