package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/heraldhq/herald/internal/testutil"
	"github.com/heraldhq/herald/internal/testutil/realproc"
)

// startServe runs `herald serve args...` until the test ends and returns
// its console output.
func startServe(t *testing.T, args ...string) (stdout, stderr *testutil.Buffer) {
	t.Helper()
	stdout, stderr = &testutil.Buffer{}, &testutil.Buffer{}
	cmd := exec.Command(heraldBinary(t), append([]string{"serve"}, args...)...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return stdout, stderr
}

// waitHealthy waits until `herald healthcheck args...` exits 0.
func waitHealthy(t *testing.T, stderr *testutil.Buffer, args ...string) {
	t.Helper()
	var errs string
	defer func() {
		if t.Failed() {
			t.Logf("last healthcheck: %s\nserve log:\n%s", errs, stderr.String())
		}
	}()
	testutil.Poll(t, 15*time.Second, "healthcheck to pass", func() bool {
		var code int
		code, _, errs = runCmd(append([]string{"healthcheck", "--timeout", "1s"}, args...)...)
		return code == 0
	})
}

// A serve on a non-default --web.listen-address (the file names another)
// is reached by send-test and healthcheck given the same flag; without it
// they go to the file's address and say so.
func TestSendTestAndHealthcheckFollowServe(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fileAddr, addr := realproc.FreePort(t), realproc.FreePort(t)
	cfg := writeFile(t, dir, "herald.yml", fmt.Sprintf("listen_address: %s\ndata_dir: %s\nchannels:\n  - {name: ops, console: {}}\n", fileAddr, filepath.Join(dir, "data")))
	out, logs := startServe(t, "--config.file", cfg, "--web.listen-address", addr)
	waitHealthy(t, logs, "--config.file", cfg, "--web.listen-address", addr)

	code, stdout, errs := runCmd("send-test", "--config.file", cfg, "--web.listen-address", addr, "--resolve-after", "10ms")
	want := "posting to http://" + addr + "/api/v1/alerts (from --web.listen-address)"
	if code != 0 || !strings.Contains(stdout, want) || !strings.Contains(stdout, "posted resolved HeraldTestAlert") {
		t.Fatalf("send-test: %d %q %q", code, stdout, errs)
	}
	waitLog(t, out, "[RESOLVED] HeraldTestAlert")
	// The old flag name is the same flag.
	if code, stdout, errs := runCmd("send-test", "--config", cfg, "--listen-address", addr, "--channel", "ops", "--resolve-after", "10ms"); code != 0 ||
		!strings.Contains(stdout, "posting to http://"+addr+"/api/v1/alerts/ops (from --web.listen-address)") {
		t.Fatalf("send-test --listen-address: %d %q %q", code, stdout, errs)
	}

	// Without the flag: the file's listen_address, where nothing listens.
	code, stdout, errs = runCmd("send-test", "--config.file", cfg, "--resolve-after", "10ms")
	if code != 1 || !strings.Contains(stdout, "posting to http://"+fileAddr+"/api/v1/alerts (from listen_address of "+cfg+")") ||
		!strings.Contains(errs, "is it running?") {
		t.Fatalf("send-test to the file's address: %d %q %q", code, stdout, errs)
	}

	for _, args := range [][]string{
		{"--config.file", cfg, "--web.listen-address", addr},
		{"--config.file", cfg, "--web.listen-address", addr, "--ready"},
		{"--url", "http://" + addr + "/"},
	} {
		code, stdout, errs := runCmd(append([]string{"healthcheck"}, args...)...)
		if code != 0 || !strings.Contains(stdout, "Herald is ") || errs != "" {
			t.Errorf("healthcheck %v: %d %q %q", args, code, stdout, errs)
		}
	}
	if code, _, errs := runCmd("healthcheck", "--config.file", cfg, "--timeout", "2s"); code != 1 || !strings.Contains(errs, "GET http://"+fileAddr+"/-/healthy") {
		t.Errorf("healthcheck of the file's address: %d %q", code, errs)
	}
}

func TestHealthcheckAnswers(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/-/healthy":
			fmt.Fprintln(w, "Herald is Healthy.")
		case "/-/ready":
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "Herald is not ready: the store is unavailable.")
		}
	}))
	defer srv.Close()
	if code, out, errs := runCmd("healthcheck", "--url", srv.URL); code != 0 || out != srv.URL+"/-/healthy: Herald is Healthy.\n" {
		t.Errorf("healthy: %d %q %q", code, out, errs)
	}
	code, out, errs := runCmd("healthcheck", "--url", srv.URL, "--ready")
	if code != 1 || out != "" || !strings.Contains(errs, "GET "+srv.URL+"/-/ready: 503 Service Unavailable: Herald is not ready: the store is unavailable.") {
		t.Errorf("not ready: %d %q %q", code, out, errs)
	}
	dead := realproc.FreePort(t)
	if code, _, errs := runCmd("healthcheck", "--url", "http://"+dead); code != 1 || !strings.Contains(errs, "connection refused") {
		t.Errorf("nothing listening: %d %q", code, errs)
	}
	// A configuration that cannot be read is said, and the default address asked.
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.yml", "listen_address: [\n")
	// (Something else on this machine may serve :9096; only where it asked counts.)
	if _, out, errs := runCmd("healthcheck", "--config", bad, "--timeout", "1s"); !strings.Contains(errs, "configuration not read, asking the default address") ||
		!strings.Contains(out+errs, "http://127.0.0.1:9096/-/healthy") {
		t.Errorf("bad config: %q %q", out, errs)
	}
}

