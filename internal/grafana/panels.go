package grafana

import (
	"cmp"
	"math"
	"slices"
)

// flatten lists the panels of a dashboard model in screen order and
// counts those it leaves out (see Dashboard.Skipped). The model is
// decoded JSON of any shape: what is not as expected is skipped, never a
// failure.
func flatten(model map[string]any) ([]Panel, int) {
	f := flattener{seen: map[int]bool{}}
	if panels, _ := model["panels"].([]any); len(panels) > 0 {
		f.grid(panels)
	} else {
		f.legacyRows(model["rows"])
	}
	return f.out, f.skipped
}

type flattener struct {
	out     []Panel
	skipped int
	seen    map[int]bool
}

// grid lists a dashboard of the grid layout (Grafana 5 and later). A row
// panel heads the panels below it up to the next row; a collapsed row
// holds its panels in its own "panels", with the positions they take
// when it opens. An expanded row's "panels" are ignored, as Grafana does.
func (f *flattener) grid(panels []any) {
	row := ""
	for _, p := range f.byPosition(panels) {
		if str(p["type"]) != "row" {
			f.add(p, row)
			continue
		}
		row = str(p["title"])
		if collapsed, _ := p["collapsed"].(bool); !collapsed {
			continue
		}
		children, _ := p["panels"].([]any)
		for _, c := range f.byPosition(children) {
			if str(c["type"]) == "row" {
				f.skipped++ // rows do not nest
				continue
			}
			f.add(c, row)
		}
	}
}

// legacyRows lists a dashboard saved before Grafana 5 (schemaVersion <
// 16): rows of panels without grid positions. Grafana's migration
// (upgradeToGridLayout) gives the rows row panels only when one of them
// shows its title, is collapsed or repeats.
func (f *flattener) legacyRows(v any) {
	rows, _ := v.([]any)
	titled := false
	for _, r := range rows {
		m, _ := r.(map[string]any)
		titled = titled || truthy(m["showTitle"]) || truthy(m["collapse"]) || str(m["repeat"]) != ""
	}
	for _, r := range rows {
		m, _ := r.(map[string]any)
		title := ""
		if titled {
			title = str(m["title"])
		}
		panels, _ := m["panels"].([]any)
		for _, p := range panels {
			if pm, ok := p.(map[string]any); ok {
				f.add(pm, title)
			} else {
				f.skipped++
			}
		}
	}
}

// byPosition returns the objects of list as on screen: by gridPos y, then
// x; ties keep the saved order.
func (f *flattener) byPosition(list []any) []map[string]any {
	objs := make([]map[string]any, 0, len(list))
	for _, v := range list {
		if m, ok := v.(map[string]any); ok {
			objs = append(objs, m)
		} else {
			f.skipped++
		}
	}
	slices.SortStableFunc(objs, func(a, b map[string]any) int {
		ax, ay := position(a)
		bx, by := position(b)
		return cmp.Or(cmp.Compare(ay, by), cmp.Compare(ax, bx))
	})
	return objs
}

// position is a panel's gridPos x and y, 0 when missing.
func position(p map[string]any) (x, y float64) {
	g, _ := p["gridPos"].(map[string]any)
	x, _ = g["x"].(float64)
	y, _ = g["y"].(float64)
	return x, y
}

// add lists panel p, in row, unless no render can name it.
func (f *flattener) add(p map[string]any, row string) {
	if _, clone := p["repeatPanelId"]; clone {
		// Grafana drops saved repeats on load and makes them anew.
		f.skipped++
		return
	}
	id, ok := panelID(p["id"])
	if !ok || f.seen[id] {
		f.skipped++
		return
	}
	f.seen[id] = true
	lib, _ := p["libraryPanel"].(map[string]any)
	title := str(p["title"])
	if title == "" {
		title = str(lib["name"])
	}
	f.out = append(f.out, Panel{ID: id, Title: title, Type: str(p["type"]), Row: row, LibraryUID: str(lib["uid"])})
}

// panelID is a panel's id when it is a positive whole number.
func panelID(v any) (int, bool) {
	n, ok := v.(float64)
	if !ok || n < 1 || n > math.MaxInt32 || n != math.Trunc(n) {
		return 0, false
	}
	return int(n), true
}

// str is v when it is a string, "" otherwise.
func str(v any) string {
	s, _ := v.(string)
	return s
}

// truthy is v when it is a boolean, false otherwise.
func truthy(v any) bool {
	b, _ := v.(bool)
	return b
}
