// Package realpg starts real PostgreSQL servers (Debian's postgresql) for
// tests: each cluster has its own temporary directory, listens on a free
// loopback port only, and is stopped — with nothing left behind — by the
// test or test binary that started it. Without the server programs a test
// is skipped locally and fails under CI (env CI set), where it must run;
// `make test` installs the package (scripts/test-deps.sh).
//
// A test that breaks the server on purpose (Stop, Restart, Crash) takes a
// cluster of its own with Start; tests that only need a database share one
// cluster per test binary with Shared, because initdb costs about a second.
package realpg

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/heraldhq/herald/internal/testutil"
)

// User is the superuser every cluster is made with; it logs in over
// loopback without a password.
const User = "herald"

// binGlob is where Debian's server programs are: on CI there are no
// symlinks to them in /usr/local/bin or on PATH.
const binGlob = "/usr/lib/postgresql/*/bin"

// Server is one PostgreSQL cluster. Its methods may be called from
// parallel tests; the fault tools (Stop, Start, Restart, Crash) only on a
// cluster of the test's own.
type Server struct {
	bin    string              // directory of initdb and postgres
	dir    string              // private directory: data/, postgres.log
	port   int                 // fixed for the cluster's life, restarts included
	cred   *syscall.Credential // the postgres user's, when the tests run as root
	shared bool                // made by Shared: fault tools refuse it
	seq    atomic.Int64        // numbers NewDatabase's names

	mu   sync.Mutex
	proc *exec.Cmd     // the running postmaster, nil while stopped
	done chan struct{} // closed when proc has exited
}

// Start makes a cluster of the test's own and starts it; when the test
// ends it is stopped (fast shutdown) and its directory removed.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := need(t)
	s, err := newServer(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("postgres log (tail):\n%s", s.logTail())
		}
		if err := s.close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// need returns the directory of the newest installed server programs, or
// ends the test: skipped locally, failed under CI.
func need(t testing.TB) string {
	t.Helper()
	bin, msg := findBin()
	if msg == "" && os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			msg = "as root the server runs as user postgres, which does not exist (Debian's package postgresql creates it)"
		}
	}
	if msg == "" {
		return bin
	}
	testutil.Missing(t, msg)
	return ""
}

// findBin picks the highest version under binGlob that has both initdb
// and postgres, or says what is missing.
func findBin() (string, string) {
	dirs, _ := filepath.Glob(binGlob)
	sort.Slice(dirs, func(i, j int) bool { return versionLess(dirs[j], dirs[i]) })
	for _, d := range dirs {
		if isFile(filepath.Join(d, "initdb")) && isFile(filepath.Join(d, "postgres")) {
			return d, ""
		}
	}
	return "", fmt.Sprintf("PostgreSQL server not installed in %s (Debian: apt-get install postgresql; `make test` does it as root)", binGlob)
}

// versionLess compares /usr/lib/postgresql/<version>/bin paths by version,
// numerically, so that 9.6 < 10 < 15.
func versionLess(a, b string) bool {
	va := strings.Split(filepath.Base(filepath.Dir(a)), ".")
	vb := strings.Split(filepath.Base(filepath.Dir(b)), ".")
	for i := 0; i < len(va) && i < len(vb); i++ {
		x, _ := strconv.Atoi(va[i])
		y, _ := strconv.Atoi(vb[i])
		if x != y {
			return x < y
		}
	}
	return len(va) < len(vb)
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// Port is the loopback TCP port the cluster listens on.
func (s *Server) Port() int { return s.port }

// DSN is the connection string for database db as User.
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", User, s.port, db)
}

// mustOwn ends the test if s is the shared cluster, which other tests use
// at the same time.
func (s *Server) mustOwn(t testing.TB, what string) {
	t.Helper()
	if s.shared {
		t.Fatalf("realpg: %s on the shared cluster would break the tests that share it; use realpg.Start", what)
	}
}

// Stop shuts the cluster down (fast: open connections are cut, committed
// data is checkpointed) and waits until it has exited; connections are
// refused until Start.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	s.mustOwn(t, "Stop")
	if err := s.stop(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
}

// Crash stops the cluster the way a power cut would as far as the server
// knows: immediate shutdown, no checkpoint, so the next Start replays the
// WAL. Whatever was committed must survive it (fsync stays on).
func (s *Server) Crash(t testing.TB) {
	t.Helper()
	s.mustOwn(t, "Crash")
	if err := s.stop(syscall.SIGQUIT); err != nil {
		t.Fatal(err)
	}
}

// Start starts a stopped cluster again on the same port and data, and
// waits until it accepts connections.
func (s *Server) Start(t testing.TB) {
	t.Helper()
	s.mustOwn(t, "Start")
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
}

// Restart is Stop then Start.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop(t)
	s.Start(t)
}
