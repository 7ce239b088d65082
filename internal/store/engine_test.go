package store

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/heraldhq/herald/internal/testutil/realpg"
)

// engineEnv runs the store's tests on PostgreSQL when set. TestMain runs
// every test on SQLite, then the test binary again, with the same flags, on
// PostgreSQL: the store's contract is one for both engines.
const engineEnv = "HERALD_STORE_TEST_ENGINE"

func TestMain(m *testing.M) {
	if os.Getenv(engineEnv) == "postgres" {
		os.Exit(realpg.Run(m))
	}
	code := m.Run()
	cmd := exec.Command(os.Args[0], os.Args[1:]...)
	cmd.Env = append(os.Environ(), engineEnv+"=postgres")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	fmt.Println("=== the same tests on PostgreSQL")
	if err := cmd.Run(); err != nil {
		fmt.Println("--- the tests on PostgreSQL failed:", err)
		code = max(code, 1)
	}
	os.Exit(code)
}

// onPostgres says whether this run's tests are on PostgreSQL.
func onPostgres() bool { return os.Getenv(engineEnv) == "postgres" }

// sqliteOnly skips a test of what only SQLite has (a file, pragmas).
func sqliteOnly(t testing.TB) {
	t.Helper()
	if onPostgres() {
		t.Skip("SQLite only")
	}
}

// pgDatabases maps the paths a test opens to its PostgreSQL databases, so
// that opening the same path again reopens the same database.
var pgDatabases sync.Map

func openTest(t testing.TB, path string) *Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "herald.db")
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	var s *Store
	var err error
	if onPostgres() {
		dsn, ok := pgDatabases.Load(path)
		if !ok {
			dsn, _ = pgDatabases.LoadOrStore(path, realpg.Shared(t).NewDatabase(t))
		}
		s, err = OpenPostgres(context.Background(), dsn.(string), Options{}, logger)
	} else {
		s, err = Open(context.Background(), path, Options{}, logger)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
