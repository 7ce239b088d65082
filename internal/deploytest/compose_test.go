package deploytest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/platforms"
)

// loadStack loads deploy/compose/docker-compose.yml as `docker compose`
// does (interpolation, normalisation, consistency checks) with env as the
// only environment.
func loadStack(t *testing.T, env ...string) *types.Project {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "deploy", "compose")
	opts, err := cli.NewProjectOptions([]string{filepath.Join(dir, "docker-compose.yml")},
		cli.WithWorkingDirectory(dir), cli.WithEnv(env), cli.WithDiscardEnvFile)
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("load docker-compose.yml: %v", err)
	}
	return p
}

// versionTag is an image reference pinned to a version, not latest.
var versionTag = regexp.MustCompile(`^[a-z0-9./-]+:v?[0-9]+\.[0-9]+\.[0-9]+$`)

func TestComposeFileLoads(t *testing.T) {
	t.Parallel()
	p := loadStack(t)
	if p.Name != "herald-demo" {
		t.Errorf("project name %q", p.Name)
	}
	want := []string{"alertmanager", "grafana", "herald", "node-exporter", "prometheus", "renderer"}
	if got := p.ServiceNames(); !slices.Equal(sortedCopy(got), want) {
		t.Fatalf("services %v, want %v", got, want)
	}
	for name, s := range p.Services {
		if name == "herald" {
			if s.Build == nil || s.Image != "herald:dev" {
				t.Errorf("herald: build %v image %q; want built from the repository as herald:dev", s.Build, s.Image)
			}
			continue
		}
		if !versionTag.MatchString(s.Image) {
			t.Errorf("%s: image %q is not pinned to a version tag", name, s.Image)
		}
		for _, v := range s.Volumes {
			if v.Type != types.VolumeTypeBind || v.Source == "/" {
				continue
			}
			if _, err := os.Stat(v.Source); err != nil {
				t.Errorf("%s: bind mount source: %v", name, err)
			}
		}
	}
	h := p.Services["herald"]
	if h.Build.Context != repoRoot(t) {
		t.Errorf("herald build context %q, want the repository root %q", h.Build.Context, repoRoot(t))
	}
	if len(h.Ports) != 1 || h.Ports[0].Target != 9096 {
		t.Errorf("herald ports %+v, want 9096", h.Ports)
	}
	for _, dep := range []string{"prometheus", "alertmanager"} {
		if _, ok := h.DependsOn[dep]; !ok {
			t.Errorf("herald does not depend on %s", dep)
		}
	}
}

// The console configuration by default; with TELEGRAM_BOT_TOKEN set
// (in .env) the Telegram one, both valid for Herald.
func TestComposeHeraldConfigFollowsTelegramToken(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, file string
		env        []string
		channels   []string
	}{
		{"console", "herald.yml", nil, []string{"console"}},
		{"telegram", "herald-telegram.yml", []string{"TELEGRAM_BOT_TOKEN=123:abc", "TELEGRAM_CHAT_ID=-1001234567890"},
			[]string{"console", "telegram"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := loadStack(t, tc.env...)
			cmd := p.Services["herald"].Command
			if want := "--config=/etc/herald/" + tc.file; !slices.Contains(cmd, want) {
				t.Fatalf("herald command %q, want %s", cmd, want)
			}
			env := map[string]string{"GRAFANA_ADMIN_PASSWORD": "admin"}
			for k, v := range p.Services["herald"].Environment {
				if v != nil {
					env[k] = *v
				}
			}
			cfg, err := config.Resolve(filepath.Join(repoRoot(t), "deploy", "compose", "herald", tc.file), true,
				func(k string) string { return env[k] }, platforms.Configs())
			if err != nil {
				t.Fatalf("%s: %v", tc.file, err)
			}
			var names []string
			for _, c := range cfg.Channels {
				names = append(names, c.Name)
			}
			if !slices.Equal(names, tc.channels) {
				t.Errorf("channels %v, want %v", names, tc.channels)
			}
			if cfg.Prometheus.URL != "http://prometheus:9090" || cfg.DataDir != "/data" ||
				cfg.ListenAddress != ":9096" {
				t.Errorf("prometheus %q data_dir %q listen %q", cfg.Prometheus.URL, cfg.DataDir, cfg.ListenAddress)
			}
		})
	}
}

// promtool and amtool (from the prometheus and prometheus-alertmanager
// packages) accept the stack's rules and Alertmanager configuration.
func TestComposePromtoolAmtool(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(repoRoot(t), "deploy", "compose")
	for _, c := range [][]string{
		{"promtool", "check", "rules", filepath.Join(dir, "prometheus", "rules.yml")},
		{"amtool", "check-config", filepath.Join(dir, "alertmanager", "alertmanager.yml")},
	} {
		bin, err := exec.LookPath(c[0])
		if err != nil {
			t.Logf("%s not installed; not checked", c[0])
			continue
		}
		if out, err := exec.Command(bin, c[1:]...).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", strings.Join(c, " "), err, out)
		}
	}
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
