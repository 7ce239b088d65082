package config_test

import (
	"github.com/heraldhq/herald/internal/config"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeConfig writes yml to herald.yml in a fresh directory and loads it.
func writeConfig(t *testing.T, yml string) (*config.Config, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "herald.yml")
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	return load(path, fakeEnv(map[string]string{"ORG": "tenant-9"}), "")
}

// TestGraphEnabled checks that charts follow prometheus.url unless
// graph.enabled says otherwise.
func TestGraphEnabled(t *testing.T) {
	tests := []struct {
		name, yml string
		want      bool
	}{
		{"empty file", "{}", false},
		{"prometheus only", "prometheus:\n  url: http://localhost:9090\n", true},
		{"empty graph section", "prometheus:\n  url: http://localhost:9090\ngraph:\n", true},
		{"enabled: null", "prometheus:\n  url: http://localhost:9090\ngraph:\n  enabled:\n", true},
		{"disabled", "prometheus:\n  url: http://localhost:9090\ngraph:\n  enabled: false\n", false},
		{"enabled", "prometheus:\n  url: http://localhost:9090\ngraph:\n  enabled: true\n", true},
		{"disabled without prometheus", "graph:\n  enabled: false\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := writeConfig(t, tt.yml)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.GraphEnabled(); got != tt.want {
				t.Errorf("GraphEnabled() = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestGraphDefaults checks the documented defaults of the three sections.
func TestGraphDefaults(t *testing.T) {
	c, err := writeConfig(t, "prometheus:\n  url: http://localhost:9090\n")
	if err != nil {
		t.Fatal(err)
	}
	p, g, gr := c.Prometheus, c.Graph, c.Grafana
	if p.Timeout.D() != 10*time.Second || p.RulesCacheTTL.D() != time.Minute || p.Headers != nil || p.HTTP.BasicAuth != nil || !p.HTTP.FollowRedirects || !p.HTTP.EnableHTTP2 {
		t.Errorf("prometheus = %+v", p)
	}
	if gr.OrgID != 1 || gr.Timeout.D() != 30*time.Second {
		t.Errorf("grafana = %+v", gr)
	}
	if g.Enabled != nil || g.Renderer != "builtin" || g.Timeout.D() != 5*time.Second ||
		len(g.MatchLabels) != 1 || g.MatchLabels[0] != "instance" || g.RangeFactor != 2 ||
		g.MinRange.D() != 30*time.Minute || g.MaxRange.D() != 24*time.Hour || g.Width != 1200 ||
		g.Height != 600 || g.Theme != "light" || g.Timezone != "UTC" || g.MaxSeries != 10 ||
		g.Font != "" || g.OnResolve != "edit" || g.Grafana.PanelID != 1 || g.Grafana.DashboardUID != "" ||
		g.ResponseSizeLimit() != 16<<20 {
		t.Errorf("graph = %+v", g)
	}
	// Each load gets its own slice: a caller appending to one config's
	// match_labels must not change the defaults of the next.
	d := config.DefaultConfig()
	d.Graph.MatchLabels[0] = "changed"
	if config.DefaultConfig().Graph.MatchLabels[0] != "instance" {
		t.Error("DefaultConfig shares match_labels between calls")
	}
}

// TestHeaders checks that header values are expanded like other values and
// that an empty match_labels list means "inject nothing".
func TestHeaders(t *testing.T) {
	c, err := writeConfig(t, `prometheus:
  url: http://localhost:9090
  headers:
    X-Scope-OrgID: ${ORG}
    X-Empty: ""
graph:
  match_labels: []
`)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(c.Prometheus.Headers["X-Scope-OrgID"]); got != "tenant-9" {
		t.Errorf("X-Scope-OrgID = %q", got)
	}
	if v, ok := c.Prometheus.Headers["X-Empty"]; !ok || v != "" {
		t.Errorf("X-Empty = %q, %v", string(v), ok)
	}
	if c.Graph.MatchLabels == nil || len(c.Graph.MatchLabels) != 0 {
		t.Errorf("match_labels = %#v, want empty", c.Graph.MatchLabels)
	}
}

// TestTLSClientConfigLater checks the error of ClientConfig when a file
// that was there at load time has gone (a certificate rotated badly): it
// names the key and the file.
func TestTLSClientConfigLater(t *testing.T) {
	dir := t.TempDir()
	ca, err := os.ReadFile("testdata/tls/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	caPath := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caPath, ca, 0o600); err != nil {
		t.Fatal(err)
	}
	tc := config.TLSConfig{CAFile: caPath}
	if _, err := tc.ClientConfig(); err != nil {
		t.Fatal(err)
	}
	os.Remove(caPath)
	_, err = tc.ClientConfig()
	if err == nil || !strings.Contains(err.Error(), "ca_file") || !strings.Contains(err.Error(), "ca.pem") {
		t.Errorf("err = %v", err)
	}
	if _, err := (&config.TLSConfig{KeyFile: caPath}).ClientConfig(); err == nil {
		t.Error("key_file without cert_file accepted")
	}
}

// TestGraphCaps checks graph.max_response_size and the upper bound of
// graph.max_series: values, and the exact errors (a table like
// TestLoadInvalid's, written here because that table belongs to
// load_test.go).
func TestGraphCaps(t *testing.T) {
	c, err := writeConfig(t, "prometheus:\n  url: http://localhost:9090\ngraph:\n  max_response_size: 64MiB\n  max_series: 100\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.Graph.ResponseSizeLimit() != 64<<20 || c.Graph.MaxSeries != 100 {
		t.Errorf("graph = %+v", c.Graph)
	}
	tests := []struct{ yml, want string }{
		{"graph:\n  max_series: 101\n  max_response_size: 1KiB\n",
			"herald.yml:2: graph.max_series: must be at most 100 (a legend of more lines is unreadable)\n" +
				"herald.yml:3: graph.max_response_size: must be between 64KiB and 1GiB"},
		{"graph:\n  max_response_size: 2GiB\n", "herald.yml:2: graph.max_response_size: must be between 64KiB and 1GiB"},
		{"graph:\n  max_response_size: lots\n",
			`herald.yml:2: graph.max_response_size: invalid size "lots" (want a number of bytes, optionally with a unit: kB, MB, GB, KiB, MiB, GiB)`},
	}
	for _, tt := range tests {
		_, err := writeConfig(t, tt.yml)
		if err == nil {
			t.Errorf("%q loaded", tt.yml)
			continue
		}
		// The file is in a temporary directory; keep its name only.
		var lines []string
		for _, l := range strings.Split(err.Error(), "\n") {
			lines = append(lines, filepath.Base(l[:strings.Index(l, ":")])+l[strings.Index(l, ":"):])
		}
		if got := strings.Join(lines, "\n"); got != tt.want {
			t.Errorf("%q:\n got: %s\nwant: %s", tt.yml, got, tt.want)
		}
	}
}
