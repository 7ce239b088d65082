package docker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/heraldhq/herald/internal/config"
)

// sshTransport reaches an engine's socket through one SSH connection per
// host, kept between collections: every HTTP request is a
// direct-streamlocal channel to the socket. A dead connection is made
// again at the next collection; a failed dial waits a backoff before the
// next attempt, so that an unreachable host is not hammered.
type sshTransport struct {
	addr     string // host:port
	user     string
	cfg      config.SSHConfig
	socket   string
	maxConns int
	o        *options

	mu       sync.Mutex
	keyCache *keyCache
	conn     *sshConn
	failures int
	retryAt  time.Time
	lastErr  error
}

// sshConn is one live SSH connection and the HTTP transport over it.
type sshConn struct {
	client *ssh.Client
	httpT  *http.Transport
	dead   chan struct{} // closed when the connection ends
	stop   chan struct{} // closed by shutdown
	once   sync.Once
}

func newSSHTransport(u *url.URL, cfg config.SSHConfig, maxConns int, o *options) (*sshTransport, error) {
	if u.User == nil || u.User.Username() == "" || u.Hostname() == "" {
		return nil, errors.New("ssh:// needs user@host")
	}
	port := u.Port()
	if port == "" {
		port = "22"
	}
	socket := cfg.Socket
	if socket == "" {
		socket = "/var/run/docker.sock"
	}
	return &sshTransport{addr: net.JoinHostPort(u.Hostname(), port), user: u.User.Username(), cfg: cfg,
		socket: socket, maxConns: maxConns, o: o}, nil
}

func (t *sshTransport) client(ctx context.Context) (*engine, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c := t.conn; c != nil {
		select {
		case <-c.dead:
			c.shutdown()
			t.conn = nil
		default:
			return &engine{httpc: &http.Client{Transport: c.httpT}, base: "http://docker"}, nil
		}
	}
	if now := t.o.now(); now.Before(t.retryAt) {
		return nil, fmt.Errorf("ssh %s: next attempt in %s (%d failed); last error: %w",
			t.addr, t.retryAt.Sub(now).Round(time.Second), t.failures, t.lastErr)
	}
	c, err := t.dial(ctx)
	if err != nil {
		t.failures++
		t.retryAt = t.o.now().Add(t.o.backoff(t.failures))
		t.lastErr = err
		return nil, err
	}
	t.failures, t.lastErr = 0, nil
	t.conn = c
	return &engine{httpc: &http.Client{Transport: c.httpT}, base: "http://docker"}, nil
}

// failed drops the SSH connection unless the error says it works: the
// engine answered, or sshd refused only the socket (a wrong socket path,
// forwarding not allowed), which a new connection would not change.
func (t *sshTransport) failed(err error) {
	var api *apiError
	var open *ssh.OpenChannelError
	if err == nil || errors.As(err, &api) || errors.As(err, &open) || errors.Is(err, errNotFound) {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.conn != nil {
		t.conn.shutdown()
		t.conn = nil
	}
}

func (t *sshTransport) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.conn != nil {
		t.conn.shutdown()
		t.conn = nil
	}
}

// dial connects and logs in, bounded by ctx.
func (t *sshTransport) dial(ctx context.Context) (*sshConn, error) {
	cc, done, err := t.clientConfig()
	if err != nil {
		return nil, fmt.Errorf("ssh %s: %w", t.addr, err)
	}
	defer done()
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", t.addr)
	if err != nil {
		return nil, fmt.Errorf("ssh: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = nc.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	sc, chans, reqs, err := ssh.NewClientConn(nc, t.addr, cc)
	if !stop() {
		if err == nil {
			sc.Close()
		}
		nc.Close()
		return nil, fmt.Errorf("ssh %s: %w", t.addr, ctx.Err())
	}
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("ssh %s@%s: %w", t.user, t.addr, err)
	}
	_ = nc.SetDeadline(time.Time{})
	client := ssh.NewClient(sc, chans, reqs)
	c := &sshConn{client: client, dead: make(chan struct{}), stop: make(chan struct{})}
	ht := newHTTPTransport(t.maxConns)
	socket := t.socket
	ht.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
		conn, err := client.DialContext(ctx, "unix", socket)
		var open *ssh.OpenChannelError
		if errors.As(err, &open) {
			return nil, fmt.Errorf("ssh: the host refused to open %s (%w): check that the socket exists, that the user may "+
				"open it, and that sshd allows AllowStreamLocalForwarding and AllowTcpForwarding (OpenSSH needs both)", socket, err)
		}
		if err != nil {
			return nil, fmt.Errorf("ssh: open %s on the host: %w", socket, err)
		}
		return conn, nil
	}
	c.httpT = ht
	go func() {
		_ = client.Wait()
		close(c.dead)
	}()
	go c.keepAlive(t.o.keepAlive)
	return c, nil
}

// keepAlive asks the server for an answer every interval and closes the
// connection when none comes within the next interval, so that a host
// that vanished (no FIN, no RST) is noticed and dialled again rather than
// each collection waiting for its timeout.
func (c *sshConn) keepAlive(interval time.Duration) {
	if interval <= 0 {
		return
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-c.dead:
			return
		case <-tick.C:
		}
		res := make(chan error, 1)
		go func() {
			// OpenSSH answers the unknown request with a failure: an
			// answer all the same.
			_, _, err := c.client.SendRequest("keepalive@openssh.com", true, nil)
			res <- err
		}()
		timer := time.NewTimer(interval)
		select {
		case err := <-res:
			timer.Stop()
			if err != nil {
				c.client.Close()
				return
			}
		case <-timer.C:
			c.client.Close()
			return
		case <-c.stop:
			timer.Stop()
			return
		}
	}
}

func (c *sshConn) shutdown() {
	c.once.Do(func() {
		close(c.stop)
		c.httpT.CloseIdleConnections()
		c.client.Close()
	})
}
