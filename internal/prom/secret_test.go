package prom

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/heraldhq/herald/internal/config"
)

// bearer, basic, withBearer and withTLS build the http_config of a test.
func bearer(token string) config.HTTPClientConfig {
	return withBearer(config.DefaultHTTPClientConfig(), token)
}

func withBearer(h config.HTTPClientConfig, token string) config.HTTPClientConfig {
	h.BearerToken = promconfig.Secret(token)
	return h
}

func basic(user, password string) config.HTTPClientConfig {
	h := config.DefaultHTTPClientConfig()
	h.BasicAuth = &promconfig.BasicAuth{Username: user, Password: promconfig.Secret(password)}
	return h
}

func withTLS(t promconfig.TLSConfig) config.HTTPClientConfig {
	h := config.DefaultHTTPClientConfig()
	h.TLSConfig = t
	return h
}

// allAuth sets every kind of credential at once (the config loader would
// refuse basic_auth with a bearer token; the client must still not leak).
func allAuth() config.PrometheusConfig {
	return config.PrometheusConfig{
		HTTP:    withBearer(basic("herald", testPassword), testToken),
		Headers: map[string]config.Secret{"X-Api-Key": testAPIKey, "X-Scope-OrgID": "1"},
		Timeout: config.Duration(300 * time.Millisecond),
	}
}

// assertNoSecret fails when err's text holds a credential, raw or encoded.
func assertNoSecret(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, s := range []string{testToken, testPassword, testAPIKey, "aGVyYWxkOnB3LXMzY3IzdC1iYXNpYw==", "s3cr3t"} {
		if strings.Contains(msg, s) {
			t.Errorf("error leaks %q: %s", s, msg)
		}
	}
}

// TestNoSecretInErrors covers every path an error takes: an answer that
// quotes the credentials, a refused connection, a hang, a bad URL.
func TestNoSecretInErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("echoed by the server", func(t *testing.T) {
		_, srv := newFake(t, &fakeProm{fail: "echo"})
		_, err := client(t, srv.URL, allAuth()).QueryRange(ctx, "up", t0, t0.Add(time.Hour), time.Minute, Limits{})
		assertNoSecret(t, err)
		if !strings.Contains(err.Error(), "<secret>") {
			t.Errorf("no <secret> in %v", err)
		}
		var ae *APIError
		if !errors.As(err, &ae) || ae.Type != "unauthorized" {
			t.Fatalf("errors.As(*APIError) = %v", ae)
		}
		assertNoSecret(t, ae)
	})
	t.Run("connection refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		addr := srv.URL
		srv.Close()
		c := client(t, addr+"/prom?tenant=x", allAuth())
		_, err := c.Query(ctx, `up{instance="web-1"}`, t0, Limits{})
		assertNoSecret(t, err)
		_, err = c.AlertingRules(ctx)
		assertNoSecret(t, err)
		var ue *url.Error
		if !errors.As(err, &ue) || strings.Contains(ue.URL, "?") {
			t.Errorf("inner *url.Error = %v", ue)
		}
		if strings.Contains(err.Error(), "type=alert") || !strings.Contains(err.Error(), "/prom/api/v1/rules") {
			t.Errorf("URL in the error not cut to its path: %v", err)
		}
	})
	t.Run("hang", func(t *testing.T) {
		cfg := allAuth()
		cfg.HTTP.BearerToken = ""
		_, srv := newFake(t, &fakeProm{fail: "hang", wantAuth: "Basic aGVyYWxkOnB3LXMzY3IzdC1iYXNpYw=="})
		_, err := client(t, srv.URL, cfg).QueryRange(ctx, "up", t0, t0.Add(time.Hour), time.Minute, Limits{})
		assertNoSecret(t, err)
	})
	t.Run("bad url", func(t *testing.T) {
		for _, u := range []string{"http://herald:pw-s3cr3t-basic@prometheus:port/", "http://herald:pw-s3cr3t-basic@prometheus:9090/", "prometheus:9090"} {
			_, err := New(config.PrometheusConfig{URL: u}, nil)
			assertNoSecret(t, err)
		}
	})
}

// TestTLS checks the CA file, server_name, insecure_skip_verify and a
// client certificate against a server that requires one.
func TestTLS(t *testing.T) {
	clientCA, err := os.ReadFile("testdata/tls/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(clientCA)
	srv := httptest.NewUnstartedServer(&fakeProm{t: t})
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	srv.StartTLS()
	defer srv.Close()
	serverCA := filepath.Join(t.TempDir(), "server-ca.pem")
	if err := os.WriteFile(serverCA, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert := promconfig.TLSConfig{CertFile: "testdata/tls/client.pem", KeyFile: "testdata/tls/client-key.pem"}
	tests := []struct {
		name string
		tls  promconfig.TLSConfig
		ok   bool
	}{
		{"ca and client cert", promconfig.TLSConfig{CAFile: serverCA, CertFile: cert.CertFile, KeyFile: cert.KeyFile}, true},
		// httptest's certificate is for example.com and 127.0.0.1.
		{"server_name", promconfig.TLSConfig{CAFile: serverCA, ServerName: "example.com", CertFile: cert.CertFile, KeyFile: cert.KeyFile}, true},
		{"wrong server_name", promconfig.TLSConfig{CAFile: serverCA, ServerName: "prometheus.internal", CertFile: cert.CertFile, KeyFile: cert.KeyFile}, false},
		{"insecure", promconfig.TLSConfig{InsecureSkipVerify: true, CertFile: cert.CertFile, KeyFile: cert.KeyFile}, true},
		{"system roots", cert, false},
		{"no client cert", promconfig.TLSConfig{CAFile: serverCA}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := client(t, srv.URL, config.PrometheusConfig{HTTP: withTLS(tt.tls), Timeout: config.Duration(2 * time.Second)})
			_, err := c.Query(context.Background(), "up", t0, Limits{})
			if (err == nil) != tt.ok {
				t.Errorf("err = %v, want ok=%v", err, tt.ok)
			}
		})
	}
	if _, err := New(config.PrometheusConfig{URL: srv.URL, HTTP: withTLS(promconfig.TLSConfig{CAFile: "testdata/tls/missing.pem"})}, nil); err == nil {
		t.Error("a missing CA file was accepted")
	}
}
