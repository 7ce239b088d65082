package fakegrafana

import (
	"bytes"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Renderer is the state of Grafana's image renderer.
type Renderer int

// The renderer states the fake plays. Without a renderer,
// /api/frontend/settings says "rendererAvailable": false.
const (
	// RendererInstalled renders every panel.
	RendererInstalled Renderer = iota
	// RendererNone is Grafana 13 (the plugin was removed) without a remote
	// renderer: every render answers 500 with the HTML error page
	// "Rendering failed." (pkg/api/render.go), which in production does
	// not say why.
	RendererNone
	// RendererNonePlaceholder is Grafana 12 and older without the plugin:
	// 200 with the placeholder picture rendering_plugin_not_installed.png.
	RendererNonePlaceholder
	// RendererBusy answers the concurrency limit's placeholder picture
	// (rendering_limit_dark.png), 200.
	RendererBusy
	// RendererFailing answers 500 "Rendering failed." with a renderer
	// installed, as when its browser crashed.
	RendererFailing
	// RendererTimeout answers 500 with Grafana's timeout error page.
	RendererTimeout
	// RendererTooMany answers 429 "Too many rendering requests" (JSON).
	RendererTooMany
)

// The size of Grafana's placeholder pictures, whatever size was asked.
const (
	PlaceholderWidth  = 500
	PlaceholderHeight = 250
)

// The colors of what is not a found panel.
var (
	// NoRendererColor is the "plugin not installed" placeholder's.
	NoRendererColor = color.RGBA{R: 0x22, G: 0x25, B: 0x2b, A: 255}
	// BusyColor is the concurrency limit placeholder's.
	BusyColor = color.RGBA{R: 0x18, G: 0x1b, B: 0x1f, A: 255}
	// NotFoundColor is Grafana's "Panel not found" render (an unknown
	// dashboard or panel still renders, as a picture of the error).
	NotFoundColor = color.RGBA{R: 0xc4, G: 0x16, B: 0x2a, A: 255}
)

// PanelColor is the color the fake draws a found panel in: a hash of the
// dashboard, the panel and var-query, so that a test can tell which
// request an image answers.
func PanelColor(uid string, panelID int, query string) color.RGBA {
	h := fnv.New32a()
	h.Write([]byte(uid + "\x00" + strconv.Itoa(panelID) + "\x00" + query))
	v := h.Sum32()
	return color.RGBA{R: uint8(v), G: uint8(v >> 8), B: uint8(v >> 16), A: 255}
}

// renderParams are the parameters of /render/d-solo the fake knows; true
// for the required ones. var-* are dashboard variables.
var renderParams = map[string]bool{"orgId": true, "panelId": true, "from": true, "to": true, "width": true,
	"height": true, "timeout": false, "tz": false, "theme": false, "scale": false, "kiosk": false}

// maxSide keeps a test from asking the fake for gigabytes.
const maxSide = 10000

// relativeTime is Grafana's relative time syntax as a render uses it.
var relativeTime = regexp.MustCompile(`^now(-[0-9]+[smhdwMy])?(/[smhdwMy])?$`)

// render answers GET /render/d-solo/{uid}[/{slug}].
func (s *Server) render(c *call, rest string) {
	uid, slug, _ := strings.Cut(rest, "/")
	if uid == "" || strings.Contains(slug, "/") {
		s.reject(c, http.StatusNotFound, "render path %q", c.rec.Path)
		return
	}
	q, err := url.ParseQuery(c.r.URL.RawQuery)
	if err != nil {
		s.reject(c, http.StatusBadRequest, "query %q: %v", c.r.URL.RawQuery, err)
		return
	}
	rd, problem := s.parseRender(uid, q)
	if problem != "" {
		s.reject(c, http.StatusBadRequest, "%s", problem)
		return
	}
	s.mu.Lock()
	rd.Renderer = s.renderer
	s.mu.Unlock()
	rd.Found = s.panelExists(uid, rd.PanelID)
	s.renders.Add(&rd)
	s.answerRender(c.w, &rd, q.Get("var-query"))
}

// parseRender checks the parameters as Grafana and its renderer read them.
func (s *Server) parseRender(uid string, q url.Values) (Render, string) {
	rd := Render{UID: uid, Vars: url.Values{}, TZ: q.Get("tz"), Theme: q.Get("theme")}
	for k, v := range q {
		if name, ok := strings.CutPrefix(k, "var-"); ok && name != "" {
			rd.Vars[name] = v
			continue
		}
		if _, ok := renderParams[k]; !ok {
			return rd, "unknown parameter " + strconv.Quote(k)
		}
		if len(v) != 1 {
			return rd, "parameter " + strconv.Quote(k) + " given more than once"
		}
	}
	for k, required := range renderParams {
		if required && !q.Has(k) {
			return rd, "missing parameter " + k
		}
	}
	nums := map[string]*int{"orgId": new(int), "panelId": &rd.PanelID, "width": &rd.Width, "height": &rd.Height, "timeout": &rd.Timeout}
	for k, p := range nums {
		if !q.Has(k) {
			continue
		}
		n, err := strconv.Atoi(q.Get(k))
		if err != nil || n <= 0 || ((k == "width" || k == "height") && n > maxSide) {
			return rd, k + "=" + strconv.Quote(q.Get(k))
		}
		*p = n
	}
	if *nums["orgId"] != s.cfg.OrgID {
		return rd, "orgId=" + q.Get("orgId") + ", the identity is in org " + strconv.Itoa(s.cfg.OrgID)
	}
	if sc := q.Get("scale"); q.Has("scale") {
		if f, err := strconv.ParseFloat(sc, 64); err != nil || f <= 0 || f > 4 {
			return rd, "scale=" + strconv.Quote(sc)
		}
	}
	if rd.Theme != "" && rd.Theme != "light" && rd.Theme != "dark" {
		return rd, "theme=" + strconv.Quote(rd.Theme)
	}
	if q.Has("tz") && (rd.TZ == "" || len(rd.TZ) > 64 || strings.ContainsAny(rd.TZ, " \t\r\n")) {
		return rd, "tz=" + strconv.Quote(rd.TZ)
	}
	return rd, s.parseRange(&rd, q.Get("from"), q.Get("to"))
}

// parseRange reads from and to: epoch milliseconds or relative times.
func (s *Server) parseRange(rd *Render, from, to string) string {
	rd.RawFrom, rd.RawTo = from, to
	for _, v := range []struct {
		raw string
		t   *time.Time
	}{{from, &rd.From}, {to, &rd.To}} {
		if relativeTime.MatchString(v.raw) {
			continue
		}
		ms, err := strconv.ParseInt(v.raw, 10, 64)
		if err != nil || ms <= 0 {
			return "time " + strconv.Quote(v.raw) + " is neither epoch milliseconds nor relative"
		}
		*v.t = time.UnixMilli(ms).UTC()
	}
	if !rd.From.IsZero() && !rd.To.IsZero() && !rd.From.Before(rd.To) {
		return "from " + from + " is not before to " + to
	}
	return ""
}

// answerRender answers as the renderer's state says.
func (s *Server) answerRender(w http.ResponseWriter, rd *Render, query string) {
	switch rd.Renderer {
	case RendererInstalled:
		c := NotFoundColor
		if rd.Found {
			c = PanelColor(rd.UID, rd.PanelID, query)
		}
		writePNG(w, rd.Width, rd.Height, c)
	case RendererNonePlaceholder:
		writePNG(w, PlaceholderWidth, PlaceholderHeight, NoRendererColor)
	case RendererBusy:
		writePNG(w, PlaceholderWidth, PlaceholderHeight, BusyColor)
	case RendererNone, RendererFailing:
		s.errorPage(w, "Rendering failed.")
	case RendererTimeout:
		s.errorPage(w, "timeout error - you can set timeout in seconds with &timeout url parameter")
	case RendererTooMany:
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"message": "Too many rendering requests"})
	default:
		panic("fakegrafana: unknown renderer state " + strconv.Itoa(int(rd.Renderer)))
	}
}

// errorPage answers 500 with Grafana's error page (public/views/error.html,
// production mode: no details).
func (s *Server) errorPage(w http.ResponseWriter, title string) {
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte(`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width" />
    <title>Grafana - Error</title>
    <base href="` + s.cfg.SubPath + `/" />
    <style>
      :root { --fs-loader-bg: #f4f5f5; --fs-loader-text-color: rgb(36, 41, 46); --fs-color-error: #e0226e; }
      body { background-color: var(--fs-loader-bg); color: var(--fs-loader-text-color); margin: 0; }
      .fs-error-page { box-sizing: border-box; padding: 48px 32px; }
      .fs-error-page pre { border-left: 3px solid var(--fs-color-error); white-space: pre-wrap; }
    </style>
  </head>
  <body class="fs-variant-error">
    <main class="fs-error-page">
      <section class="fs-error-page__content" aria-labelledby="error-title">
        <header class="fs-error-page__header">
          <div>
            <h1 id="error-title"><a class="text-link" href="login">Grafana</a><span> / Server Error</span></h1>
            <p>Sadly something went wrong.</p>
          </div>
        </header>
        <h2>` + title + `</h2>
        <p>Check the Grafana server logs for the detailed error message.</p>
      </section>
    </main>
  </body>
</html>
`))
}

// frontendSettings answers GET /api/frontend/settings: the part of it
// that tells whether a renderer is available.
func (s *Server) frontendSettings(c *call) {
	if c.r.URL.RawQuery != "" {
		s.reject(c, http.StatusBadRequest, "unexpected parameters %q", c.r.URL.RawQuery)
		return
	}
	s.mu.Lock()
	r := s.renderer
	s.mu.Unlock()
	available := r != RendererNone && r != RendererNonePlaceholder
	version := ""
	if available {
		version = "5.0.3"
	}
	writeJSON(c.w, http.StatusOK, map[string]any{
		"appSubUrl": s.cfg.SubPath, "rendererAvailable": available, "rendererVersion": version,
		"buildInfo": map[string]any{"version": "13.0.1", "edition": "Open Source", "env": "production"},
	})
}

// writePNG answers a width×height PNG of one color. Paletted, so that a
// full-size image encodes in milliseconds even under the race detector.
func writePNG(w http.ResponseWriter, width, height int, c color.RGBA) {
	img := image.NewPaletted(image.Rect(0, 0, width, height), color.Palette{c})
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(buf.Bytes())
}
