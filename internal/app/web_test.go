package app

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/platforms"
	"github.com/heraldhq/herald/internal/testutil"
)

// With --web.config.file, every endpoint is served over TLS and asks for
// the basic auth users of the file: health, readiness, metrics, webhooks.
func TestWebConfigTLSAndBasicAuth(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	certFile, keyFile, pool := testutil.SelfSigned(t, dir)
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	webCfg := filepath.Join(dir, "web.yml")
	os.WriteFile(webCfg, fmt.Appendf(nil, "tls_server_config:\n  cert_file: %s\n  key_file: %s\nbasic_auth_users:\n  prom: %s\n",
		certFile, keyFile, hash), 0o600)
	cfgFile := filepath.Join(dir, "herald.yml")
	os.WriteFile(cfgFile, fmt.Appendf(nil, "data_dir: %s\nchannels:\n  - {name: c, console: {}}\n", filepath.Join(dir, "data")), 0o600)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	co, err := config.NewCoordinator(cfgFile, true, os.Getenv, logger, platforms.Configs())
	if err != nil {
		t.Fatal(err)
	}
	ready := make(chan string, 1)
	a := New(co, Options{ListenAddress: "127.0.0.1:0", WebConfigFile: webCfg, Stdout: io.Discard, Logger: logger,
		Ready: func(addr string) { ready <- addr }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("run: %v", err)
	}

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	get := func(url, user, pass string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, path := range []string{"/-/healthy", "/-/ready", "/metrics"} {
		url := "https://" + addr + path
		if code := get(url, "", ""); code != http.StatusUnauthorized {
			t.Errorf("%s without credentials: %d, want 401", path, code)
		}
		if code := get(url, "prom", "wrong"); code != http.StatusUnauthorized {
			t.Errorf("%s with a wrong password: %d, want 401", path, code)
		}
		if code := get(url, "prom", "s3cret"); code != http.StatusOK {
			t.Errorf("%s with credentials: %d, want 200", path, code)
		}
	}
	// Plain HTTP is not served on the TLS port.
	resp, err := http.Get("http://" + addr + "/-/healthy")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("plain HTTP on the TLS port: %d", resp.StatusCode)
		}
	}
}

// A web configuration that cannot be used stops Herald before it listens.
func TestWebConfigInvalid(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	webCfg := filepath.Join(dir, "web.yml")
	os.WriteFile(webCfg, []byte("tls_server_config:\n  cert_file: /nonexistent.crt\n  key_file: /nonexistent.key\n"), 0o600)
	cfgFile := filepath.Join(dir, "herald.yml")
	os.WriteFile(cfgFile, fmt.Appendf(nil, "data_dir: %s\n", filepath.Join(dir, "data")), 0o600)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	co, err := config.NewCoordinator(cfgFile, true, os.Getenv, logger, platforms.Configs())
	if err != nil {
		t.Fatal(err)
	}
	err = New(co, Options{ListenAddress: "127.0.0.1:0", WebConfigFile: webCfg, Stdout: io.Discard, Logger: logger}).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "web configuration "+webCfg) {
		t.Fatalf("err = %v", err)
	}
}
