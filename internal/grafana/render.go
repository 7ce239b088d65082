package grafana

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"math"
	"mime"
	"net/url"
	"regexp"
	"strconv"
	"time"
)

// The variables of Herald's template dashboard
// (deploy/grafana/herald-alert-dashboard.json). Callers pass them in
// PanelRequest.Vars; a dashboard of one's own must define the same names.
const (
	// VarQuery is the PromQL expression to draw (the panel uses
	// ${query:raw}, so it arrives unescaped).
	VarQuery = "query"
	// VarTitle is the panel title.
	VarTitle = "title"
	// VarThreshold is the threshold drawn as a dashed line; NoThreshold
	// when there is none.
	VarThreshold = "threshold"
	// VarDatasource names the Prometheus data source (its name or uid);
	// omitted, the dashboard's default.
	VarDatasource = "datasource"
)

// NoThreshold is VarThreshold for a chart without a threshold: the panel's
// threshold query is the variable itself, and PromQL's NaN draws nothing.
const NoThreshold = "NaN"

// Default size of a render, Herald's chart size, when a request gives none.
const (
	DefaultWidth  = 1200
	DefaultHeight = 600
)

// maxImage bounds what is read of a render: a 1200×600 panel is tens of
// kilobytes, a 4K one a few megabytes.
const maxImage = 32 << 20

// validUID is what Grafana accepts as a dashboard uid (util.IsValidShortUID:
// letters, digits, - and _, at most 40). Checking keeps a bad config from
// turning into a path such as "../api/...".
var validUID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`)

// PanelRequest is one panel to render.
type PanelRequest struct {
	// DashboardUID and PanelID name the panel.
	DashboardUID string
	PanelID      int
	// Vars are dashboard variables, without the "var-" prefix (VarQuery...).
	Vars map[string]string
	// From and To are the time range.
	From, To time.Time
	// Width and Height are the image size in pixels (default 1200×600).
	Width, Height int
	// TZ is the time zone of the time axis ("UTC", "Europe/Berlin"); ""
	// leaves it to the renderer.
	TZ string
	// Theme is "light" or "dark"; "" is Grafana's default.
	Theme string
}

// pngSignature starts every PNG file.
var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// RenderPanel renders r through /render/d-solo/{uid} and returns the PNG.
// It only reads: everything that differs between alerts travels in the
// URL, so concurrent renders cannot affect one another. It makes one
// attempt within ctx (no retries: the caller has a deadline), and tells
// Grafana the time left so that its renderer stops when Herald has given
// up. Errors are *Error.
func (c *Client) RenderPanel(ctx context.Context, r PanelRequest) ([]byte, error) {
	op := fmt.Sprintf("render dashboard %q panel %d", r.DashboardUID, r.PanelID)
	w, h := r.Width, r.Height
	if w == 0 && h == 0 {
		w, h = DefaultWidth, DefaultHeight
	}
	switch {
	case !validUID.MatchString(r.DashboardUID):
		return nil, c.fail(&Error{Reason: ReasonHTTP, Permanent: true}, "grafana "+op+": the dashboard uid must be 1 to 40 letters, digits, - or _", nil)
	case r.PanelID <= 0:
		return nil, c.fail(&Error{Reason: ReasonHTTP, Permanent: true}, "grafana "+op+": the panel id must be positive", nil)
	case w <= 0 || h <= 0:
		return nil, c.fail(&Error{Reason: ReasonHTTP, Permanent: true}, fmt.Sprintf("grafana %s: bad size %dx%d", op, w, h), nil)
	case !r.From.Before(r.To):
		return nil, c.fail(&Error{Reason: ReasonHTTP, Permanent: true}, "grafana "+op+": the time range is empty", nil)
	}
	q := url.Values{}
	q.Set("orgId", strconv.Itoa(c.orgID))
	q.Set("panelId", strconv.Itoa(r.PanelID))
	q.Set("from", strconv.FormatInt(r.From.UnixMilli(), 10))
	q.Set("to", strconv.FormatInt(r.To.UnixMilli(), 10))
	q.Set("width", strconv.Itoa(w))
	q.Set("height", strconv.Itoa(h))
	q.Set("timeout", strconv.Itoa(c.renderTimeout(ctx)))
	if r.TZ != "" {
		q.Set("tz", r.TZ)
	}
	if r.Theme != "" {
		q.Set("theme", r.Theme)
	}
	for k, v := range r.Vars {
		q.Set("var-"+k, v)
	}
	start := time.Now()
	resp, body, err := c.get(ctx, op, "/render/d-solo/"+r.DashboardUID, q, "image/png", maxImage)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, c.statusError(op, resp, body)
	}
	if err := c.checkImage(op, resp.Header.Get("Content-Type"), body, w, h); err != nil {
		return nil, err
	}
	c.logger.Debug("rendered a Grafana panel", "dashboard", r.DashboardUID, "panel", r.PanelID,
		"bytes", len(body), "took", time.Since(start))
	return body, nil
}

// renderTimeout is Grafana's "timeout" parameter: whole seconds left
// before Herald gives up, at least 1.
func (c *Client) renderTimeout(ctx context.Context) int {
	d := c.client.Timeout
	if dl, ok := ctx.Deadline(); ok {
		d = min(d, time.Until(dl))
	}
	return max(1, int(math.Ceil(d.Seconds())))
}

// checkImage makes sure a 2xx answer is the rendered panel. Without the
// image renderer Grafana does not fail: it answers 200 with a placeholder
// PNG ("No image renderer available/installed"), the same for its
// concurrency limit, and a proxy or a wrong sub-path answers Grafana's
// HTML page. A chart that says "not installed" must not reach the chat.
func (c *Client) checkImage(op, contentType string, body []byte, w, h int) error {
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt != "image/png" || !bytes.HasPrefix(body, pngSignature) {
		if mt == "" {
			mt = "no content type"
		}
		msg := fmt.Sprintf("grafana %s: answered %s instead of a PNG: is the grafana-image-renderer plugin installed "+
			"(or [rendering] server_url set to a remote renderer), and is grafana.url Grafana's root URL?", op, mt)
		if q := quote(body); q != "" {
			msg += " The answer begins: " + q
		}
		return c.fail(&Error{Reason: ReasonNoRenderer, StatusCode: 200, Permanent: true}, msg, nil)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(body))
	if err != nil {
		return c.fail(&Error{Reason: ReasonBadAnswer, StatusCode: 200}, "grafana "+op+": unreadable PNG", err)
	}
	if !sameShape(cfg.Width, cfg.Height, w, h) {
		return c.fail(&Error{Reason: ReasonNoRenderer, StatusCode: 200}, fmt.Sprintf("grafana %s: answered a %dx%d image for a %dx%d render: "+
			"one of Grafana's placeholder images (grafana-image-renderer plugin not installed, busy or failing; see Grafana's log)",
			op, cfg.Width, cfg.Height, w, h), nil)
	}
	return nil
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