// serve --web.config.file with TLS and basic auth: check-config checks the
// file, healthcheck and send-test reach Herald with --url https://…, the CA
// and a user, and are refused without them.
func TestWebConfigTLSAndBasicAuthFromTheCommandLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	certFile, keyFile, _ := testutil.SelfSigned(t, dir)
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	webCfg := writeFile(t, dir, "web.yml", fmt.Sprintf("tls_server_config:\n  cert_file: %s\n  key_file: %s\nbasic_auth_users:\n  prom: %s\n", certFile, keyFile, hash))
	pass := writeFile(t, dir, "pass", "s3cret\n")
	addr := realproc.FreePort(t)
	cfg := writeFile(t, dir, "herald.yml", fmt.Sprintf("listen_address: %s\ndata_dir: %s\nchannels:\n  - {name: ops, console: {}}\n", addr, filepath.Join(dir, "data")))
	if code, out, errs := runCmd("check-config", "--web.config.file", webCfg, cfg); code != 0 || !strings.Contains(out, webCfg+": OK: web configuration") {
		t.Fatalf("check-config: %d %q %q", code, out, errs)
	}
	brokenWeb := writeFile(t, dir, "broken-web.yml", "tls_server_config:\n  cert_file: /nonexistent\n")
	if code, _, errs := runCmd("check-config", "--web.config.file", brokenWeb, cfg); code != 1 || !strings.Contains(errs, brokenWeb+": FAILED") {
		t.Fatalf("check-config of a broken web config: %d %q", code, errs)
	}

	out, logs := startServe(t, "--config", cfg, "--web.config.file", webCfg)
	https := "https://" + addr
	auth := []string{"--url", https, "--tls.ca-file", certFile, "--basic-auth.username", "prom", "--basic-auth.password-file", pass}
	waitHealthy(t, logs, auth...)

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{auth, 0, https + "/-/healthy: Herald is Healthy."},
		{append(auth, "--ready"), 0, https + "/-/ready: Herald is Ready."},
		{[]string{"--url", https, "--tls.ca-file", certFile}, 1, "401 Unauthorized: Unauthorized (the web configuration asks for basic auth"},
		{[]string{"--url", https, "--tls.insecure-skip-verify", "--basic-auth.username", "prom", "--basic-auth.password-file", writeFile(t, dir, "wrong", "nope")}, 1, "401 Unauthorized"},
		{[]string{"--url", https, "--basic-auth.username", "prom", "--basic-auth.password-file", pass}, 1, "certificate"},
		{[]string{"--config", cfg}, 1, "400 Bad Request"}, // plain HTTP to the TLS port
	} {
		code, stdout, errs := runCmd(append([]string{"healthcheck"}, tc.args...)...)
		if code != tc.code || !strings.Contains(stdout+errs, tc.want) {
			t.Errorf("healthcheck %v: %d %q %q, want %d and %q", tc.args, code, stdout, errs, tc.code, tc.want)
		}
	}
	code, stdout, errs := runCmd(append([]string{"send-test", "--config", cfg, "--resolve-after", "10ms"}, auth...)...)
	if code != 0 || !strings.Contains(stdout, "posting to "+https+"/api/v1/alerts (from --url)") {
		t.Fatalf("send-test over TLS: %d %q %q", code, stdout, errs)
	}
	waitLog(t, out, "[RESOLVED] HeraldTestAlert")
	// /metrics asks for the user too.
	resp, err := http.Get("http://" + addr + "/metrics")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("/metrics over plain HTTP")
		}
	}
}
