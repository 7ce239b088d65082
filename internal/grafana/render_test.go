package grafana_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	promconfig "github.com/prometheus/common/config"
	"image/png"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/grafana"
)

// A PromQL query with everything a URL must escape: quotes, braces, =~,
// spaces, a + and a #.
const nastyQuery = `sum by (instance) (rate(http_requests_total{job="api",code=~"5..",path!~"/a+b#c"}[5m])) / 2`

var (
	from = time.Date(2025, 3, 1, 11, 0, 0, 0, time.UTC)
	to   = from.Add(time.Hour)
)

func newClient(t *testing.T, f *fakeGrafana, mutate ...func(*config.GrafanaConfig)) *grafana.Client {
	t.Helper()
	cfg := config.GrafanaConfig{URL: f.URL() + "/", APIToken: fakeToken, OrgID: fakeOrg, Timeout: config.Duration(5 * time.Second)}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := grafana.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func request(query string) grafana.PanelRequest {
	return grafana.PanelRequest{DashboardUID: "herald-alert", PanelID: 1, From: from, To: to,
		Width: 800, Height: 400, TZ: "Europe/Berlin",
		Vars: map[string]string{
			grafana.VarQuery:      query,
			grafana.VarTitle:      "CPU > 90% — web-1 & co",
			grafana.VarThreshold:  "0.9",
			grafana.VarDatasource: "Prom Main",
		}}
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestRenderPanel(t *testing.T) {
	f := newFakeGrafana(t, answerPNG)
	c := newClient(t, f)
	img, err := c.RenderPanel(ctxT(t, 3*time.Second), request(nastyQuery))
	if err != nil {
		t.Fatal(err)
	}
	checkImage(t, img, 800, 400, nastyQuery)
	reqs := f.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	want := map[string]string{
		"uid": "herald-alert", "orgId": "3", "panelId": "1", "from": "1740826800000", "to": "1740830400000",
		"width": "800", "height": "400", "tz": "Europe/Berlin",
		"var-query": nastyQuery, "var-title": "CPU > 90% — web-1 & co", "var-threshold": "0.9", "var-datasource": "Prom Main",
	}
	got := reqs[0]
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, got.Get(k), v)
		}
	}
	// The time Herald is willing to wait, so that Grafana stops rendering
	// when Herald has given up.
	if n, _ := strconv.Atoi(got.Get("timeout")); n < 1 || n > 3 {
		t.Errorf("timeout = %q, want the seconds left (1..3)", got.Get("timeout"))
	}
	if len(got) != len(want)+1 {
		t.Errorf("parameters %v", got)
	}
}

// checkImage decodes a render and checks its size and that it answers the
// request for query.
func checkImage(t *testing.T, b []byte, w, h int, query string) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if sz := img.Bounds().Size(); sz.X != w || sz.Y != h {
		t.Errorf("image %v, want %dx%d", sz, w, h)
	}
	r, g, bl, _ := img.At(w/2, h/2).RGBA()
	want := queryColor(query)
	if uint8(r>>8) != want.R || uint8(g>>8) != want.G || uint8(bl>>8) != want.B {
		t.Errorf("the image answers another query than %q", query)
	}
}

