package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/testutil"
)

// fill ingests n one-alert notifications for channel ops.
func fill(t *testing.T, s *Store, n int) {
	t.Helper()
	for i := range n {
		ingest(t, s, notification("firing", mkAlert(fmt.Sprintf("fp-%04d-%s", i, strings.Repeat("x", 200)), "firing", t0)),
			t0, alert.Target{Channel: "ops"})
	}
}

// TestSQLiteOpenDamaged checks that a damaged database is refused at open with
// its path and what to do, instead of being accepted and failing later.
func TestSQLiteOpenDamaged(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "herald.db")
	s := openTest(t, path)
	fill(t, s, 300)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Checkpointed on close: the data is in the main file. Overwrite a run
	// of pages in the middle of it.
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() < 64<<10 {
		t.Fatalf("database too small to damage: %d bytes", st.Size())
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte(strings.Repeat("\xde\xad\xbe\xef", 4096)), st.Size()/2); err != nil {
		t.Fatal(err)
	}
	f.Close()

	_, err = Open(context.Background(), path, Options{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("Open = %v, want ErrDamaged", err)
	}
	for _, want := range []string{path, "will not start", ".recover", "move the file aside"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q: %v", want, err)
		}
	}
}

// TestSQLiteOpenNotADatabase checks a file that is not SQLite at all.
func TestSQLiteOpenNotADatabase(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "herald.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("not a database ", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path, Options{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open = %v, want ErrDamaged naming the file", err)
	}
}

// TestSQLiteOpenReadOnly checks that a read-only data directory is named with
// the reason, not as SQLite's "unable to open database file (14)".
func TestSQLiteOpenReadOnly(t *testing.T) {
	dir := testutil.Tmpfs(t, 1<<20, "ro")
	_, err := Open(context.Background(), filepath.Join(dir, "herald.db"), Options{},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil {
		t.Fatal("Open on a read-only directory succeeded")
	}
	for _, want := range []string{dir, "not writable", "read-only file system"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q: %v", want, err)
		}
	}
}

// TestSQLiteDiskFull checks that a full disk makes ingests fail and the store
// not ready, and that both recover when space comes back.
func TestSQLiteDiskFull(t *testing.T) {
	dir := testutil.Tmpfs(t, 4<<20)
	s, err := Open(context.Background(), filepath.Join(dir, "herald.db"), Options{ProbeEvery: time.Nanosecond},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	fill(t, s, 5)
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping before the disk is full: %v", err)
	}
	free := testutil.FillDisk(t, dir)
	var ingestErr error
	for i := 0; i < 50 && ingestErr == nil; i++ {
		n := notification("firing", mkAlert(fmt.Sprintf("full-%d-%s", i, strings.Repeat("y", 4000)), "firing", t0))
		_, ingestErr = s.Ingest(ctx, &Ingest{Notification: n, Targets: [][]alert.Target{{{Channel: "ops"}}}, ReceivedAt: t0})
	}
	if ingestErr == nil || !s.eng.fault(ingestErr) {
		t.Fatalf("ingest on a full disk: %v, want a storage fault", ingestErr)
	}
	if err := s.Ping(ctx); err == nil || !strings.Contains(err.Error(), "cannot write the database") {
		t.Fatalf("Ping on a full disk = %v, want not ready", err)
	}
	free()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping after space came back: %v", err)
	}
	fill(t, s, 1)
}

// TestPingProbesAtMostEvery checks that a failed store is not probed on
// every readiness request.
func TestPingProbesAtMostEvery(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	s.opts.ProbeEvery = time.Hour
	s.health.writeErr = errors.New("database or disk is full")
	s.health.probedAt = time.Now()
	if err := s.Ping(context.Background()); err == nil {
		t.Fatal("Ping probed again within ProbeEvery")
	}
	s.health.probedAt = time.Time{}
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("Ping after ProbeEvery: %v", err)
	}
}
