// Package realdocker starts real Docker engines (Debian's docker.io) and
// SSH servers (openssh-server) for the Docker collector's end-to-end
// tests, each in its own temporary directory and stopped when the test
// ends. Both need root. Without the programs or root a test is skipped
// locally and fails under CI (env CI set), where it must run; `make test`
// installs the packages (scripts/test-deps.sh).
package realdocker

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil"
)

// need ends the test unless path exists (Debian package pkg) and the test
// runs as root: skipped locally, failed under CI.
func need(t testing.TB, path, pkg string) {
	t.Helper()
	var msg string
	if _, err := os.Stat(path); err != nil {
		msg = fmt.Sprintf("%s not installed (Debian: apt-get install %s; `make test` does it as root)", path, pkg)
	} else if os.Geteuid() != 0 {
		msg = fmt.Sprintf("%s needs root", filepath.Base(path))
	} else {
		return
	}
	testutil.Missing(t, msg)
}

// Dockerd is where StartDockerd's programs are.
const (
	Dockerd = "/usr/sbin/dockerd"
	Busybox = "/bin/busybox"
	SSHD    = "/usr/sbin/sshd"
)

// StartDockerd runs a dockerd of its own until the test ends and returns
// its socket path: its own data root, exec root (and so its own
// containerd), pid file and socket under a new temporary directory, an
// empty config file (so /etc/docker/daemon.json does not count), no
// iptables and no bridge (containers need --network none). At the end its
// containers are removed, it is stopped, and nothing it mounted is left.
func StartDockerd(t testing.TB) string {
	t.Helper()
	need(t, Dockerd, "docker.io")
	dir := shortTempDir(t, "rd")
	socket := filepath.Join(dir, "docker.sock")
	cfg := filepath.Join(dir, "daemon.json")
	if err := os.WriteFile(cfg, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := &testutil.Buffer{}
	cmd := exec.Command(Dockerd, "--config-file", cfg, "--data-root", filepath.Join(dir, "data"),
		"--exec-root", filepath.Join(dir, "exec"), "--pidfile", filepath.Join(dir, "docker.pid"),
		"--host", "unix://"+socket, "--iptables=false", "--ip-masq=false", "--bridge=none",
		"--userland-proxy=false")
	cmd.Stdout, cmd.Stderr = out, out
	// If the test binary dies, dockerd must not live on.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dockerd: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		stopDockerd(t, socket, cmd, done)
		unmountUnder(t, dir)
		if t.Failed() {
			t.Logf("dockerd output:\n%s", out.String())
		}
	})
	c := Client(socket)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := c.Get("http://docker/_ping")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return socket
			}
		}
		select {
		case <-done:
			t.Fatalf("dockerd exited early:\n%s", out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("dockerd not ready on %s:\n%s", socket, out.String())
		}
	}
}

// stopDockerd removes the engine's containers (killing them at once:
// busybox as PID 1 ignores SIGTERM, and the daemon would wait 10 s for
// each) and stops it, SIGKILL after 30 s.
func stopDockerd(t testing.TB, socket string, cmd *exec.Cmd, done chan struct{}) {
	var list []struct {
		ID string `json:"Id"`
	}
	if err := GetJSON(socket, "/containers/json?all=true", &list); err == nil {
		for _, c := range list {
			if err := Do(socket, http.MethodDelete, "/containers/"+c.ID+"?force=true&v=true", "", nil, nil); err != nil {
				t.Logf("remove container %s: %v", c.ID[:12], err)
			}
		}
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Errorf("dockerd did not stop in 30s; killing it")
		_ = cmd.Process.Kill()
		<-done
	}
}

// unmountUnder detaches whatever is still mounted under dir (a dockerd
// that was killed leaves its overlays and namespaces), deepest first, so
// that the directory can be removed.
func unmountUnder(t testing.TB, dir string) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return
	}
	defer f.Close()
	var mounts []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 && strings.HasPrefix(fields[4], dir+"/") {
			mounts = append(mounts, fields[4])
		}
	}
	for i := len(mounts) - 1; i >= 0; i-- {
		if err := syscall.Unmount(mounts[i], syscall.MNT_DETACH); err != nil && !errors.Is(err, syscall.EINVAL) {
			t.Logf("unmount %s: %v", mounts[i], err)
		}
	}
}

// shortTempDir is a new temporary directory, removed when the test ends,
// whose path is short whatever the test's name: dockerd and containerd put
// sockets under it (at most 108 bytes).
func shortTempDir(t testing.TB, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Logf("remove %s: %v", dir, err)
		}
	})
	return dir
}

// Client is an HTTP client to the engine at socket; requests go to
// http://docker/....
func Client(socket string) *http.Client {
	return &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		}}}
}
