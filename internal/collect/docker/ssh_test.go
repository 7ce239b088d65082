package docker_test

import (
	"context"
	"github.com/heraldhq/herald/internal/testutil"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/heraldhq/herald/internal/collect/docker"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/testutil/fakedocker"
)

// sshEngine is a fake engine behind an in-process SSH server; it returns
// the server and the engine's socket.
func sshEngine(t *testing.T, o fakedocker.SSHOptions) (*fakedocker.SSHServer, string) {
	t.Helper()
	e := fakedocker.New(fakedocker.Docker20())
	e.Add(web(false))
	return fakedocker.StartSSH(t, o), strings.TrimPrefix(e.ServeUnix(t), "unix://")
}

// serveAgent runs an SSH agent holding key and returns its socket.
func serveAgent(t *testing.T, key *fakedocker.ClientKey) string {
	t.Helper()
	kr := agent.NewKeyring()
	if err := kr.Add(agent.AddedKey{PrivateKey: key.Private()}); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { _ = agent.ServeAgent(kr, c); c.Close() }()
		}
	}()
	return sock
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(f, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestSSHLogins(t *testing.T) {
	t.Parallel()
	key := fakedocker.NewClientKey(t)
	other := fakedocker.NewClientKey(t) // a key nobody authorized
	const password, passphrase = "pw-Zq81-correct", "pp-Xv42-correct"
	srv, socket := sshEngine(t, fakedocker.SSHOptions{User: "herald", Password: password})
	srv.Authorize(key.Public)
	// One key in OpenSSH's format (bcrypt: seconds under the race
	// detector), the others in the legacy PEM one.
	encrypted := key.Encrypted(t, passphrase)
	pemPub, pemKey := fakedocker.NewPEMKey(t, passphrase)
	srv.Authorize(pemPub)
	agentSock := serveAgent(t, key)
	strangerHosts := writeFile(t, knownhosts.Line([]string{"example.org"}, srv.HostKey)+"\n")
	changedHosts := writeFile(t, knownhosts.Line([]string{knownhosts.Normalize(srv.Addr)}, other.Public)+"\n")
	secrets := []string{password, passphrase, "pw-wrong-Kj3", "pp-wrong-Lm9"}

	for _, tc := range []struct {
		name string
		ssh  config.SSHConfig
		want string // "" up, else in the error
	}{
		{"key", config.SSHConfig{KeyFile: key.File}, ""},
		{"encrypted key", config.SSHConfig{KeyFile: encrypted, KeyPassphrase: passphrase}, ""},
		{"encrypted PEM key", config.SSHConfig{KeyFile: pemKey, KeyPassphrase: passphrase}, ""},
		{"encrypted key, passphrase file", config.SSHConfig{KeyFile: pemKey, KeyPassphraseFile: writeFile(t, passphrase+"\n")}, ""},
		{"password", config.SSHConfig{Password: password}, ""},
		{"password file", config.SSHConfig{PasswordFile: writeFile(t, password)}, ""},
		{"agent", config.SSHConfig{Agent: true}, ""},
		{"unauthorized key", config.SSHConfig{KeyFile: other.File}, "unable to authenticate"},
		{"wrong password", config.SSHConfig{Password: "pw-wrong-Kj3"}, "unable to authenticate"},
		{"wrong passphrase", config.SSHConfig{KeyFile: pemKey, KeyPassphrase: "pp-wrong-Lm9"}, "wrong key_passphrase"},
		{"no passphrase", config.SSHConfig{KeyFile: encrypted}, "is encrypted: set key_passphrase"},
		{"no passphrase, PEM", config.SSHConfig{KeyFile: pemKey}, "is encrypted: set key_passphrase"},
		{"host not in known_hosts", config.SSHConfig{Password: password, KnownHosts: strangerHosts}, "is not in " + strangerHosts},
		{"host key changed", config.SSHConfig{Password: password, KnownHosts: changedHosts}, "does not match"},
		{"no known_hosts", config.SSHConfig{Password: password, KnownHosts: "/nonexistent/known_hosts"}, `known_hosts "/nonexistent/known_hosts"`},
		{"wrong socket", config.SSHConfig{Password: password, Socket: "/run/" + password + ".sock"}, "the host refused to open /run/<secret>.sock"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := tc.ssh
			if s.KnownHosts == "" {
				s.KnownHosts = srv.KnownHosts
			}
			if s.Socket == "" {
				s.Socket = socket
			}
			// Decrypting a key takes seconds under the race detector.
			c, logs := newCollector(t, 30*time.Second, []config.DockerHost{{Name: "h", URL: "ssh://herald@" + srv.Addr, SSH: s}},
				docker.WithGetenv(func(k string) string {
					if k == "SSH_AUTH_SOCK" {
						return agentSock
					}
					return ""
				}))
			h := c.Collect(context.Background())[0]
			switch {
			case tc.want == "" && (!h.Up || len(h.Containers) != 1):
				t.Errorf("host %+v, want up", h)
			case tc.want != "" && (h.Up || !strings.Contains(h.Err, tc.want)):
				t.Errorf("host %+v, want down with %q", h, tc.want)
			}
			for _, x := range secrets {
				if strings.Contains(h.Err, x) || strings.Contains(logs.String(), x) {
					t.Errorf("secret %q shown: %q\n%s", x, h.Err, logs.String())
				}
			}
		})
	}
}

