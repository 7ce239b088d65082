package grafana_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/color"
	"image/png"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/grafana"
	"github.com/heraldhq/herald/internal/testutil/fakegrafana"
)

// A PromQL query with everything a URL must escape: quotes, braces, =~,
// spaces, a + and a #.
const nastyQuery = `sum by (instance) (rate(http_requests_total{job="api",code=~"5..",path!~"/a+b#c"}[5m])) / 2`

var (
	from = time.Date(2025, 3, 1, 11, 0, 0, 0, time.UTC)
	to   = from.Add(time.Hour)
)

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

func TestRenderPanel(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c := newClient(t, f)
	img, err := c.RenderPanel(ctxT(t, 3*time.Second), request(nastyQuery))
	if err != nil {
		t.Fatal(err)
	}
	checkImage(t, img, 800, 400, fakegrafana.PanelColor("herald-alert", 1, nastyQuery))
	renders := f.Renders()
	if len(renders) != 1 {
		t.Fatalf("%d renders", len(renders))
	}
	r := renders[0]
	if r.UID != "herald-alert" || r.PanelID != 1 || !r.From.Equal(from) || !r.To.Equal(to) || r.Width != 800 ||
		r.Height != 400 || r.TZ != "Europe/Berlin" || r.Theme != "" || !r.Found {
		t.Errorf("render %+v", r)
	}
	wantVars := url.Values{"query": {nastyQuery}, "title": {"CPU > 90% — web-1 & co"}, "threshold": {"0.9"},
		"datasource": {"Prom Main"}}
	if fmt.Sprint(r.Vars) != fmt.Sprint(wantVars) {
		t.Errorf("vars %v, want %v", r.Vars, wantVars)
	}
	// The time Herald is willing to wait, so that Grafana stops rendering
	// when Herald has given up.
	if r.Timeout < 1 || r.Timeout > 3 {
		t.Errorf("timeout = %d, want the seconds left (1..3)", r.Timeout)
	}
	req := f.Requests()[0]
	if req.Path != "/render/d-solo/herald-alert" || req.Auth != "bearer" || len(req.Query()) != 12 {
		t.Errorf("request %+v", req)
	}
}

// checkImage decodes a render and checks its size and color.
func checkImage(t *testing.T, b []byte, w, h int, want color.RGBA) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if sz := img.Bounds().Size(); sz.X != w || sz.Y != h {
		t.Errorf("image %v, want %dx%d", sz, w, h)
	}
	r, g, bl, _ := img.At(w/2, h/2).RGBA()
	if uint8(r>>8) != want.R || uint8(g>>8) != want.G || uint8(bl>>8) != want.B {
		t.Errorf("the image answers another request")
	}
}

func TestRenderPanelBasicAuthAndDefaults(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c := newClient(t, f, func(c *config.GrafanaConfig) {
		c.APIToken = ""
		c.HTTP.BasicAuth = &promconfig.BasicAuth{Username: fakegrafana.DefaultUser, Password: fakegrafana.DefaultPassword}
	})
	r := request("up")
	r.Width, r.Height, r.TZ, r.Vars = 0, 0, "", nil
	img, err := c.RenderPanel(ctxT(t, 3*time.Second), r)
	if err != nil {
		t.Fatal(err)
	}
	checkImage(t, img, grafana.DefaultWidth, grafana.DefaultHeight, fakegrafana.PanelColor("herald-alert", 1, ""))
	if q := f.Requests()[0]; q.Auth != "basic" || q.Query().Has("tz") || q.Query().Has("var-query") {
		t.Errorf("request %+v", q)
	}
}

// TestRenderChosenRange is the bot's render: any panel of any dashboard
// (here one in a collapsed row), over the range and at the size the user
// chose, with the dashboard's own variables.
func TestRenderChosenRange(t *testing.T) {
	t.Parallel()
	f := newFake(t, fakegrafana.Dashboard{UID: "node", Title: "Node", Panels: []map[string]any{
		fakegrafana.Panel(1, "Load", "timeseries", 0, 0),
		fakegrafana.Row(2, "Disks", 8, true, fakegrafana.Panel(7, "IO of $instance", "timeseries", 0, 9)),
	}})
	c := newClient(t, f)
	now := time.Date(2025, 6, 1, 12, 34, 56, 789e6, time.UTC)
	r := grafana.PanelRequest{DashboardUID: "node", PanelID: 7, From: now.Add(-6 * time.Hour), To: now,
		Width: 1000, Height: 500, Theme: "light", TZ: "UTC"}
	img, err := c.RenderPanel(ctxT(t, 3*time.Second), r)
	if err != nil {
		t.Fatal(err)
	}
	checkImage(t, img, 1000, 500, fakegrafana.PanelColor("node", 7, ""))
	got := f.Renders()[0]
	if !got.Found || !got.From.Equal(now.Add(-6*time.Hour)) || !got.To.Equal(now) || got.Theme != "light" || len(got.Vars) != 0 {
		t.Errorf("render %+v", got)
	}
	if got.RawTo != strconv.FormatInt(now.UnixMilli(), 10) {
		t.Errorf("to = %q, want epoch milliseconds", got.RawTo)
	}
}

