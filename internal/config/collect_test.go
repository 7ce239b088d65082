package config_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/config"
)

func TestCollectors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, f := range []string{"id_ed25519", "known_hosts", "ssh_password"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("ssh-pw-from-file\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, "herald.yml")
	if err := os.WriteFile(p, []byte(`collectors:
  interval: 30s
  docker:
    hosts:
      - {name: local, url: unix:///var/run/docker.sock}
      - name: web1
        url: ssh://herald@web1.internal:2222
        ssh: {key_file: id_ed25519, key_passphrase: key-pass-123, known_hosts: known_hosts}
      - name: web2
        url: ssh://herald@web2.internal
        ssh: {password_file: ssh_password, known_hosts: known_hosts}
  exec:
    - {name: lag, command: [./lag.sh], dir: scripts}
  rules:
    - {alert: ContainerDown, when: container_exited, for: 1m, labels: {severity: warning}}
    - {alert: LagHigh, when: metric_above, metric: lag_blocks, threshold: 100}
charts:
  - {name: lag, source: local, query: 'lag_blocks{check="lag"}', thresholds: [100]}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	co := c.Collectors
	if co.DockerEvery() != 30*time.Second || co.Exec[0].Interval.D() != 30*time.Second || co.Exec[0].Timeout.D() != 30*time.Second {
		t.Errorf("intervals: docker %v, exec %v/%v", co.DockerEvery(), co.Exec[0].Interval, co.Exec[0].Timeout)
	}
	web1 := co.Docker.Hosts[1].SSH
	if web1.KeyFile != filepath.Join(dir, "id_ed25519") || web1.Socket != "/var/run/docker.sock" {
		t.Errorf("ssh defaults and paths: %+v", web1)
	}
	if co.Exec[0].Dir != filepath.Join(dir, "scripts") {
		t.Errorf("exec dir %q is not relative to the config file", co.Exec[0].Dir)
	}
	if c.Charts[0].Source != config.ChartLocal {
		t.Errorf("chart source %q", c.Charts[0].Source)
	}
	secrets := c.Secrets()
	for _, s := range []string{"key-pass-123", "ssh-pw-from-file"} {
		if !slices.Contains(secrets, s) {
			t.Errorf("Secrets() lacks %q", s)
		}
	}
}
