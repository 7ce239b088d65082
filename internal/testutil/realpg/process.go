package realpg

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/heraldhq/herald/internal/testutil"
)

const (
	// readyTimeout bounds a start: crash recovery after Crash included.
	readyTimeout = 60 * time.Second
	// stopTimeout is how long a shutdown may take before SIGKILL.
	stopTimeout = 60 * time.Second
	// maxConnections leaves room for end-to-end tests that run three
	// Herald processes, each with its own pool, next to the test's own.
	maxConnections = 200
)

// newServer makes a cluster in a new private directory and starts it. On
// failure nothing is left running or on disk.
func newServer(bin string) (s *Server, err error) {
	// Not t.TempDir: its parent is root's and 0700, which the postgres
	// user could not enter.
	dir, err := os.MkdirTemp("", "realpg")
	if err != nil {
		return nil, err
	}
	s = &Server{bin: bin, dir: dir}
	defer func() {
		if err != nil {
			_ = s.close()
		}
	}()
	if os.Geteuid() == 0 {
		// initdb and postgres refuse to run as root.
		if s.cred, err = postgresCred(); err != nil {
			return nil, err
		}
		if err := os.Chown(dir, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			return nil, err
		}
	}
	if err := s.initdb(); err != nil {
		return nil, err
	}
	if s.port, err = freePort(); err != nil {
		return nil, err
	}
	if err := s.start(); err != nil {
		return nil, err
	}
	return s, nil
}

// postgresCred is the postgres user's identity, without root's
// supplementary groups.
func postgresCred() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("realpg: as root the server runs as user postgres: %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, err
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

// command runs program name from the server's bin directory in its
// private directory, as the postgres user when the tests run as root.
// If the test binary dies, the program must not live on.
func (s *Server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred, Pdeathsig: syscall.SIGKILL}
	return cmd
}

func (s *Server) dataDir() string { return filepath.Join(s.dir, "data") }
func (s *Server) logPath() string { return filepath.Join(s.dir, "postgres.log") }

// initdb makes the cluster: User is the superuser, trusted (it only
// listens on loopback), C locale so that no test depends on the machine's.
// --no-sync only skips flushing the new cluster's files once at creation —
// a machine crash loses the temporary cluster anyway; the server's own
// fsync at commit stays on, since tests check durability.
func (s *Server) initdb() error {
	cmd := s.command("initdb", "-D", s.dataDir(), "-U", User, "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-sync")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("realpg: initdb: %v:\n%s", err, out)
	}
	return nil
}

// freePort is a loopback port nobody listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// start runs the postmaster as a child of the test binary (not through
// pg_ctl, which would detach it: as a child it dies with the binary, and
// its exit is an event to wait on), then waits until it takes connections.
func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		return errors.New("realpg: start: already running")
	}
	log, err := os.OpenFile(s.logPath(), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer log.Close() // the child has its own copy
	cmd := s.command("postgres", "-D", s.dataDir(), "-p", strconv.Itoa(s.port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=", // TCP only: nothing to clash with the system's /var/run/postgresql
		"-c", "max_connections="+strconv.Itoa(maxConnections))
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("realpg: start postgres: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	if err := s.waitReady(done); err != nil {
		_ = cmd.Process.Kill()
		<-done
		return err
	}
	s.proc, s.done = cmd, done
	return nil
}

// waitReady waits until the server takes a connection, until it exits or
// until readyTimeout has passed.
func (s *Server) waitReady(exited <-chan struct{}) error {
	deadline := time.NewTimer(readyTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(testutil.PollEvery)
	defer tick.Stop()
	for {
		err := s.ping()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("realpg: postgres exited while starting; log tail:\n%s", s.logTail())
		case <-deadline.C:
			return fmt.Errorf("realpg: postgres not ready on port %d after %s: %v; log tail:\n%s",
				s.port, readyTimeout, err, s.logTail())
		case <-tick.C:
		}
	}
}

func (s *Server) ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

// stop sends the postmaster sig (SIGINT: fast shutdown, SIGQUIT:
// immediate) and waits until it has exited; after stopTimeout it is
// killed. A stopped server is left alone.
func (s *Server) stop(sig syscall.Signal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return nil
	}
	proc, done := s.proc, s.done
	s.proc, s.done = nil, nil
	_ = proc.Process.Signal(sig)
	select {
	case <-done:
		return nil
	case <-time.After(stopTimeout):
		_ = proc.Process.Kill()
		<-done
		return fmt.Errorf("realpg: postgres did not stop in %s on %v; killed it; log tail:\n%s", stopTimeout, sig, s.logTail())
	}
}

// running says whether the postmaster is up (as far as this package
// started it).
func (s *Server) running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proc != nil
}

// close stops the server and removes its directory.
func (s *Server) close() error {
	err := s.stop(syscall.SIGINT)
	if rerr := os.RemoveAll(s.dir); rerr != nil && err == nil {
		err = fmt.Errorf("realpg: remove %s: %w", s.dir, rerr)
	}
	return err
}

// logTail is the end of the server's log, for error messages.
func (s *Server) logTail() string {
	const tailBytes = 4 << 10
	b, err := os.ReadFile(s.logPath())
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	if len(b) > tailBytes {
		b = b[len(b)-tailBytes:]
		if i := strings.IndexByte(string(b), '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return string(b)
}
