package fakedocker

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// SSHServer is an in-process SSH server that does what sshd does for the
// Docker collector: it logs a user in by key or password and opens
// direct-streamlocal@openssh.com channels to unix sockets. It can drop its
// connections, refuse new ones and stop answering, to test reconnection.
type SSHServer struct {
	// Addr is host:port on loopback.
	Addr string
	// KnownHosts is a known_hosts file with the server's host key.
	KnownHosts string
	// HostKey is the server's public host key.
	HostKey ssh.PublicKey

	cfg *ssh.ServerConfig
	l   net.Listener

	mu       sync.Mutex
	conns    []ssh.Conn
	accepted int
	channels int
	refuse   bool
	frozen   bool
	keys     []ssh.PublicKey
}

// SSHOptions say whom the server lets in.
type SSHOptions struct {
	User string
	// Password is accepted when set.
	Password string
	// Keys are the authorized client keys.
	Keys []ssh.PublicKey
}

// StartSSH runs an SSH server on a loopback port until the test ends.
func StartSSH(t testing.TB, o SSHOptions) *SSHServer {
	t.Helper()
	_, hostPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hostSigner, err := ssh.NewSignerFromKey(hostPriv)
	if err != nil {
		t.Fatal(err)
	}
	s := &SSHServer{HostKey: hostSigner.PublicKey(), keys: o.Keys}
	s.cfg = &ssh.ServerConfig{
		PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if o.Password != "" && c.User() == o.User && string(pw) == o.Password {
				return nil, nil
			}
			return nil, errors.New("denied")
		},
		PublicKeyCallback: func(c ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			for _, k := range s.keys {
				if c.User() == o.User && string(k.Marshal()) == string(key.Marshal()) {
					return nil, nil
				}
			}
			return nil, errors.New("denied")
		},
	}
	s.cfg.AddHostKey(hostSigner)
	s.l, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = s.l.Addr().String()
	s.KnownHosts = filepath.Join(t.TempDir(), "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(s.Addr)}, s.HostKey) + "\n"
	if err := os.WriteFile(s.KnownHosts, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { s.accept(&wg) })
	t.Cleanup(func() {
		s.l.Close()
		s.Kill()
		wg.Wait()
	})
	return s
}

// Authorize lets in one more client key.
func (s *SSHServer) Authorize(k ssh.PublicKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, k)
}

// Kill drops every connection, as a restarted sshd or a lost link does.
func (s *SSHServer) Kill() {
	s.mu.Lock()
	conns := s.conns
	s.conns = nil
	s.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

// Refuse makes the server close new TCP connections at once (true), or
// serve them again (false).
func (s *SSHServer) Refuse(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = on
}

// Freeze makes the server stop answering global requests (keepalives),
// as a host that vanished without closing its connections.
func (s *SSHServer) Freeze(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.frozen = on
}

// Counts returns how many TCP connections were accepted (refused ones
// too) and how many socket channels were opened.
func (s *SSHServer) Counts() (accepted, channels int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted, s.channels
}

func (s *SSHServer) accept(wg *sync.WaitGroup) {
	for {
		nc, err := s.l.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.accepted++
		refuse := s.refuse
		s.mu.Unlock()
		if refuse {
			nc.Close()
			continue
		}
		wg.Go(func() { s.serveConn(nc) })
	}
}

func (s *SSHServer) serveConn(nc net.Conn) {
	sc, chans, reqs, err := ssh.NewServerConn(nc, s.cfg)
	if err != nil {
		nc.Close()
		return
	}
	s.mu.Lock()
	s.conns = append(s.conns, sc)
	s.mu.Unlock()
	go func() {
		for r := range reqs {
			s.mu.Lock()
			frozen := s.frozen
			s.mu.Unlock()
			if !frozen && r.WantReply {
				_ = r.Reply(false, nil) // as OpenSSH answers keepalive@openssh.com
			}
		}
	}()
	for nch := range chans {
		if nch.ChannelType() != "direct-streamlocal@openssh.com" {
			_ = nch.Reject(ssh.UnknownChannelType, "only direct-streamlocal")
			continue
		}
		var msg struct {
			SocketPath string
			Reserved0  string
			Reserved1  uint32
		}
		if err := ssh.Unmarshal(nch.ExtraData(), &msg); err != nil {
			_ = nch.Reject(ssh.Prohibited, "bad request")
			continue
		}
		go s.forward(nch, msg.SocketPath)
	}
	sc.Close()
}

// forward joins a channel to a unix socket, as sshd's streamlocal does.
func (s *SSHServer) forward(nch ssh.NewChannel, path string) {
	uc, err := net.Dial("unix", path)
	if err != nil {
		_ = nch.Reject(ssh.ConnectionFailed, "open failed")
		return
	}
	ch, reqs, err := nch.Accept()
	if err != nil {
		uc.Close()
		return
	}
	s.mu.Lock()
	s.channels++
	s.mu.Unlock()
	go ssh.DiscardRequests(reqs)
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(ch, uc); _ = ch.CloseWrite(); done <- struct{}{} }()
	go func() { _, _ = io.Copy(uc, ch); uc.(*net.UnixConn).CloseWrite(); done <- struct{}{} }()
	<-done
	<-done
	ch.Close()
	uc.Close()
}

// ClientKey is a throw-away ed25519 client key.
type ClientKey struct {
	Public ssh.PublicKey
	// File is the private key in OpenSSH format, unencrypted.
	File string
	priv ed25519.PrivateKey
}

// NewClientKey makes a key and writes it to a temporary file.
func NewClientKey(t testing.TB) *ClientKey {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	k := &ClientKey{Public: sp, priv: priv}
	blk, err := ssh.MarshalPrivateKey(priv, "herald test")
	if err != nil {
		t.Fatal(err)
	}
	k.File = filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(k.File, pem.EncodeToMemory(blk), 0o600); err != nil {
		t.Fatal(err)
	}
	return k
}

// Encrypted writes the key encrypted with a passphrase and returns the file.
func (k *ClientKey) Encrypted(t testing.TB, passphrase string) string {
	t.Helper()
	blk, err := ssh.MarshalPrivateKeyWithPassphrase(k.priv, "herald test", []byte(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "id_ed25519_enc")
	if err := os.WriteFile(f, pem.EncodeToMemory(blk), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// Private is the private key, for an agent to hold.
func (k *ClientKey) Private() ed25519.PrivateKey { return k.priv }

// NewPEMKey makes an ECDSA client key and writes it in the legacy PEM
// format, encrypted with passphrase (Proc-Type 4,ENCRYPTED), as older
// ssh-keygen did; it returns the public key and the file. Decrypting it
// is fast, unlike OpenSSH's bcrypt, which takes seconds under the race
// detector.
func NewPEMKey(t testing.TB, passphrase string) (ssh.PublicKey, string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	//nolint:staticcheck // the legacy format is what this key is for
	blk, err := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", der, []byte(passphrase), x509.PEMCipherAES128)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ssh.NewPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "id_ecdsa")
	if err := os.WriteFile(f, pem.EncodeToMemory(blk), 0o600); err != nil {
		t.Fatal(err)
	}
	return pub, f
}
