package e2e

import (
	"context"
	"fmt"
	"github.com/heraldhq/herald/internal/testutil"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/faketelegram"
	"github.com/heraldhq/herald/internal/testutil/realdocker"
)

// opsID is the chat the collectors' alerts are routed to.
const collectOpsChat = int64(-1005551234567)

// TestCollectors is the collectors' whole story through a running Herald:
// three Docker hosts (a real dockerd's socket, the same engine through a
// real sshd, and a dead one) and a script check. /containers answers the
// summary and a chart, `herald stats` prints the same summary, the
// script's history is a /chart with its threshold, the figures are on
// /metrics, and a container that exits raises an alert that resolves when
// it is back.
func TestCollectors(t *testing.T) {
	socket := realdocker.StartDockerd(t)
	image := realdocker.BusyboxImage(t, socket)
	sshd := realdocker.StartSSHD(t)
	realdocker.Run(t, socket, realdocker.Spec{Name: "burner", Image: image, Cmd: []string{"sh", "-c", "yes > /dev/null"}, CPUs: 0.2})
	flaky := realdocker.Run(t, socket, realdocker.Spec{Name: "flaky", Image: image, Cmd: []string{"sleep", "3600"}})

	fake := faketelegram.New(t, faketelegram.Config{Chats: []faketelegram.Chat{{ID: adminID}, {ID: collectOpsChat}}})
	fake.AddUser(faketelegram.User{ID: adminID, Username: "alice"})
	dir := t.TempDir()
	script := filepath.Join(dir, "lag.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho '# TYPE lag_blocks gauge'\necho 'lag_blocks{chain=\"eth\"} 150'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfgPath := writeConfig(t, dir, "127.0.0.1:0", "5s", fmt.Sprintf(`telegram:
  bot_token: %s
  api_url: %s
  poll_timeout: 1s
  admins: ["@alice"]
collectors:
  interval: 2s
  docker:
    hosts:
      - {name: local, url: "unix://%s"}
      - name: tunnel
        url: ssh://%s@%s
        ssh: {key_file: %s, known_hosts: %s, socket: %s}
      - {name: dead, url: "unix://%s/no.sock"}
  exec:
    - {name: lag, command: [%s]}
  rules:
    - {alert: ContainerExited, when: container_exited, match: {host: local}}
charts:
  - {name: lag, source: local, query: 'lag_blocks{check="lag"}', thresholds: [100]}
channels:
  - name: ops
    telegram: {chat_id: %d}
`, fake.Token(), fake.URL(), socket, sshd.User, sshd.Addr, sshd.KeyFile, sshd.KnownHosts, socket, dir, script, collectOpsChat))
	h := startHerald(t, cfgPath)

	// Two rounds give CPU figures (from consecutive samples) and history.
	testutil.Poll(t, 10*time.Second, "two rounds of collection", func() bool {
		body := scrape(t, h.URL)
		return strings.Contains(body, `herald_container_cpu_percent{container="burner",host="tunnel"`) &&
			strings.Contains(body, `lag_blocks{chain="eth",check="lag"} 150`) &&
			strings.Contains(body, `herald_docker_host_up{host="dead"} 0`)
	})

	fake.PushMessage(adminID, adminID, "/containers")
	summary := waitMessage(t, fake, "the /containers summary", func(m faketelegram.Message) bool {
		return m.ChatID == adminID && strings.Contains(m.Plain, "Docker: 3 hosts (2 answering)")
	})
	for _, want := range []string{"Longest running: ", "champion", "local: 2 containers, 2 running", "tunnel: 2 containers",
		"dead: not answering", "CPU    avg"} {
		if !strings.Contains(summary.Plain, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary.Plain)
		}
	}
	fake.PushMessage(adminID, adminID, "/containers chart cpu hour local")
	chart := waitMessage(t, fake, "the /containers chart", func(m faketelegram.Message) bool {
		return m.ChatID == adminID && m.Photo != nil && strings.Contains(m.Plain, "cpu · local")
	})
	checkPNG(t, "/containers", chart.Photo)
	fake.PushMessage(adminID, adminID, "/chart lag hour")
	lag := waitMessage(t, fake, "the script's /chart", func(m faketelegram.Message) bool {
		return m.ChatID == adminID && m.Photo != nil && strings.Contains(m.Plain, "lag")
	})
	checkPNG(t, "/chart lag", lag.Photo)

	// herald stats prints the same summary on the console.
	out, err := exec.Command(heraldBinary(t), "stats", "--config", cfgPath).CombinedOutput()
	if err != nil {
		t.Fatalf("herald stats: %v\n%s", err, out)
	}
	for _, want := range []string{"Docker: 3 hosts (2 answering)", "dead: not answering", "local: 2 containers"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("herald stats lacks %q:\n%s", want, out)
		}
	}

	// A container that exits raises an alert; back, it resolves.
	if err := realdocker.Do(socket, http.MethodPost, "/containers/"+flaky+"/kill", "", nil, nil); err != nil {
		t.Fatal(err)
	}
	waitMessage(t, fake, "the ContainerExited alert", func(m faketelegram.Message) bool {
		return m.ChatID == collectOpsChat && strings.Contains(m.Plain, "ContainerExited") && strings.Contains(m.Plain, "flaky")
	})
	if err := realdocker.Do(socket, http.MethodPost, "/containers/"+flaky+"/start", "", nil, nil); err != nil {
		t.Fatal(err)
	}
	waitMessage(t, fake, "the resolution", func(m faketelegram.Message) bool {
		return m.ChatID == collectOpsChat && strings.Contains(strings.ToLower(m.Plain), "resolved") && strings.Contains(m.Plain, "flaky")
	})
}

// scrape reads Herald's /metrics.
func scrape(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// heraldBinary builds cmd/herald once for the commands tests run.
func heraldBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "herald")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "../../cmd/herald").CombinedOutput(); err != nil {
		t.Fatalf("build herald: %v\n%s", err, out)
	}
	return bin
}
