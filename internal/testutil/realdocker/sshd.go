package realdocker

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/heraldhq/herald/internal/testutil"
)

// SSHDServer is a running sshd.
type SSHDServer struct {
	// Addr is 127.0.0.1:port.
	Addr string
	// User is who logs in: the user running the test.
	User string
	// KnownHosts is a known_hosts file with the server's host key.
	KnownHosts string
	// KeyFile is the user's private key (OpenSSH format, unencrypted),
	// authorized on the server.
	KeyFile string
}

// StartSSHD runs OpenSSH's sshd from a config of its own on a loopback
// port until the test ends: throw-away host and user keys, public key
// login only, no PAM, no strict modes (the files are in a temporary
// directory) and local forwarding allowed (AllowStreamLocalForwarding and,
// as OpenSSH also needs, AllowTcpForwarding local), so that a client
// reaches unix sockets (a Docker socket) through it. extra are config lines put
// first, so that they win (sshd takes a keyword's first value), e.g.
// "AllowStreamLocalForwarding no".
func StartSSHD(t testing.TB, extra ...string) *SSHDServer {
	t.Helper()
	need(t, SSHD, "openssh-server")
	// sshd checks that its privilege separation directory exists.
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Fatal(err)
	}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	hostKey := writeKey(t, filepath.Join(dir, "host_ed25519"))
	userKey := writeKey(t, filepath.Join(dir, "id_ed25519"))
	authorized := filepath.Join(dir, "authorized_keys")
	must(t, os.WriteFile(authorized, ssh.MarshalAuthorizedKey(userKey), 0o600))

	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := l.Addr().String()
	l.Close()
	_, port, _ := net.SplitHostPort(addr)

	cfg := strings.Join(append(extra,
		"Port "+port,
		"ListenAddress 127.0.0.1",
		"HostKey "+filepath.Join(dir, "host_ed25519"),
		"PidFile "+filepath.Join(dir, "sshd.pid"),
		"AuthorizedKeysFile "+authorized,
		"UsePAM no",
		"StrictModes no",
		"PubkeyAuthentication yes",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"PermitRootLogin prohibit-password",
		"AllowStreamLocalForwarding yes",
		// OpenSSH grants socket channels only where it grants local TCP
		// forwarding too.
		"AllowTcpForwarding local",
		"X11Forwarding no",
		"PermitTTY no",
		"LogLevel DEBUG1",
	), "\n") + "\n"
	cfgPath := filepath.Join(dir, "sshd_config")
	must(t, os.WriteFile(cfgPath, []byte(cfg), 0o600))
	if out, err := exec.Command(SSHD, "-t", "-f", cfgPath).CombinedOutput(); err != nil {
		t.Fatalf("sshd -t: %v\n%s\n%s", err, out, cfg)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, SSHD, "-D", "-e", "-f", cfgPath)
	out := &testutil.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start sshd: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		if t.Failed() {
			t.Logf("sshd output:\n%s", out.String())
		}
	})
	waitBanner(t, addr, done, out)

	kh := filepath.Join(dir, "known_hosts")
	must(t, os.WriteFile(kh, []byte(knownhosts.Line([]string{knownhosts.Normalize(addr)}, hostKey)+"\n"), 0o600))
	return &SSHDServer{Addr: addr, User: u.Username, KnownHosts: kh, KeyFile: filepath.Join(dir, "id_ed25519")}
}

// waitBanner waits until sshd greets on addr.
func waitBanner(t testing.TB, addr string, done chan struct{}, out *testutil.Buffer) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			_ = c.SetDeadline(time.Now().Add(2 * time.Second))
			buf := make([]byte, 8)
			n, _ := c.Read(buf)
			c.Close()
			if strings.HasPrefix(string(buf[:n]), "SSH-2.0") {
				return
			}
		}
		select {
		case <-done:
			t.Fatalf("sshd exited early:\n%s", out.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("sshd not ready on %s:\n%s", addr, out.String())
		}
	}
}

// writeKey writes a new ed25519 private key in OpenSSH format and returns
// its public key.
func writeKey(t testing.TB, path string) ssh.PublicKey {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	must(t, err)
	blk, err := ssh.MarshalPrivateKey(priv, "herald test")
	must(t, err)
	must(t, os.WriteFile(path, pem.EncodeToMemory(blk), 0o600))
	sp, err := ssh.NewPublicKey(pub)
	must(t, err)
	return sp
}
