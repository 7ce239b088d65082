package fakehttp

import (
	"crypto/x509"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Proxy is an HTTP proxy on a loopback port that tunnels CONNECT requests
// (what a client does for an https URL through proxy_url) and records
// them, so that a test can check that a client went through it.
type Proxy struct {
	*httptest.Server
	mu      sync.Mutex
	tunnels []Tunnel
	conns   []net.Conn
	wg      sync.WaitGroup
}

// Tunnel is one CONNECT the proxy served.
type Tunnel struct {
	// Host is the target, host:port.
	Host string
	// Header holds the CONNECT request's headers (Proxy-Authorization,
	// proxy_connect_header).
	Header http.Header
}

// NewProxy starts a CONNECT proxy; it is closed when the test ends.
func NewProxy(tb testing.TB) *Proxy {
	tb.Helper()
	p := &Proxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	tb.Cleanup(func() {
		p.Close()
		// Clients keep idle tunnels open: close them, or the copies
		// would never end.
		p.mu.Lock()
		for _, c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

// Tunnels returns the CONNECTs served so far.
func (p *Proxy) Tunnels() []Tunnel {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Tunnel(nil), p.tunnels...)
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect {
		http.Error(w, "this proxy only tunnels (CONNECT)", http.StatusMethodNotAllowed)
		return
	}
	p.mu.Lock()
	p.tunnels = append(p.tunnels, Tunnel{Host: r.Host, Header: r.Header.Clone()})
	p.mu.Unlock()
	upstream, err := net.Dial("tcp", r.Host)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		upstream.Close()
		http.Error(w, "no hijacking", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
	client, buf, err := hj.Hijack()
	if err != nil {
		upstream.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, client, upstream)
	p.mu.Unlock()
	p.wg.Add(2)
	go func() {
		defer p.wg.Done()
		// Bytes the client sent after the CONNECT are in buf.
		_, _ = io.Copy(upstream, buf)
		if tc, ok := upstream.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
	}()
	go func() {
		defer p.wg.Done()
		_, _ = io.Copy(client, upstream)
		client.Close()
		upstream.Close()
	}()
}

// WriteCA writes the certificate of a TLS test server (its own CA, since
// httptest's certificate is self-signed) to a PEM file in dir and returns
// the file's path, for a tls_config.ca_file.
func WriteCA(tb testing.TB, srv *httptest.Server, dir string) string {
	tb.Helper()
	return writePEM(tb, srv.Certificate(), filepath.Join(dir, "ca.pem"))
}

func writePEM(tb testing.TB, cert *x509.Certificate, path string) string {
	tb.Helper()
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}
