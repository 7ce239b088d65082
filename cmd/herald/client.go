package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// clientFlags are how send-test and healthcheck reach a Herald served with
// a --web.config.file: its CA for TLS, and a user of basic_auth_users.
type clientFlags struct {
	url          string
	caFile       string
	insecure     bool
	username     string
	passwordFile string
	timeout      time.Duration
}

func (c *clientFlags) register(fs *flags, timeout time.Duration) {
	fs.StringVar(&c.url, "url", "", "Herald's base URL, e.g. https://herald.example:9096 (default: http:// and --web.listen-address, else listen_address of the configuration)")
	fs.StringVar(&c.caFile, "tls.ca-file", "", "CA certificate(s) to verify Herald's TLS certificate (with --url https://…)")
	fs.BoolVar(&c.insecure, "tls.insecure-skip-verify", false, "do not verify Herald's TLS certificate")
	fs.StringVar(&c.username, "basic-auth.username", "", "user of the web configuration's basic_auth_users")
	fs.StringVar(&c.passwordFile, "basic-auth.password-file", "", "file holding that user's password")
	c.timeout = timeout
	fs.Var(promDuration{&c.timeout}, "timeout", "time allowed for each request (e.g. 5s, 1m)")
}

// base is the URL to reach a local Herald at, and where it came from:
// --url, else --web.listen-address, else the configuration's
// listen_address, as `herald serve` with the same flags listens.
func (c *clientFlags) base(listen, listenAddress, file string) (string, string) {
	switch {
	case c.url != "":
		return strings.TrimSuffix(c.url, "/"), "--url"
	case listen != "":
		return "http://" + dialable(listen), "--web.listen-address"
	}
	if file == "" {
		file = "the defaults"
	}
	return "http://" + dialable(listenAddress), "listen_address of " + file
}

func (c *clientFlags) client() (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: c.insecure} //nolint:gosec // asked for with --tls.insecure-skip-verify
	if c.caFile != "" {
		pem, err := os.ReadFile(c.caFile)
		if err != nil {
			return nil, fmt.Errorf("--tls.ca-file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--tls.ca-file: no PEM certificate in %s", c.caFile)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	return &http.Client{Timeout: c.timeout, Transport: tr}, nil
}

// authorize sets the basic auth of the flags on req; it reports whether
// there was any.
func (c *clientFlags) authorize(req *http.Request) (bool, error) {
	if c.username == "" {
		if c.passwordFile != "" {
			return false, usagef("--basic-auth.password-file needs --basic-auth.username")
		}
		return false, nil
	}
	var pass string
	if c.passwordFile != "" {
		b, err := os.ReadFile(c.passwordFile)
		if err != nil {
			return false, fmt.Errorf("--basic-auth.password-file: %w", err)
		}
		pass = strings.TrimRight(string(b), "\r\n")
	}
	req.SetBasicAuth(c.username, pass)
	return true, nil
}

// dialable turns a listen address like ":9096" into one a client can dial.
func dialable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
