package deploytest

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/testutil"
)

// unitKeys reads a systemd unit: section.key → values in file order.
func unitKeys(t *testing.T, text string) map[string][]string {
	t.Helper()
	keys := map[string][]string{}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("unit line %q is not key=value", line)
			}
			keys[section+"."+k] = append(keys[section+"."+k], v)
		}
	}
	return keys
}

func TestSystemdUnitHardening(t *testing.T) {
	t.Parallel()
	keys := unitKeys(t, readRepo(t, "deploy/systemd/herald.service"))
	for k, want := range map[string]string{
		"Service.DynamicUser":             "yes",
		"Service.StateDirectory":          "herald",
		"Service.WorkingDirectory":        "/var/lib/herald",
		"Service.ProtectSystem":           "strict",
		"Service.ProtectHome":             "yes",
		"Service.PrivateTmp":              "yes",
		"Service.NoNewPrivileges":         "yes",
		"Service.CapabilityBoundingSet":   "",
		"Service.RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
		"Service.SystemCallFilter":        "@system-service",
		"Service.ExecReload":              "/bin/kill -HUP $MAINPID",
		"Service.Restart":                 "on-failure",
		"Install.WantedBy":                "multi-user.target",
	} {
		if v, ok := keys[k]; !ok || v[0] != want {
			t.Errorf("%s = %q, want %q", k, v, want)
		}
	}
	if start := keys["Service.ExecStart"]; len(start) != 1 || !strings.Contains(start[0], "herald serve --config=/etc/herald/herald.yml") {
		t.Errorf("ExecStart = %q", start)
	}
}

// systemd-analyze verify (where systemd is installed) accepts the unit;
// its herald paths point at a built binary, since verify checks that the
// commands exist.
func TestSystemdUnitVerifies(t *testing.T) {
	t.Parallel()
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		testutil.Missing(t, "systemd-analyze is missing (apt-get install systemd); TestSystemdUnitHardening checks the keys")
	}
	bin := heraldBinary(t)
	unit := strings.ReplaceAll(readRepo(t, "deploy/systemd/herald.service"), "/usr/local/bin/herald", bin)
	dir := t.TempDir()
	path := filepath.Join(dir, "herald.service")
	if err := os.WriteFile(path, []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sa, "verify", path)
	cmd.Env = append(os.Environ(), "SYSTEMD_LOG_LEVEL=notice")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "herald.service") {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}