// One SSH connection serves every collection; a dropped one is made
// again; failed dials wait a growing backoff.
func TestSSHReconnect(t *testing.T) {
	t.Parallel()
	srv, socket := sshEngine(t, fakedocker.SSHOptions{User: "herald", Password: "pw"})
	clk := newClock()
	c, _ := newCollector(t, 5*time.Second, []config.DockerHost{{Name: "h", URL: "ssh://herald@" + srv.Addr,
		SSH: config.SSHConfig{Password: "pw", KnownHosts: srv.KnownHosts, Socket: socket}}},
		docker.WithClock(clk.Now), docker.WithBackoff(5*time.Second, 8*time.Second), docker.WithKeepAlive(0))
	collect := func() docker.HostState { return c.Collect(context.Background())[0] }
	accepted := func() int { n, _ := srv.Counts(); return n }

	for range 3 {
		if h := collect(); !h.Up {
			t.Fatalf("host %+v", h)
		}
	}
	if n := accepted(); n != 1 {
		t.Fatalf("%d SSH connections for 3 collections, want 1", n)
	}

	// The link drops: the next collections make a new one at once.
	srv.Kill()
	h := collect()
	if !h.Up {
		h = collect() // the first one may have found the dead link itself
	}
	if !h.Up || accepted() != 2 {
		t.Fatalf("after a drop: %+v, %d connections", h, accepted())
	}

	// The host refuses: one dial, then none until the backoff passed.
	srv.Refuse(true)
	srv.Kill()
	for i := 0; i < 3 && accepted() == 2; i++ {
		collect()
	}
	if accepted() != 3 {
		t.Fatalf("%d connections, want a third attempt", accepted())
	}
	if h := collect(); h.Up || !strings.Contains(h.Err, "next attempt in 5s (1 failed)") || accepted() != 3 {
		t.Fatalf("within the backoff: %+v, %d connections", h, accepted())
	}
	clk.Add(5 * time.Second)
	if h := collect(); h.Up || accepted() != 4 {
		t.Fatalf("after the backoff: %+v, %d connections", h, accepted())
	}
	clk.Add(5 * time.Second) // the backoff doubled to 8s (the most)
	if h := collect(); h.Up || !strings.Contains(h.Err, "next attempt in 3s (2 failed)") || accepted() != 4 {
		t.Fatalf("within the second backoff: %+v, %d connections", h, accepted())
	}
	srv.Refuse(false)
	clk.Add(3 * time.Second)
	if h := collect(); !h.Up || accepted() != 5 {
		t.Fatalf("back: %+v, %d connections", h, accepted())
	}
}

// A link that stops answering (no FIN, no RST) is noticed by the
// keepalives and made again.
func TestSSHKeepAlive(t *testing.T) {
	t.Parallel()
	srv, socket := sshEngine(t, fakedocker.SSHOptions{User: "herald", Password: "pw"})
	c, _ := newCollector(t, 5*time.Second, []config.DockerHost{{Name: "h", URL: "ssh://herald@" + srv.Addr,
		SSH: config.SSHConfig{Password: "pw", KnownHosts: srv.KnownHosts, Socket: socket}}},
		docker.WithKeepAlive(20*time.Millisecond))
	if h := c.Collect(context.Background())[0]; !h.Up {
		t.Fatalf("host %+v", h)
	}
	srv.Freeze(true)
	testutil.Poll(t, 10*time.Second, "the frozen link to be replaced", func() bool {
		if n, _ := srv.Counts(); n >= 2 {
			return true
		}
		c.Collect(context.Background())
		return false
	})
}
