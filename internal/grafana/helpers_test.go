package grafana_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/grafana"
	"github.com/heraldhq/herald/internal/testutil/fakegrafana"
)

// The fake's organization and the sub-path Grafana is served from.
const (
	fakeOrg = 3
	subPath = "/grafana"
)

// shippedDashboard is Herald's template dashboard as deploy/ ships it.
func shippedDashboard(t *testing.T) fakegrafana.Dashboard {
	t.Helper()
	raw, err := os.ReadFile("../../deploy/grafana/herald-alert-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var model map[string]any
	if err := json.Unmarshal(raw, &model); err != nil {
		t.Fatal(err)
	}
	return fakegrafana.Dashboard{UID: "herald-alert", Title: "Herald alert", Extra: model}
}

// newFake starts a fake Grafana serving the shipped dashboard and more.
func newFake(t *testing.T, more ...fakegrafana.Dashboard) *fakegrafana.Server {
	t.Helper()
	return fakegrafana.New(t, fakegrafana.Config{OrgID: fakeOrg, SubPath: subPath,
		Dashboards: append([]fakegrafana.Dashboard{shippedDashboard(t)}, more...)})
}

func newClient(t *testing.T, f *fakegrafana.Server, mutate ...func(*config.GrafanaConfig)) *grafana.Client {
	t.Helper()
	cfg := config.GrafanaConfig{URL: f.URL() + "/", APIToken: config.Secret(f.Token()), OrgID: fakeOrg,
		Timeout: config.Duration(5 * time.Second)}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := grafana.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func checkNoSecret(t *testing.T, s string, secrets ...string) {
	t.Helper()
	for _, secret := range secrets {
		if secret != "" && strings.Contains(s, secret) {
			t.Errorf("a secret leaked: %q", s)
		}
	}
}
