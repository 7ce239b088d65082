package httpconf_test

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/alertmanager"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/grafana"
	"github.com/heraldhq/herald/internal/httpconf"
	"github.com/heraldhq/herald/internal/notify/webhook"
	"github.com/heraldhq/herald/internal/platforms"
	"github.com/heraldhq/herald/internal/prom"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakehttp"
)

// target is a TLS server with a certificate of its own CA that answers
// only requests carrying the expected bearer token.
type target struct {
	*httptest.Server
	mu    sync.Mutex
	paths []string
}

func newTarget(t *testing.T, token string) *target {
	tg := &target{}
	tg.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		tg.mu.Lock()
		tg.paths = append(tg.paths, r.URL.Path)
		tg.mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/grafana/render/") {
			wd, _ := strconv.Atoi(r.URL.Query().Get("width"))
			ht, _ := strconv.Atoi(r.URL.Query().Get("height"))
			w.Header().Set("Content-Type", "image/png")
			_ = png.Encode(w, image.NewRGBA(image.Rect(0, 0, wd, ht)))
			return
		}
		if strings.HasPrefix(r.URL.Path, "/am/api/v2/") {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `[]`)
			return
		}
		if strings.HasSuffix(r.URL.Path, "/api/v1/query") {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(tg.Close)
	return tg
}

func (tg *target) seen() []string {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return append([]string(nil), tg.paths...)
}

// writeConfig writes a configuration whose http_config (a proxy, a bearer
// token from a file, the target's CA) is written once and used by every
// outgoing call through a YAML anchor, as a user would.
func writeConfig(t *testing.T, tg *target, proxy *fakehttp.Proxy, token string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	fakehttp.WriteCA(t, tg.Server, dir)
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	yml := fmt.Sprintf(`data_dir: %[1]s
prometheus:
  url: %[2]s/prom
  <<: &http
    proxy_url: %[3]s
    proxy_connect_header: {X-Proxy-Tenant: [ops]}
    authorization: {credentials_file: token}
    tls_config: {ca_file: ca.pem}
grafana:
  url: %[2]s/grafana
  <<: *http
alertmanager:
  url: %[2]s/am
  <<: *http
channels:
  - name: hook
    webhook:
      url: %[2]s/hook
      http_config: *http
`, dir, tg.URL, proxy.URL)
	path := filepath.Join(dir, "herald.yml")
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(path, platforms.Configs())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Every client takes the same http_config keys from one YAML anchor: each
// reaches an https target through the proxy (CONNECT, with
// proxy_connect_header), trusts the target's CA from tls_config and sends
// the bearer token of authorization.credentials_file. The generic webhook
// takes them under http_config:, Prometheus, Grafana and Alertmanager
// directly under their sections, as in a scrape config.
func TestClientsThroughProxy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		path string
		call func(*config.Config) error
	}{
		{"webhook", "/hook", func(c *config.Config) error {
			n, err := webhook.New("hook", c.Channels[0].Section.(*webhook.Config), nil)
			if err != nil {
				return err
			}
			m := alerts.Message(alert.KindFiring, alerts.Alert(amtemplate.KV{"alertname": "Down", "severity": "critical"}))
			m.Channel = "hook"
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			_, _, err = n.Notify(ctx, m)
			return err
		}},
		{"prometheus", "/prom/api/v1/query", func(c *config.Config) error {
			client, err := prom.New(c.Prometheus, nil)
			if err == nil {
				_, err = client.Query(ctx, "up", time.Time{}, prom.Limits{})
			}
			return err
		}},
		{"grafana", "/grafana/render/d-solo/herald", func(c *config.Config) error {
			client, err := grafana.New(c.Grafana, nil)
			if err == nil {
				now := time.Now()
				_, err = client.RenderPanel(ctx, grafana.PanelRequest{DashboardUID: "herald", PanelID: 1, From: now.Add(-time.Hour), To: now})
			}
			return err
		}},
		// Alertmanager's, which the bot lists alerts from and silences in.
		{"alertmanager", "/am/api/v2/silences", func(c *config.Config) error {
			client, err := alertmanager.New(c.Alertmanager, nil)
			if err == nil {
				_, err = client.Silences(ctx, nil)
			}
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			const token = "tok-s3cr3t"
			tg, proxy := newTarget(t, token), fakehttp.NewProxy(t)
			if err := tc.call(writeConfig(t, tg, proxy, token)); err != nil {
				t.Fatal(err)
			}
			if got := tg.seen(); len(got) != 1 || got[0] != tc.path {
				t.Errorf("target got %q, want %s", got, tc.path)
			}
			checkTunnels(t, proxy, tg)
		})
	}
}

// Without the CA the target's certificate is refused, and without the
// proxy settings the proxy sees nothing: the settings are what made the
// request work.
func TestClientNeedsTheSettings(t *testing.T) {
	t.Parallel()
	const token = "tok-s3cr3t"
	tg, proxy := newTarget(t, token), fakehttp.NewProxy(t)
	c := writeConfig(t, tg, proxy, token)
	hc := c.Channels[0].Section.(*webhook.Config).HTTPConfig
	hc.TLSConfig.CAFile = ""
	client, err := httpconf.Client(hc, "test")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Get(tg.URL + "/x")
	if err == nil {
		resp.Body.Close()
		t.Fatal("an unknown CA was trusted")
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("the error shows the token: %v", err)
	}
}

func checkTunnels(t *testing.T, proxy *fakehttp.Proxy, tg *target) {
	t.Helper()
	tunnels := proxy.Tunnels()
	if len(tunnels) == 0 {
		t.Fatal("the request did not go through the proxy")
	}
	for _, tn := range tunnels {
		if tn.Host != strings.TrimPrefix(tg.URL, "https://") || tn.Header.Get("X-Proxy-Tenant") != "ops" {
			t.Errorf("tunnel to %s with %v", tn.Host, tn.Header)
		}
	}
}
