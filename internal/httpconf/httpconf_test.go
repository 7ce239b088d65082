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

// The generic webhook honours http_config: it reaches an https target
// through the proxy (CONNECT, with proxy_connect_header), trusts the
// target's CA from tls_config and sends the bearer token of
// authorization.credentials_file.
func TestWebhookThroughProxy(t *testing.T) {
	t.Parallel()
	const token = "tok-s3cr3t"
	tg, proxy := newTarget(t, token), fakehttp.NewProxy(t)
	c := writeConfig(t, tg, proxy, token)
	n, err := webhook.New("hook", c.Channels[0].Section.(*webhook.Config), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := alerts.Message(alert.KindFiring, alerts.Alert(amtemplate.KV{"alertname": "Down", "severity": "critical"}))
	m.Channel = "hook"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, _, err := n.Notify(ctx, m); err != nil {
		t.Fatal(err)
	}
	if got := tg.seen(); len(got) != 1 || got[0] != "/hook" {
		t.Errorf("target got %q", got)
	}
	checkTunnels(t, proxy, tg)
}

// Prometheus' client takes the same keys, written directly under
// prometheus: as in a scrape config.
func TestPrometheusThroughProxy(t *testing.T) {
	t.Parallel()
	const token = "tok-s3cr3t"
	tg, proxy := newTarget(t, token), fakehttp.NewProxy(t)
	c := writeConfig(t, tg, proxy, token)
	client, err := prom.New(c.Prometheus, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Query(context.Background(), "up", time.Time{}, prom.Limits{}); err != nil {
		t.Fatal(err)
	}
	if got := tg.seen(); len(got) != 1 || got[0] != "/prom/api/v1/query" {
		t.Errorf("target got %q", got)
	}
	checkTunnels(t, proxy, tg)
}

// So does Grafana's.
func TestGrafanaThroughProxy(t *testing.T) {
	t.Parallel()
	const token = "tok-s3cr3t"
	tg, proxy := newTarget(t, token), fakehttp.NewProxy(t)
	c := writeConfig(t, tg, proxy, token)
	client, err := grafana.New(c.Grafana, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	_, err = client.RenderPanel(context.Background(), grafana.PanelRequest{DashboardUID: "herald", PanelID: 1, From: now.Add(-time.Hour), To: now})
	if err != nil {
		t.Fatal(err)
	}
	if got := tg.seen(); len(got) != 1 || got[0] != "/grafana/render/d-solo/herald" {
		t.Errorf("target got %q", got)
	}
	checkTunnels(t, proxy, tg)
}

// And Alertmanager's, which the bot lists alerts from and silences in.
func TestAlertmanagerThroughProxy(t *testing.T) {
	t.Parallel()
	const token = "tok-s3cr3t"
	tg, proxy := newTarget(t, token), fakehttp.NewProxy(t)
	c := writeConfig(t, tg, proxy, token)
	client, err := alertmanager.New(c.Alertmanager, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Silences(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if got := tg.seen(); len(got) != 1 || got[0] != "/am/api/v2/silences" {
		t.Errorf("target got %q", got)
	}
	checkTunnels(t, proxy, tg)
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
