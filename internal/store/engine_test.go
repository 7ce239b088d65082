package store

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/heraldhq/herald/internal/testutil/realpg"
)

// engineEnv runs the store's tests on PostgreSQL when set. TestMain runs
// every test on SQLite, then the test binary again, with the same flags, on
// PostgreSQL: the store's contract is one for both engines.
const engineEnv = "HERALD_STORE_TEST_ENGINE"

func TestMain(m *testing.M) {
	code := realpg.Run(m)
	if os.Getenv(engineEnv) == "postgres" {
		os.Exit(code)
	}
	cmd := exec.Command(os.Args[0], childArgs(os.Args[1:])...)
	cmd.Env = append(os.Environ(), engineEnv+"=postgres")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	fmt.Println("=== the same tests on PostgreSQL")
	if err := cmd.Run(); err != nil {
		fmt.Println("--- the tests on PostgreSQL failed:", err)
		code = max(code, 1)
	}
	os.Exit(code)
}

// engineTests are the tests of one engine's own behaviour, named so:
// TestSQLite… (a file, pragmas) and TestPostgres… (a server that stops,
// connections cut, NOTIFY, the copy from SQLite). They open their engine
// themselves and run once, in the first run.
const engineTests = `^Test(SQLite|Postgres)`

// childArgs are the test flags of the run on PostgreSQL: the same, leaving
// out the engine's own tests besides what -test.skip leaves out already.
func childArgs(args []string) []string {
	skip := engineTests
	var out []string
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "-test.skip="); ok && v != "" {
			skip = v + "|" + engineTests
			continue
		}
		out = append(out, a)
	}
	return append(out, "-test.skip="+skip)
}

// onPostgres says whether this run's tests are on PostgreSQL.
func onPostgres() bool { return os.Getenv(engineEnv) == "postgres" }

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
