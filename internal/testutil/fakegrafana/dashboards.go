package fakegrafana

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"unicode"
)

// Dashboard is a dashboard the fake serves.
type Dashboard struct {
	UID   string
	Title string
	// FolderUID and FolderTitle name its folder; "" is the General folder.
	FolderUID, FolderTitle string
	Tags                   []string
	// Panels are the top-level panels as Grafana stores them, in stored
	// order: JSON objects such as Panel and Row make, or any other shape
	// a test wants Grafana to answer.
	Panels []map[string]any
	// Extra are more top-level keys of the model ("templating",
	// "schemaVersion", a pre-5.0 "rows" list...).
	Extra map[string]any
}

// stored is a dashboard as served: its model is encoded once, so that a
// test changing its maps later changes nothing.
type stored struct {
	d     Dashboard
	id    int
	slug  string
	model json.RawMessage
}

// Panel is a panel as Grafana stores it, 12×8 at x, y.
func Panel(id int, title, typ string, x, y int) map[string]any {
	return map[string]any{"id": id, "title": title, "type": typ,
		"gridPos": map[string]any{"x": x, "y": y, "w": 12, "h": 8}}
}

// Row is a row panel at y. A collapsed row holds its panels, as Grafana
// saves one; an expanded row's panels follow it on the grid instead.
func Row(id int, title string, y int, collapsed bool, panels ...map[string]any) map[string]any {
	if panels == nil {
		panels = []map[string]any{}
	}
	return map[string]any{"id": id, "title": title, "type": "row", "collapsed": collapsed, "panels": panels,
		"gridPos": map[string]any{"x": 0, "y": y, "w": 24, "h": 1}}
}

// AddDashboard adds (or replaces) a dashboard.
func (s *Server) AddDashboard(d Dashboard) {
	s.mu.Lock()
	defer s.mu.Unlock()
	model := maps.Clone(d.Extra)
	if model == nil {
		model = map[string]any{}
	}
	id := len(s.dashboards) + 1
	if old, ok := s.dashboards[d.UID]; ok {
		id = old.id
	}
	model["id"], model["uid"], model["title"], model["version"] = id, d.UID, d.Title, 1
	model["tags"] = nonNil(d.Tags)
	if d.Panels != nil {
		model["panels"] = d.Panels
	}
	if _, ok := model["schemaVersion"]; !ok {
		model["schemaVersion"] = 39
	}
	b, err := json.Marshal(model)
	if err != nil {
		panic(fmt.Sprintf("fakegrafana: dashboard %q: %v", d.UID, err))
	}
	d.Tags = append([]string(nil), d.Tags...)
	d.Panels, d.Extra = nil, nil
	s.dashboards[d.UID] = &stored{d: d, id: id, slug: slugify(d.Title), model: b}
}

func nonNil(tags []string) []string {
	if tags == nil {
		return []string{}
	}
	return tags
}

// slugify is Grafana's slug of a title, for ASCII titles: lower case,
// runs of anything else than letters and digits become one "-".
func slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	return b.String()
}

// dashboard answers GET /api/dashboards/uid/{uid}.
func (s *Server) dashboard(c *call, uid string) {
	if uid == "" || strings.Contains(uid, "/") {
		s.reject(c, http.StatusNotFound, "no such endpoint: %s", c.rec.Path)
		return
	}
	if c.r.URL.RawQuery != "" {
		s.reject(c, http.StatusBadRequest, "unexpected parameters %q", c.r.URL.RawQuery)
		return
	}
	s.mu.Lock()
	st, ok := s.dashboards[uid]
	s.mu.Unlock()
	if !ok {
		writeJSON(c.w, http.StatusNotFound, map[string]string{"message": "Dashboard not found"})
		return
	}
	folderTitle := st.d.FolderTitle
	if st.d.FolderUID == "" {
		folderTitle = "General"
	}
	meta := map[string]any{
		"type": "db", "canSave": false, "canEdit": false, "canAdmin": false, "canStar": true, "canDelete": false,
		"slug": st.slug, "url": s.cfg.SubPath + "/d/" + uid + "/" + st.slug, "version": 1,
		"isFolder": false, "folderUid": st.d.FolderUID, "folderTitle": folderTitle,
		"folderUrl": s.folderURL(st.d.FolderUID, st.d.FolderTitle), "provisioned": false,
	}
	writeJSON(c.w, http.StatusOK, map[string]any{"dashboard": st.model, "meta": meta})
}

func (s *Server) folderURL(uid, title string) string {
	if uid == "" {
		return ""
	}
	return s.cfg.SubPath + "/dashboards/f/" + uid + "/" + slugify(title)
}

// panelExists reports whether dashboard uid has a panel (not a row) with
// id, at the top level or in a collapsed row, as d-solo finds it.
func (s *Server) panelExists(uid string, id int) bool {
	s.mu.Lock()
	st, ok := s.dashboards[uid]
	s.mu.Unlock()
	if !ok {
		return false
	}
	var model struct {
		Panels []struct {
			ID     float64 `json:"id"`
			Type   string  `json:"type"`
			Panels []struct {
				ID   float64 `json:"id"`
				Type string  `json:"type"`
			} `json:"panels"`
		} `json:"panels"`
	}
	if json.Unmarshal(st.model, &model) != nil {
		return false
	}
	for _, p := range model.Panels {
		if p.Type != "row" && p.ID == float64(id) {
			return true
		}
		for _, c := range p.Panels {
			if c.Type != "row" && c.ID == float64(id) {
				return true
			}
		}
	}
	return false
}