func TestRenderHangReturnsAtTheDeadline(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c := newClient(t, f)
	f.FailNext(1, fakegrafana.FaultHang)
	start := time.Now()
	_, err := c.RenderPanel(ctxT(t, 300*time.Millisecond), request("up"))
	took := time.Since(start)
	e, ok := errors.AsType[*grafana.Error](err)
	if !ok || e.Reason != grafana.ReasonTimeout || e.Permanent || !errors.Is(err, context.DeadlineExceeded) ||
		!errors.Is(err, grafana.ErrTimeout) {
		t.Fatalf("err %v", err)
	}
	if took > time.Second {
		t.Errorf("returned after %v, the deadline was 300ms", took)
	}
	if got := f.Requests()[0].Query().Get("timeout"); got != "1" {
		t.Errorf("timeout = %q, want 1 (second, rounded up)", got)
	}
	// The client's own timeout bounds a caller without a deadline.
	c = newClient(t, f, func(c *config.GrafanaConfig) { c.Timeout = config.Duration(200 * time.Millisecond) })
	f.FailNext(1, fakegrafana.FaultHang)
	if _, err := c.RenderPanel(context.Background(), request("up")); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("client timeout: %v", err)
	}
	// No question about the renderer after a timeout: the time is up.
	for _, r := range f.Requests() {
		if r.Path != "/render/d-solo/herald-alert" {
			t.Errorf("request %+v", r)
		}
	}
}

func TestRenderConcurrentNeverMix(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.SetLatency(5 * time.Millisecond)
	// Generous: the test is about answers never mixing, and a loaded
	// machine under the race detector is slow.
	c := newClient(t, f, func(c *config.GrafanaConfig) { c.Timeout = config.Duration(30 * time.Second) })
	ctx := ctxT(t, 30*time.Second)
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
			checkImage(t, img, r.Width, r.Height, fakegrafana.PanelColor("herald-alert", 1, q))
		})
	}
	wg.Wait()
	if n := len(f.Renders()); n != 40 {
		t.Errorf("%d renders", n)
	}
}

func TestRenderRejectsBadRequests(t *testing.T) {
	t.Parallel()
	f := newFake(t)
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
	t.Parallel()
	tokenFile := t.TempDir() + "/token"
	if err := os.WriteFile(tokenFile, []byte(fakegrafana.DefaultToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := newFake(t)
	c := newClient(t, f, func(c *config.GrafanaConfig) { c.APIToken, c.APITokenFile = "", tokenFile })
	if _, err := c.RenderPanel(ctxT(t, 3*time.Second), request("up")); err != nil {
		t.Errorf("token from api_token_file: %v", err)
	}
	for _, s := range []string{c.String(), fmt.Sprintf("%v %+v %#v", c, c, c), fmt.Sprint(*c)} {
		checkNoSecret(t, s, fakegrafana.DefaultToken)
	}
	for _, cfg := range []config.GrafanaConfig{
		{URL: ""},
		{URL: "ftp://grafana"},
		{URL: "http://admin:" + fakegrafana.DefaultPassword + "@grafana:3000"},
		{URL: "http://grafana:3000", APIToken: fakegrafana.DefaultToken, HTTP: config.HTTPClientConfig{HTTPClientConfig: promconfig.HTTPClientConfig{
			BasicAuth: &promconfig.BasicAuth{Username: "a", Password: fakegrafana.DefaultPassword}}}},
		{URL: "http://grafana:3000", APITokenFile: "/nonexistent/token"},
	} {
		_, err := grafana.New(cfg, nil)
		if err == nil {
			t.Errorf("%+v accepted", cfg)
			continue
		}
		checkNoSecret(t, err.Error(), fakegrafana.DefaultPassword)
	}
}
