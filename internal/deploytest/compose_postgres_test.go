package deploytest

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/platforms"
)

// The PostgreSQL variant of the demo stack (docker-compose.yml with
// docker-compose.postgres.yml) loads as `docker compose -f … -f …` loads
// it: PostgreSQL with a health check, two Herald replicas that wait for it,
// both reachable as herald, the DSN as a secret file only Herald's user
// reads, and configurations Herald accepts.
func TestComposePostgresVariant(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(repoRoot(t), "deploy", "compose")
	opts, err := cli.NewProjectOptions([]string{filepath.Join(dir, "docker-compose.yml"),
		filepath.Join(dir, "docker-compose.postgres.yml")},
		cli.WithWorkingDirectory(dir), cli.WithDiscardEnvFile,
		cli.WithEnv([]string{"POSTGRES_PASSWORD=pw", "HERALD_DB_DSN=postgres://herald:pw@postgres:5432/herald?sslmode=disable"}))
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("load the PostgreSQL variant: %v", err)
	}
	for _, name := range []string{"postgres", "herald", "herald-2"} {
		if _, ok := p.Services[name]; !ok {
			t.Fatalf("no %s service: %v", name, p.ServiceNames())
		}
	}
	pg := p.Services["postgres"]
	if pg.HealthCheck == nil || !slices.Contains(pg.HealthCheck.Test, "pg_isready") {
		t.Errorf("postgres health check %+v, want pg_isready", pg.HealthCheck)
	}
	if pg.Image != "postgres:17.5" {
		t.Errorf("postgres image %q is not pinned", pg.Image)
	}
	for _, name := range []string{"herald", "herald-2"} {
		s := p.Services[name]
		dep, ok := s.DependsOn["postgres"]
		if !ok || dep.Condition != types.ServiceConditionHealthy {
			t.Errorf("%s does not wait for a healthy postgres: %+v", name, s.DependsOn)
		}
		var dsn *types.ServiceSecretConfig
		for i := range s.Secrets {
			if s.Secrets[i].Source == "herald-db-dsn" {
				dsn = &s.Secrets[i]
			}
		}
		if dsn == nil || dsn.UID != "65532" || dsn.Mode == nil || *dsn.Mode != 0o400 {
			t.Errorf("%s: the DSN secret %+v, want owned by 65532 with mode 0400", name, dsn)
		}
		for k := range s.Environment {
			if k == "HERALD_DB_DSN" || k == "POSTGRES_PASSWORD" {
				t.Errorf("%s has %s in its environment", name, k)
			}
		}
	}
	h2 := p.Services["herald-2"]
	if len(h2.Ports) != 1 || h2.Ports[0].Published != "9097" || h2.Ports[0].Target != 9096 {
		t.Errorf("herald-2 ports %+v, want 9097:9096", h2.Ports)
	}
	if n := h2.Networks["default"]; n == nil || !slices.Contains(n.Aliases, "herald") {
		t.Errorf("herald-2 is not reachable as herald: %+v", h2.Networks)
	}
	// The configurations, with the secret's path inside the container
	// pointed at a file of the test.
	tmp := t.TempDir()
	secret := filepath.Join(tmp, "dsn")
	if err := os.WriteFile(secret, []byte("postgres://herald:pw@postgres:5432/herald\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"herald-postgres.yml", "herald-postgres-telegram.yml"} {
		b, err := os.ReadFile(filepath.Join(dir, "herald", file))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "dsn_file: /run/secrets/herald-db-dsn") {
			t.Fatalf("%s does not read the DSN from the compose secret", file)
		}
		path := filepath.Join(tmp, file)
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(b), "/run/secrets/herald-db-dsn", secret)), 0o600); err != nil {
			t.Fatal(err)
		}
		env := map[string]string{"GRAFANA_ADMIN_PASSWORD": "admin", "TELEGRAM_BOT_TOKEN": "123:abc",
			"TELEGRAM_CHAT_ID": "-1001234567890"}
		cfg, err := config.Resolve(path, true, func(k string) string { return env[k] }, platforms.Configs())
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if cfg.Storage.Driver != "postgres" || cfg.Storage.DSN != "postgres://herald:pw@postgres:5432/herald" {
			t.Errorf("%s: storage %q", file, cfg.Storage.Driver)
		}
	}
}
