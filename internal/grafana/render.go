package grafana

import (
	"context"
	"fmt"
	"math"
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
// up. Errors are *Error: errors.Is(err, ErrNoRenderer) when Grafana has
// no image renderer (asked of Grafana when its answer is not clear),
// IsPermanent when retrying cannot help; a 5xx, 429 or a busy renderer
// are worth another attempt, which is the caller's to make.
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
		return nil, c.renderStatusError(ctx, op, resp, body)
	}
	if err := c.checkImage(ctx, op, resp.Header.Get("Content-Type"), body, w, h); err != nil {
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
