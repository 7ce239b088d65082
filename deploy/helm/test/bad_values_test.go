package test

import (
	"strings"
	"testing"
)

// TestBadValues: values that would break Herald, or that are typos, are
// refused by helm template, helm install and helm upgrade. Those that
// values.schema.json refuses fail helm lint too; the chart's own checks
// (fail in templates/_helpers.tpl) cannot: helm lint renders in lint mode,
// where fail only logs its message.
func TestBadValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, values, want string
		schema             bool // refused by values.schema.json, so by helm lint too
	}{
		{"replicas with SQLite", "replicas: 3",
			"replicas: 3 with storage.driver sqlite; SQLite keeps Herald's state on one volume, so it runs as one pod. " +
				"Run several replicas with storage.driver: postgres and storage.postgres.existingSecret (docs/replicas.md), or set replicas: 1", false},
		{"replicas with SQLite named", "{storage: {driver: sqlite}, replicas: 2}", "replicas: 2 with storage.driver sqlite", false},
		{"postgres without existingSecret", "storage: {driver: postgres}",
			"storage.postgres.existingSecret: storage.driver postgres needs the name of a Secret whose key " +
				"storage.postgres.existingSecretKey (default dsn) holds the database's DSN, e.g. kubectl create secret generic herald-db", false},
		{"postgres with an empty existingSecret", "storage: {driver: postgres, postgres: {existingSecret: ''}}",
			"storage.postgres.existingSecret: storage.driver postgres needs", false},
		{"postgres with a DSN in config", "{storage: {driver: postgres, postgres: {existingSecret: db}}, config: {storage: {dsn: 'postgres://u:p@db/h'}}}",
			"config.storage.dsn: with storage.driver postgres the chart sets storage.dsn_file", false},
		{"postgres with dsn_file in config", "{storage: {driver: postgres, postgres: {existingSecret: db}}, config: {storage: {dsn_file: /x}}}",
			"config.storage.dsn_file: with storage.driver postgres", false},
		{"config.storage.driver against storage.driver", "config: {storage: {driver: postgres}}",
			`config.storage.driver: "postgres", but storage.driver is "sqlite"`, false},
		{"secretEnv without existingSecret", "secretEnv: [{name: HERALD_TELEGRAM_BOT_TOKEN, key: token}]", "existingSecret", true},
		{"unknown storage driver", "storage: {driver: mysql}", "driver", true},
		{"unknown storage key", "storage: {postgres: {secret: db}}", "secret", true},
		{"negative replicas", "replicas: -1", "replicas", true},
		{"unknown top-level key", "replica: 1", "replica", true},
		{"unknown nested key", "persistence: {sizee: 1Gi}", "sizee", true},
		{"wrong type", "service: {port: http}", "port", true},
		{"privilege escalation", "securityContext: {allowPrivilegeEscalation: true}", "allowPrivilegeEscalation", true},
		{"bad duration", "serviceMonitor: {interval: 30}", "interval", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cmds := map[string]func(*testing.T, string) (string, error){"template": template, "install": installDryRun}
			if tc.schema {
				cmds["lint"] = lint
			}
			for cmd, run := range cmds {
				out, err := run(t, tc.values)
				if err == nil {
					t.Errorf("helm %s accepted %q:\n%s", cmd, tc.values, out)
				} else if !strings.Contains(out, tc.want) {
					t.Errorf("helm %s: error does not mention %q:\n%s", cmd, tc.want, out)
				}
			}
		})
	}
}
