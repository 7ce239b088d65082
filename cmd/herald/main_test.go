package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
	"github.com/heraldhq/herald/internal/testutil/realproc"
)

func runCmd(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.yml", "channels:\n  - name: c\n    console: {}\n")
	bad := writeFile(t, dir, "bad.yml", "listen_adress: x\nchannels:\n  - name: c\n    console: {}\nroutes:\n  - matchers: ['a=~\"(\"']\n    channels: [nope]\n")
	code, out, _ := runCmd("check-config", "--config", good)
	if code != 0 || !strings.Contains(out, "OK: 1 channel(s), 0 route(s), default channel c") {
		t.Fatalf("good: %d %q", code, out)
	}
	code, _, errs := runCmd("check-config", "--config", bad)
	for _, want := range []string{bad + `:1: unknown field "listen_adress"`, bad + ":6: routes[0].matchers[0]", bad + ":7: routes[0].channels[0]", "3 problem(s)"} {
		if !strings.Contains(errs, want) {
			t.Errorf("bad config output lacks %q:\n%s", want, errs)
		}
	}
	if code != 1 {
		t.Fatalf("exit code %d", code)
	}
	if code, _, errs := runCmd("check-config", "--config", filepath.Join(dir, "missing.yml")); code != 1 || !strings.Contains(errs, "no such file") {
		t.Fatalf("missing explicit file: %d %s", code, errs)
	}
}

func TestUsageAndVersion(t *testing.T) {
	if code, out, _ := runCmd("version"); code != 0 || !strings.HasPrefix(out, "herald, version ") {
		t.Fatalf("version: %d %q", code, out)
	}
	if code, _, errs := runCmd("frobnicate"); code != 2 || !strings.Contains(errs, `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: %d %q", code, errs)
	}
	if code, _, errs := runCmd("serve", "--no-such-flag"); code != 2 || !strings.Contains(errs, "flag provided but not defined") {
		t.Fatalf("bad flag: %d %q", code, errs)
	}
	if code, _, errs := runCmd("serve", "--log.level", "loud"); code != 1 || !strings.Contains(errs, "--log.level") {
		t.Fatalf("bad log level: %d %q", code, errs)
	}
}

func TestSendTestDirect(t *testing.T) {
	fake := faketelegram.New(t, faketelegram.Config{Chats: []faketelegram.Chat{{ID: -100123}}})
	dir := t.TempDir()
	cfg := writeFile(t, dir, "herald.yml", fmt.Sprintf(`data_dir: %s
telegram:
  bot_token: %s
  api_url: %s
channels:
  - name: ops
    telegram: {chat_id: -100123}
`, dir, fake.Token(), fake.URL()))
	code, out, errs := runCmd("send-test", "--config", cfg, "--direct", "--resolve-after", "10ms")
	if code != 0 {
		t.Fatalf("%d %s %s", code, out, errs)
	}
	msgs := fake.Messages()
	if len(msgs) != 2 || msgs[1].ReplyTo != msgs[0].ID || !strings.Contains(msgs[0].Plain, "HeraldTestAlert") {
		t.Fatalf("messages %+v", msgs)
	}
	if !strings.Contains(out, "ops: firing: delivered") || !strings.Contains(out, "ops: resolved: delivered") {
		t.Fatalf("output %q", out)
	}
	if strings.Contains(out+errs, fake.Token()) {
		t.Fatal("token printed")
	}
}

// The real binary: serves on defaults, takes send-test, reloads on SIGHUP
// and refuses a bad reload while keeping the running configuration.
func TestBinaryServeSendTestAndSIGHUP(t *testing.T) {
	bin := heraldBinary(t)
	dir := t.TempDir()
	addr := realproc.FreePort(t)
	cfg := writeFile(t, dir, "herald.yml", fmt.Sprintf("listen_address: %s\ndata_dir: %s\n", addr, filepath.Join(dir, "data")))
	stdout, stderr := &testutil.Buffer{}, &testutil.Buffer{}
	cmd := exec.Command(bin, "--config", cfg)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	waitReady(t, "http://"+addr)

	out, err := exec.Command(bin, "send-test", "--config", cfg, "--resolve-after", "100ms").CombinedOutput()
	if err != nil {
		t.Fatalf("send-test: %v\n%s", err, out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stdout.String(), "[RESOLVED] HeraldTestAlert") {
		if time.Now().After(deadline) {
			t.Fatalf("console output:\n%s\nlog:\n%s", stdout.String(), stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	// A bad file and SIGHUP: refused, the old config keeps serving.
	writeFile(t, dir, "herald.yml", "listen_address: [\n")
	cmd.Process.Signal(syscall.SIGHUP)
	waitLog(t, stderr, "configuration not reloaded")
	// A good one with a second channel: accepted.
	writeFile(t, dir, "herald.yml", fmt.Sprintf("listen_address: %s\ndata_dir: %s\nchannels:\n  - {name: one, console: {}}\n  - {name: two, console: {}}\n", addr, filepath.Join(dir, "data")))
	cmd.Process.Signal(syscall.SIGHUP)
	waitLog(t, stderr, "configuration reloaded")
	resp, err := http.Post("http://"+addr+"/api/v1/alerts/two", "application/json", strings.NewReader("{}"))
	if err != nil || resp.StatusCode != 400 { // the channel exists now; the empty payload is what is refused
		t.Fatalf("after reload: %v %v", err, resp)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, stderr.String())
	}
}

func waitReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("not ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func waitLog(t *testing.T, b *testutil.Buffer, s string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(b.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("log lacks %q:\n%s", s, b.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