func TestRenderPanelBasicAuthAndDefaults(t *testing.T) {
	f := newFakeGrafana(t, answerPNG)
	f.basic = true
	c := newClient(t, f, func(c *config.GrafanaConfig) {
		c.APIToken = ""
		c.HTTP.BasicAuth = &promconfig.BasicAuth{Username: fakeUser, Password: fakePassword}
	})
	r := request("up")
	r.Width, r.Height, r.TZ, r.Vars = 0, 0, "", nil
	img, err := c.RenderPanel(ctxT(t, 3*time.Second), r)
	if err != nil {
		t.Fatal(err)
	}
	checkImage(t, img, grafana.DefaultWidth, grafana.DefaultHeight, "")
	if q := f.Requests()[0]; q.Has("tz") || q.Has("var-query") {
		t.Errorf("empty fields sent: %v", q)
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name      string
		answer    answer
		token     config.Secret
		reason    string
		permanent bool
		says      string
	}{
		{name: "wrong token", answer: answerPNG, token: "glsa_wrong_" + fakeToken + "_x", reason: grafana.ReasonAuth,
			permanent: true, says: "HTTP 401 (check grafana.api_token"},
		{name: "HTML page", answer: answerHTML, reason: grafana.ReasonNoRenderer, permanent: true,
			says: "answered text/html instead of a PNG: is the grafana-image-renderer plugin installed"},
		{name: "JSON error", answer: answerJSON, reason: grafana.ReasonNoRenderer, permanent: true,
			says: `grafana-image-renderer plugin installed (or [rendering] server_url set to a remote renderer), and is grafana.url Grafana's root URL? The answer begins: {"message":"Rendering failed`},
		{name: "placeholder image", answer: answerPlaceholder, reason: grafana.ReasonNoRenderer,
			says: "answered a 500x250 image for a 800x400 render: one of Grafana's placeholder images (grafana-image-renderer plugin"},
		{name: "500", answer: answer500, reason: grafana.ReasonHTTP, says: "HTTP 500: {\"message\":\"Rendering failed: timeout\"}"},
		{name: "404", answer: answer404, reason: grafana.ReasonNotFound, permanent: true, says: "HTTP 404 (check grafana.url"},
		{name: "login redirect", answer: answerLogin, reason: grafana.ReasonAuth, permanent: true, says: `redirect to "/grafana/login"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGrafana(t, tt.answer)
			c := newClient(t, f, func(c *config.GrafanaConfig) {
				if tt.token != "" {
					c.APIToken = tt.token
				}
			})
			img, err := c.RenderPanel(ctxT(t, 3*time.Second), request(nastyQuery))
			e, ok := errors.AsType[*grafana.Error](err)
			if img != nil || !ok {
				t.Fatalf("img %d bytes, err %v", len(img), err)
			}
			if e.Reason != tt.reason || e.Permanent != tt.permanent || grafana.IsPermanent(err) != tt.permanent {
				t.Errorf("reason %q permanent %v, want %q %v", e.Reason, e.Permanent, tt.reason, tt.permanent)
			}
			if !strings.Contains(err.Error(), tt.says) || !strings.HasPrefix(err.Error(), `grafana render dashboard "herald-alert" panel 1: `) {
				t.Errorf("error %q\ndoes not say %q", err, tt.says)
			}
			checkNoSecret(t, err.Error(), fakeToken, string(tt.token))
		})
	}
}

func checkNoSecret(t *testing.T, s string, secrets ...string) {
	t.Helper()
	for _, secret := range secrets {
		if secret != "" && strings.Contains(s, secret) {
			t.Errorf("a secret leaked: %q", s)
		}
	}
}

func TestRenderHangReturnsAtTheDeadline(t *testing.T) {
	f := newFakeGrafana(t, answerHang)
	c := newClient(t, f)
	start := time.Now()
	_, err := c.RenderPanel(ctxT(t, 300*time.Millisecond), request("up"))
	took := time.Since(start)
	e, ok := errors.AsType[*grafana.Error](err)
	if !ok || e.Reason != grafana.ReasonTimeout || e.Permanent || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	if took > time.Second {
		t.Errorf("returned after %v, the deadline was 300ms", took)
	}
	if got := f.Requests()[0].Get("timeout"); got != "1" {
		t.Errorf("timeout = %q, want 1 (second, rounded up)", got)
	}
	// The client's own timeout bounds a caller without a deadline.
	c = newClient(t, f, func(c *config.GrafanaConfig) { c.Timeout = config.Duration(200 * time.Millisecond) })
	if _, err := c.RenderPanel(context.Background(), request("up")); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("client timeout: %v", err)
	}
}

func TestRenderConcurrentNeverMix(t *testing.T) {
	f := newFakeGrafana(t, answerPNG)
	f.jitter = 30 * time.Millisecond
	c := newClient(t, f)
	ctx := ctxT(t, 10*time.Second)
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			q := fmt.Sprintf(`node_load1{instance="web-%d:9100"} > %d`, i, i)
			r := request(q)
			r.Width, r.Height = 400+2*i, 200+i
			img, err := c.RenderPanel(ctx, r)
			if err != nil {
				t.Error(err)
				return
			}
			checkImage(t, img, r.Width, r.Height, q)
		})
	}
	wg.Wait()
	if n := len(f.Requests()); n != 40 {
		t.Errorf("%d requests", n)
	}
}

func TestRenderRejectsBadRequests(t *testing.T) {
	f := newFakeGrafana(t, answerPNG)
	c := newClient(t, f)
	for _, mutate := range []func(*grafana.PanelRequest){
		func(r *grafana.PanelRequest) { r.DashboardUID = "../api/dashboards" },
		func(r *grafana.PanelRequest) { r.DashboardUID = "" },
		func(r *grafana.PanelRequest) { r.PanelID = 0 },
		func(r *grafana.PanelRequest) { r.Width = -1 },
		func(r *grafana.PanelRequest) { r.From = r.To },
	} {
		r := request("up")
		mutate(&r)
		if _, err := c.RenderPanel(ctxT(t, time.Second), r); !grafana.IsPermanent(err) {
			t.Errorf("%+v: err %v", r, err)
		}
	}
	if n := len(f.Requests()); n != 0 {
		t.Errorf("%d bad requests reached Grafana", n)
	}
}

func TestNew(t *testing.T) {
	tokenFile := t.TempDir() + "/token"
	if err := os.WriteFile(tokenFile, []byte(fakeToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := newFakeGrafana(t, answerPNG)
	c := newClient(t, f, func(c *config.GrafanaConfig) { c.APIToken, c.APITokenFile = "", tokenFile })
	if _, err := c.RenderPanel(ctxT(t, 3*time.Second), request("up")); err != nil {
		t.Errorf("token from api_token_file: %v", err)
	}
	for _, s := range []string{c.String(), fmt.Sprintf("%v %+v %#v", c, c, c), fmt.Sprint(*c)} {
		checkNoSecret(t, s, fakeToken)
	}
	for _, cfg := range []config.GrafanaConfig{
		{URL: ""},
		{URL: "ftp://grafana"},
		{URL: "http://admin:" + fakePassword + "@grafana:3000"},
		{URL: "http://grafana:3000", APIToken: fakeToken, HTTP: config.HTTPClientConfig{HTTPClientConfig: promconfig.HTTPClientConfig{
			BasicAuth: &promconfig.BasicAuth{Username: "a", Password: fakePassword}}}},
		{URL: "http://grafana:3000", APITokenFile: "/nonexistent/token"},
	} {
		_, err := grafana.New(cfg, nil)
		if err == nil {
			t.Errorf("%+v accepted", cfg)
			continue
		}
		checkNoSecret(t, err.Error(), fakePassword)
	}
}
