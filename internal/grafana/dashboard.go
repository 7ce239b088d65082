package grafana

import (
	"context"
	"fmt"
)

// maxDashboard bounds a dashboard answer: a large model is a few megabytes.
const maxDashboard = 32 << 20

// Dashboard is a dashboard and the panels it shows.
type Dashboard struct {
	UID   string
	Title string
	Slug  string
	// URL opens the dashboard, on grafana.url.
	URL string
	// FolderTitle is "" for a dashboard at the root (General).
	FolderTitle string
	// Panels are the panels a render can show, in screen order: rows top
	// to bottom, the panels of a collapsed row after it, left to right
	// within a line. Row panels are not listed; their titles are in
	// Panel.Row.
	Panels []Panel
	// Skipped counts the panels left out because no render can name them:
	// without an id, with the id of a panel listed before (Grafana gives
	// such panels a new id when it loads the dashboard), saved copies of a
	// repeated panel, or not a JSON object.
	Skipped int
}

// Panel is a panel of a dashboard.
type Panel struct {
	// ID is what PanelRequest.PanelID takes.
	ID int
	// Title is as saved: template variables ("CPU of $instance") are not
	// replaced. It is outside text: escape it before showing it. For a
	// library panel saved without a title, the library panel's name.
	Title string
	// Type is the visualization ("timeseries", "stat"); "" for a library
	// panel saved without one.
	Type string
	// Row is the title of the row the panel is in, "" for none.
	Row string
	// LibraryUID is the uid of the library panel the panel shows, "" when
	// it is not one.
	LibraryUID string
}

// Dashboard reads dashboard uid (/api/dashboards/uid/{uid}) and lists its
// panels. Only reads. Errors are *Error; errors.Is(err, ErrNotFound) when
// there is no such dashboard for this identity and organization.
func (c *Client) Dashboard(ctx context.Context, uid string) (*Dashboard, error) {
	op := fmt.Sprintf("dashboard %q", uid)
	if !validUID.MatchString(uid) {
		return nil, c.fail(&Error{Reason: ReasonNotFound, Permanent: true},
			"grafana "+op+": a dashboard uid is 1 to 40 letters, digits, - or _", nil)
	}
	var a struct {
		// The model is outside text of any shape: read leniently.
		Dashboard map[string]any `json:"dashboard"`
		Meta      struct {
			Slug        string `json:"slug"`
			FolderUID   string `json:"folderUid"`
			FolderTitle string `json:"folderTitle"`
		} `json:"meta"`
	}
	if err := c.getJSON(ctx, op, "/api/dashboards/uid/"+uid, nil, maxDashboard, &a); err != nil {
		return nil, err
	}
	if a.Dashboard == nil {
		return nil, c.fail(&Error{Reason: ReasonBadAnswer, StatusCode: 200, Permanent: true},
			"grafana "+op+": no dashboard in the answer", nil)
	}
	d := &Dashboard{UID: uid, Title: str(a.Dashboard["title"]), Slug: a.Meta.Slug, URL: c.dashboardURL(uid, a.Meta.Slug)}
	if a.Meta.FolderUID != "" {
		d.FolderTitle = a.Meta.FolderTitle
	}
	d.Panels, d.Skipped = flatten(a.Dashboard)
	c.logger.Debug("read a Grafana dashboard", "dashboard", uid, "panels", len(d.Panels), "skipped", d.Skipped)
	return d, nil
}
