package grafana

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// MaxPerPage is the most hits Grafana answers a search page
// (pkg/api/search.go: "Limit is above maximum allowed (5000), use page to
// get more").
const MaxPerPage = 5000

// maxPage keeps page*perPage far from overflowing.
const maxPage = 1 << 20

// maxSearch bounds a search answer: a hit is a few hundred bytes.
const maxSearch = 16 << 20

// validSlug is what of a dashboard slug goes into a link; Grafana makes
// slugs of letters, digits and dashes, and opens a dashboard without one.
var validSlug = regexp.MustCompile(`^[\p{L}\p{N}_-]{1,200}$`)

// DashboardHit is a dashboard that a search found.
type DashboardHit struct {
	UID   string
	Title string
	// FolderTitle is "" for a dashboard at the root (General).
	FolderTitle string
	// URL opens the dashboard, on grafana.url; "" when the uid cannot be
	// put in one.
	URL  string
	Tags []string
}

// searchHit is a hit as /api/search answers it.
type searchHit struct {
	UID         string   `json:"uid"`
	Title       string   `json:"title"`
	Type        string   `json:"type"`
	URI         string   `json:"uri"`
	URL         string   `json:"url"`
	FolderTitle string   `json:"folderTitle"`
	Tags        []string `json:"tags"`
}

// SearchDashboards finds the dashboards whose title contains query (case
// does not matter; "" finds all) in Grafana's order (by title) and returns
// page (from 1) of perPage hits (1 to MaxPerPage), and whether more follow.
// Grafana does not say how many match, so when the page is full one more
// hit is asked for. Errors are *Error.
func (c *Client) SearchDashboards(ctx context.Context, query string, page, perPage int) ([]DashboardHit, bool, error) {
	const op = "search dashboards"
	if page < 1 || page > maxPage || perPage < 1 || perPage > MaxPerPage {
		return nil, false, c.fail(&Error{Reason: ReasonHTTP, Permanent: true},
			fmt.Sprintf("grafana %s: page %d of %d hits: the page must be 1 to %d and hits 1 to %d", op, page, perPage, maxPage, MaxPerPage), nil)
	}
	raw, err := c.search(ctx, op, query, page, perPage)
	if err != nil {
		return nil, false, err
	}
	more := false
	if len(raw) >= perPage {
		raw = raw[:perPage]
		// The hit after this page, as page page*perPage+1 of one-hit pages.
		next, err := c.search(ctx, op, query, page*perPage+1, 1)
		if err != nil {
			return nil, false, err
		}
		more = len(next) > 0
	}
	hits := make([]DashboardHit, 0, len(raw))
	for _, h := range raw {
		if h.Type != "" && h.Type != "dash-db" {
			continue // type=dash-db asked for dashboards only
		}
		hits = append(hits, DashboardHit{UID: h.UID, Title: h.Title, FolderTitle: h.FolderTitle,
			URL: c.dashboardURL(h.UID, hitSlug(h)), Tags: h.Tags})
	}
	return hits, more, nil
}

// search asks for one page of dashboards.
func (c *Client) search(ctx context.Context, op, query string, page, limit int) ([]searchHit, error) {
	q := url.Values{}
	q.Set("type", "dash-db")
	if query != "" {
		q.Set("query", query)
	}
	q.Set("limit", strconv.Itoa(limit))
	q.Set("page", strconv.Itoa(page))
	var hits []searchHit
	if err := c.getJSON(ctx, op, "/api/search", q, maxSearch, &hits); err != nil {
		return nil, err
	}
	return hits, nil
}

// hitSlug is the slug of a hit: from its uri ("db/<slug>"), or its url
// (".../d/<uid>/<slug>").
func hitSlug(h searchHit) string {
	if s, ok := strings.CutPrefix(h.URI, "db/"); ok {
		return s
	}
	_, s, _ := strings.Cut(h.URL, "/d/"+h.UID+"/")
	return s
}

// dashboardURL is the link to a dashboard on grafana.url, built rather
// than taken from Grafana, whose root_url may not be the address Herald
// reaches it at. A uid that is not one stays out of a link.
func (c *Client) dashboardURL(uid, slug string) string {
	if !validUID.MatchString(uid) {
		return ""
	}
	u := *c.base
	u.Path, u.RawPath = c.base.Path+"/d/"+uid, ""
	if validSlug.MatchString(slug) {
		u.Path += "/" + slug
	}
	return u.String()
}
