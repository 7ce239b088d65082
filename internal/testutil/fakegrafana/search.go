package fakegrafana

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Search limits of Grafana's /api/search (pkg/api/search.go): at most
// 5000 hits a page, 1000 when no limit is given.
const (
	MaxSearchLimit     = 5000
	defaultSearchLimit = 1000
)

// searchParams are the parameters /api/search reads; true for the ones
// that may repeat.
var searchParams = map[string]bool{"query": false, "type": false, "limit": false, "page": false, "starred": false,
	"sort": false, "tag": true, "dashboardUIDs": true, "folderUIDs": true}

// search answers GET /api/search: dashboards and folders whose title
// contains query (case-insensitive), alphabetical, a page at a time.
func (s *Server) search(c *call) {
	q, err := url.ParseQuery(c.r.URL.RawQuery)
	if err != nil {
		s.reject(c, http.StatusBadRequest, "query %q: %v", c.r.URL.RawQuery, err)
		return
	}
	for k, v := range q {
		repeats, ok := searchParams[k]
		switch {
		case !ok:
			s.reject(c, http.StatusBadRequest, "unknown parameter %q", k)
			return
		case len(v) > 1 && !repeats:
			s.reject(c, http.StatusBadRequest, "parameter %q given %d times", k, len(v))
			return
		}
	}
	limit, okLimit := intParam(q, "limit", defaultSearchLimit)
	page, okPage := intParam(q, "page", 1)
	typ, sort, starred := q.Get("type"), q.Get("sort"), q.Get("starred")
	switch {
	case !okLimit || limit < 1:
		s.reject(c, http.StatusBadRequest, "limit=%q", q.Get("limit"))
	case !okPage || page < 1:
		s.reject(c, http.StatusBadRequest, "page=%q", q.Get("page"))
	case typ != "" && typ != "dash-db" && typ != "dash-folder":
		s.reject(c, http.StatusBadRequest, "type=%q", typ)
	case sort != "" && sort != "alpha-asc" && sort != "alpha-desc":
		s.reject(c, http.StatusBadRequest, "sort=%q (the fake knows alpha-asc and alpha-desc)", sort)
	case starred != "" && starred != "true" && starred != "false":
		s.reject(c, http.StatusBadRequest, "starred=%q", starred)
	case limit > MaxSearchLimit:
		// Grafana's own refusal, not a malformed request.
		writeJSON(c.w, http.StatusUnprocessableEntity,
			map[string]string{"message": "Limit is above maximum allowed (5000), use page to get more"})
	default:
		hits := s.hits(q, typ, starred == "true")
		if sort == "alpha-desc" {
			slices.Reverse(hits)
		}
		from := min(len(hits), (page-1)*limit)
		writeJSON(c.w, http.StatusOK, hits[from:min(len(hits), from+limit)])
	}
}

// intParam parses q[k], or returns def when it is absent.
func intParam(q url.Values, k string, def int) (int, bool) {
	if !q.Has(k) {
		return def, true
	}
	n, err := strconv.Atoi(q.Get(k))
	return n, err == nil
}

// hits are the matching hits in Grafana's order: folders first, then
// dashboards, each by title. Nothing is starred.
func (s *Server) hits(q url.Values, typ string, starred bool) []map[string]any {
	if starred {
		return []map[string]any{}
	}
	s.mu.Lock()
	all := make([]*stored, 0, len(s.dashboards))
	for _, st := range s.dashboards {
		all = append(all, st)
	}
	s.mu.Unlock()
	slices.SortFunc(all, func(a, b *stored) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.d.Title), strings.ToLower(b.d.Title)), cmp.Compare(a.d.UID, b.d.UID))
	})
	query := strings.ToLower(q.Get("query"))
	hits := []map[string]any{}
	if typ != "dash-db" {
		hits = append(hits, s.folderHits(all, query, q)...)
	}
	if typ == "dash-folder" {
		return hits
	}
	for _, st := range all {
		d := st.d
		if !strings.Contains(strings.ToLower(d.Title), query) || !hasTags(d.Tags, q["tag"]) ||
			!allowed(q["dashboardUIDs"], d.UID) || !allowed(q["folderUIDs"], d.FolderUID) {
			continue
		}
		h := map[string]any{"id": st.id, "uid": d.UID, "orgId": s.cfg.OrgID, "title": d.Title, "uri": "db/" + st.slug,
			"url": s.cfg.SubPath + "/d/" + d.UID + "/" + st.slug, "slug": "", "type": "dash-db",
			"tags": nonNil(d.Tags), "isStarred": false, "sortMeta": 0}
		if d.FolderUID != "" {
			h["folderUid"], h["folderTitle"], h["folderUrl"] = d.FolderUID, d.FolderTitle, s.folderURL(d.FolderUID, d.FolderTitle)
		}
		hits = append(hits, h)
	}
	return hits
}

// folderHits are the folders of the dashboards whose title matches.
func (s *Server) folderHits(all []*stored, query string, q url.Values) []map[string]any {
	if len(q["tag"]) > 0 || len(q["dashboardUIDs"]) > 0 {
		return nil
	}
	seen := map[string]bool{}
	var hits []map[string]any
	for _, st := range all {
		d := st.d
		if d.FolderUID == "" || seen[d.FolderUID] || !strings.Contains(strings.ToLower(d.FolderTitle), query) ||
			!allowed(q["folderUIDs"], d.FolderUID) {
			continue
		}
		seen[d.FolderUID] = true
		hits = append(hits, map[string]any{"id": 10000 + len(seen), "uid": d.FolderUID, "orgId": s.cfg.OrgID,
			"title": d.FolderTitle, "uri": "db/" + slugify(d.FolderTitle), "url": s.folderURL(d.FolderUID, d.FolderTitle),
			"slug": "", "type": "dash-folder", "tags": []string{}, "isStarred": false, "sortMeta": 0})
	}
	slices.SortFunc(hits, func(a, b map[string]any) int {
		return cmp.Compare(strings.ToLower(a["title"].(string)), strings.ToLower(b["title"].(string)))
	})
	return hits
}

func hasTags(have, want []string) bool {
	for _, t := range want {
		if !slices.Contains(have, t) {
			return false
		}
	}
	return true
}

func allowed(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }
