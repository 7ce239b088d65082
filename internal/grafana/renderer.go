package grafana

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"mime"
	"net/http"
	"time"
)

// maxSettings bounds /api/frontend/settings, which lists every data source
// and plugin: hundreds of kilobytes on a large Grafana.
const maxSettings = 16 << 20

// probeTimeout bounds the question asked after a failed render, so that
// a caller without a deadline waits at most this much more than for the
// render itself.
const probeTimeout = 5 * time.Second

// rendererHint says what to do about a Grafana without a renderer.
const rendererHint = "run the grafana-image-renderer service and set Grafana's [rendering] server_url and callback_url " +
	"(Grafana 13 has no renderer plugin; older versions can install the grafana-image-renderer plugin)"

// RendererAvailable asks Grafana whether it has an image renderer, and
// its version ("rendererAvailable" and "rendererVersion" of
// /api/frontend/settings). The bot can ask before it offers renders;
// RenderPanel asks by itself when a render fails in a way that may mean
// there is none. Errors are *Error.
func (c *Client) RendererAvailable(ctx context.Context) (available bool, version string, err error) {
	var s struct {
		Available *bool  `json:"rendererAvailable"`
		Version   string `json:"rendererVersion"`
	}
	if err := c.getJSON(ctx, "frontend settings", "/api/frontend/settings", nil, maxSettings, &s); err != nil {
		return false, "", err
	}
	if s.Available == nil {
		return false, "", c.fail(&Error{Reason: ReasonBadAnswer, StatusCode: http.StatusOK, Permanent: true},
			"grafana frontend settings: no rendererAvailable in the answer", nil)
	}
	return *s.Available, s.Version, nil
}

// rendererState is what is known of Grafana's renderer after a failure.
type rendererState int

const (
	rendererUnknown rendererState = iota
	rendererPresent
	rendererAbsent
)

// renderer tells whether Grafana has a renderer after a render failed:
// from its answer when it says, or else by asking, within ctx. Grafana 13
// in production answers only "Rendering failed.", so asking is the only
// way to tell a missing renderer from a failing one.
func (c *Client) renderer(ctx context.Context, answer []byte) (rendererState, string) {
	if saysNoRenderer(answer) {
		return rendererAbsent, "its answer says so"
	}
	if ctx.Err() != nil {
		return rendererUnknown, ""
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	ok, _, err := c.RendererAvailable(ctx)
	switch {
	case err != nil:
		c.logger.Debug("cannot ask Grafana whether it has an image renderer", "err", err)
		return rendererUnknown, ""
	case ok:
		return rendererPresent, ""
	}
	return rendererAbsent, "/api/frontend/settings says rendererAvailable: false"
}

// noRenderer is the permanent error of a Grafana without a renderer.
func (c *Client) noRenderer(op string, status int, answered, why string) *Error {
	return c.fail(&Error{Reason: ReasonNoRenderer, StatusCode: status, Permanent: true},
		fmt.Sprintf("grafana %s: Grafana has no image renderer (it answered %s, and %s): %s", op, answered, why, rendererHint), nil)
}

// renderStatusError classifies a non-2xx answer to a render. A 5xx or a
// 404 may be Grafana without a renderer: Grafana 13 answers 500, and a
// Grafana that lost its placeholder picture 404.
func (c *Client) renderStatusError(ctx context.Context, op string, resp *http.Response, body []byte) *Error {
	e := c.statusError(op, resp, body)
	if resp.StatusCode == http.StatusTooManyRequests || (e.Reason != ReasonHTTP && e.Reason != ReasonNotFound) {
		return e
	}
	if state, why := c.renderer(ctx, body); state == rendererAbsent {
		answered := fmt.Sprintf("HTTP %d", resp.StatusCode)
		if q := c.quote(resp.Header.Get("Content-Type"), body); q != "" {
			answered += fmt.Sprintf(" %q", q)
		}
		return c.noRenderer(op, resp.StatusCode, answered, why)
	}
	return e
}

// checkImage makes sure a 2xx answer is the rendered panel. Grafana 12
// and older do not fail without the image renderer: they answer 200 with
// a placeholder PNG ("No image renderer available/installed"), the same
// for the concurrency limit, and a proxy or a wrong sub-path answers an
// HTML page. A chart that says "not installed" must not reach the chat.
func (c *Client) checkImage(ctx context.Context, op, contentType string, body []byte, w, h int) error {
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt != "image/png" || !bytes.HasPrefix(body, pngSignature) {
		if mt == "" {
			mt = "no content type"
		}
		return c.notAnImage(ctx, op, mt, contentType, body)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(body))
	if err != nil {
		return c.fail(&Error{Reason: ReasonBadAnswer, StatusCode: 200}, "grafana "+op+": unreadable PNG", err)
	}
	if sameShape(cfg.Width, cfg.Height, w, h) {
		return nil
	}
	answered := fmt.Sprintf("a %dx%d image for a %dx%d render", cfg.Width, cfg.Height, w, h)
	switch state, why := c.renderer(ctx, nil); state {
	case rendererAbsent:
		return c.noRenderer(op, 200, answered, why)
	case rendererPresent:
		return c.fail(&Error{Reason: ReasonHTTP, StatusCode: 200}, fmt.Sprintf("grafana %s: answered %s: one of Grafana's "+
			"placeholder pictures although it has a renderer: the renderer is busy ([rendering] concurrent_render_request_limit) "+
			"or failing; see Grafana's log", op, answered), nil)
	}
	return c.fail(&Error{Reason: ReasonNoRenderer, StatusCode: 200}, fmt.Sprintf("grafana %s: answered %s: one of Grafana's "+
		"placeholder pictures (no image renderer, or one busy or failing; see Grafana's log)", op, answered), nil)
}

// notAnImage classifies a 2xx answer that is not a PNG.
func (c *Client) notAnImage(ctx context.Context, op, mt, contentType string, body []byte) error {
	q := c.quote(contentType, body)
	if q != "" {
		q = " The answer begins: " + q
	}
	switch state, why := c.renderer(ctx, body); state {
	case rendererAbsent:
		return c.noRenderer(op, 200, mt+" instead of a PNG", why)
	case rendererPresent:
		return c.fail(&Error{Reason: ReasonBadAnswer, StatusCode: 200, Permanent: true}, fmt.Sprintf("grafana %s: answered %s "+
			"instead of a PNG although Grafana has a renderer: is grafana.url Grafana's root URL, without a proxy page in between?%s",
			op, mt, q), nil)
	}
	return c.fail(&Error{Reason: ReasonNoRenderer, StatusCode: 200, Permanent: true}, fmt.Sprintf("grafana %s: answered %s "+
		"instead of a PNG: does Grafana have an image renderer (%s), and is grafana.url Grafana's root URL?%s",
		op, mt, rendererHint, q), nil)
}

// sameShape reports whether a gw×gh image is a w×h render, possibly scaled
// up by the renderer's device scale factor (to within a pixel).
func sameShape(gw, gh, w, h int) bool {
	if gw < w || gh < h {
		return false
	}
	diff := gw*h - gh*w
	return max(diff, -diff) <= max(w, h)
}
