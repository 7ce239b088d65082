package docker

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/heraldhq/herald/internal/config"
)

// transport is how a host's engine is reached.
type transport interface {
	// client returns the engine, connecting first if need be.
	client(ctx context.Context) (*engine, error)
	// failed says that a collection failed with err, so that what may be
	// dead (a connection, an SSH client) is dropped and made again.
	failed(err error)
	close()
}

// newTransport makes the transport of a host's URL: unix://, tcp:// or
// ssh://. maxConns is how many requests run at once.
func newTransport(h config.DockerHost, maxConns int, o *options) (transport, error) {
	u, err := url.Parse(h.URL)
	if err != nil {
		return nil, errors.New("bad url (want unix:///path, tcp://host:port or ssh://user@host[:port])")
	}
	switch u.Scheme {
	case "unix":
		if u.Path == "" {
			return nil, errors.New("unix:// needs the socket's path")
		}
		socket := u.Path
		return &httpTransport{base: "http://docker", build: func() (*http.Transport, error) {
			t := newHTTPTransport(maxConns)
			t.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, "unix", socket)
			}
			return t, nil
		}}, nil
	case "tcp":
		if u.Host == "" {
			return nil, errors.New("tcp:// needs host:port")
		}
		scheme := "http"
		if h.TLS != nil {
			scheme = "https"
		}
		tlsCfg := h.TLS
		return &httpTransport{base: scheme + "://" + u.Host, build: func() (*http.Transport, error) {
			t := newHTTPTransport(maxConns)
			t.DialContext = (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext
			if tlsCfg != nil {
				// Read at every new transport, so that renewed
				// certificates are taken up after a failure.
				c, err := tlsCfg.ClientConfig()
				if err != nil {
					return nil, fmt.Errorf("tls_config: %w", err)
				}
				t.TLSClientConfig = c
			}
			return t, nil
		}}, nil
	case "ssh":
		return newSSHTransport(u, h.SSH, maxConns, o)
	}
	return nil, fmt.Errorf("unsupported scheme %q (want unix, tcp or ssh)", u.Scheme)
}

func newHTTPTransport(maxConns int) *http.Transport {
	return &http.Transport{
		MaxIdleConnsPerHost:   maxConns + 1,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 0, // the host's timeout bounds every call
		ForceAttemptHTTP2:     false,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
	}
}

// httpTransport reaches an engine on a socket or over TCP.
type httpTransport struct {
	base  string
	build func() (*http.Transport, error)

	mu sync.Mutex
	t  *http.Transport
}

func (h *httpTransport) client(context.Context) (*engine, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.t == nil {
		t, err := h.build()
		if err != nil {
			return nil, err
		}
		h.t = t
	}
	return &engine{httpc: &http.Client{Transport: h.t}, base: h.base}, nil
}

func (h *httpTransport) failed(error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.t != nil {
		h.t.CloseIdleConnections()
		h.t = nil
	}
}

func (h *httpTransport) close() { h.failed(nil) }

// redactURL is a host's URL as it may be shown: a password (which the
// config refuses in the URL anyway) shows as xxxxx.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparsable url>"
	}
	return u.Redacted()
}
