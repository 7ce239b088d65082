package grafana_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/grafana"
	"github.com/heraldhq/herald/internal/testutil/fakegrafana"
)

// TestRenderErrors classifies every way a render fails: whether Grafana
// lacks a renderer (ErrNoRenderer, permanent: the bot says so at once),
// whether another attempt may work (the caller's to make), and what the
// operator reads. requests counts what reached Grafana: 2 when the client
// had to ask whether there is a renderer.
func TestRenderErrors(t *testing.T) {
	t.Parallel()
	const prefix = `grafana render dashboard "herald-alert" panel 1: `
	tests := []struct {
		name      string
		setup     func(*fakegrafana.Server)
		cfg       func(*config.GrafanaConfig)
		reason    string
		permanent bool
		requests  int
		says      string
	}{
		{name: "wrong token", cfg: func(c *config.GrafanaConfig) { c.APIToken = "glsa_wrong_" + fakegrafana.DefaultToken + "_x" },
			reason: grafana.ReasonAuth, permanent: true, requests: 1,
			says: `HTTP 401 (check grafana.api_token: a service account token with the Viewer role, or basic_auth, and grafana.org_id): {"message":"Invalid API key"`},
		{name: "wrong password", cfg: func(c *config.GrafanaConfig) {
			c.APIToken = ""
			c.HTTP.BasicAuth = &promconfig.BasicAuth{Username: fakegrafana.DefaultUser, Password: "wrong-" + fakegrafana.DefaultPassword}
		}, reason: grafana.ReasonAuth, permanent: true, requests: 1, says: `"Invalid username or password"`},
		{name: "another org", cfg: func(c *config.GrafanaConfig) { c.OrgID = fakeOrg + 1 },
			reason: grafana.ReasonAuth, permanent: true, requests: 1, says: "does not belong to the requested organization"},
		{name: "login redirect", setup: func(f *fakegrafana.Server) { f.FailNext(1, fakegrafana.FaultLogin) },
			reason: grafana.ReasonAuth, permanent: true, requests: 1, says: `redirect to "/grafana/login"`},

		// Grafana 13 without a renderer: a bare "Rendering failed." page,
		// which only /api/frontend/settings explains.
		{name: "grafana 13 without renderer", setup: func(f *fakegrafana.Server) { f.SetRenderer(fakegrafana.RendererNone) },
			reason: grafana.ReasonNoRenderer, permanent: true, requests: 2,
			says: `Grafana has no image renderer (it answered HTTP 500 "Grafana / Server Error Sadly something went wrong. Rendering failed. ` +
				`Check the Grafana server logs for the detailed error message.", and /api/frontend/settings says rendererAvailable: false): ` +
				`run the grafana-image-renderer service`},
		{name: "grafana 12 placeholder", setup: func(f *fakegrafana.Server) { f.SetRenderer(fakegrafana.RendererNonePlaceholder) },
			reason: grafana.ReasonNoRenderer, permanent: true, requests: 2,
			says: "Grafana has no image renderer (it answered a 500x250 image for a 800x400 render, and /api/frontend/settings says rendererAvailable: false)"},
		{name: "answer says no renderer", setup: func(f *fakegrafana.Server) {
			f.AnswerNext(1, 500, "application/json", `{"message":"No image renderer available/configured"}`)
		}, reason: grafana.ReasonNoRenderer, permanent: true, requests: 1,
			says: `Grafana has no image renderer (it answered HTTP 500 "{\"message\":\"No image renderer available/configured\"}", and its answer says so)`},
		{name: "no renderer behind a 404", setup: func(f *fakegrafana.Server) {
			f.SetRenderer(fakegrafana.RendererNone)
			f.FailNext(1, fakegrafana.FaultNotFound)
		}, reason: grafana.ReasonNoRenderer, permanent: true, requests: 2, says: `HTTP 404 "404 page not found"`},

		// A renderer that is there but fails: another attempt may work.
		{name: "renderer failing", setup: func(f *fakegrafana.Server) { f.SetRenderer(fakegrafana.RendererFailing) },
			reason: grafana.ReasonHTTP, requests: 2, says: "HTTP 500: Grafana / Server Error Sadly something went wrong. Rendering failed."},
		{name: "renderer busy", setup: func(f *fakegrafana.Server) { f.SetRenderer(fakegrafana.RendererBusy) },
			reason: grafana.ReasonHTTP, requests: 2,
			says: "answered a 500x250 image for a 800x400 render: one of Grafana's placeholder pictures although it has a renderer: the renderer is busy"},
		{name: "renderer timeout", setup: func(f *fakegrafana.Server) { f.SetRenderer(fakegrafana.RendererTimeout) },
			reason: grafana.ReasonTimeout, requests: 1, says: "timeout error - you can set timeout in seconds with &timeout url parameter"},
		{name: "too many renders", setup: func(f *fakegrafana.Server) { f.SetRenderer(fakegrafana.RendererTooMany) },
			reason: grafana.ReasonHTTP, requests: 1, says: `HTTP 429: {"message":"Too many rendering requests"}`},
		{name: "500", setup: func(f *fakegrafana.Server) { f.FailNext(1, fakegrafana.FaultInternal) },
			reason: grafana.ReasonHTTP, requests: 2, says: `HTTP 500: {"message":"Internal Server Error"`},

		// Not Grafana's answer: a wrong url or a proxy.
		{name: "404", setup: func(f *fakegrafana.Server) { f.FailNext(1, fakegrafana.FaultNotFound) },
			reason: grafana.ReasonNotFound, permanent: true, requests: 2, says: "HTTP 404 (check grafana.url"},
		{name: "HTML page", setup: func(f *fakegrafana.Server) { f.FailNext(1, fakegrafana.FaultHTMLPage) },
			reason: grafana.ReasonBadAnswer, permanent: true, requests: 2,
			says: "answered text/html instead of a PNG although Grafana has a renderer: is grafana.url Grafana's root URL"},
		{name: "HTML everywhere", setup: func(f *fakegrafana.Server) { f.FailNext(2, fakegrafana.FaultHTMLPage) },
			reason: grafana.ReasonNoRenderer, permanent: true, requests: 2,
			says: "answered text/html instead of a PNG: does Grafana have an image renderer (run the grafana-image-renderer service"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			var mutate []func(*config.GrafanaConfig)
			if tt.cfg != nil {
				mutate = append(mutate, tt.cfg)
			}
			c := newClient(t, f, mutate...)
			start := time.Now()
			img, err := c.RenderPanel(ctxT(t, 10*time.Second), request(nastyQuery))
			e, ok := errors.AsType[*grafana.Error](err)
			if img != nil || !ok {
				t.Fatalf("img %d bytes, err %v", len(img), err)
			}
			if time.Since(start) > 5*time.Second {
				t.Errorf("took %v: a failure must not wait for the deadline", time.Since(start))
			}
			if e.Reason != tt.reason || e.Permanent != tt.permanent || grafana.IsPermanent(err) != tt.permanent {
				t.Errorf("reason %q permanent %v, want %q %v", e.Reason, e.Permanent, tt.reason, tt.permanent)
			}
			noRenderer := tt.reason == grafana.ReasonNoRenderer
			if errors.Is(err, grafana.ErrNoRenderer) != noRenderer || errors.Is(err, grafana.ErrAuth) != (tt.reason == grafana.ReasonAuth) ||
				errors.Is(err, grafana.ErrTimeout) != (tt.reason == grafana.ReasonTimeout) || errors.Is(err, grafana.ErrNotFound) != (tt.reason == grafana.ReasonNotFound) {
				t.Errorf("errors.Is: %v", err)
			}
			if !strings.Contains(err.Error(), tt.says) || !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("error %q\ndoes not say %q", err, tt.says)
			}
			if n := len(f.Requests()); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			checkNoSecret(t, err.Error(), fakegrafana.DefaultToken, fakegrafana.DefaultPassword)
		})
	}
}

func TestRendererAvailable(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c := newClient(t, f)
	ok, version, err := c.RendererAvailable(ctxT(t, 3*time.Second))
	if err != nil || !ok || version == "" {
		t.Errorf("installed: %v %q %v", ok, version, err)
	}
	f.SetRenderer(fakegrafana.RendererNone)
	if ok, _, err := c.RendererAvailable(ctxT(t, 3*time.Second)); err != nil || ok {
		t.Errorf("none: %v %v", ok, err)
	}
	f.FailNext(1, fakegrafana.FaultHTMLPage)
	_, _, err = c.RendererAvailable(ctxT(t, 3*time.Second))
	if e, ok := errors.AsType[*grafana.Error](err); !ok || e.Reason != grafana.ReasonBadAnswer || !e.Permanent ||
		!strings.Contains(err.Error(), "is grafana.url Grafana's root URL?") {
		t.Errorf("HTML page: %v", err)
	}
}
