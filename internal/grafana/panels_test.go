package grafana_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/grafana"
	"github.com/heraldhq/herald/internal/testutil/fakegrafana"
)

type obj = map[string]any

// p is a panel at x, y; row is a row panel at y.
var (
	p   = fakegrafana.Panel
	row = fakegrafana.Row
)

// TestDashboardPanels lists panels as the screen shows them.
func TestDashboardPanels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		panels  []obj
		extra   obj
		want    []grafana.Panel
		skipped int
	}{
		{name: "no panels"},
		{name: "grid order: lines, then left to right", panels: []obj{
			p(3, "C", "stat", 12, 8), p(1, "A", "timeseries", 12, 0), p(4, "D", "table", 0, 16), p(2, "B", "gauge", 0, 8),
			p(5, "E", "text", 0, 0),
		}, want: []grafana.Panel{{ID: 5, Title: "E", Type: "text"}, {ID: 1, Title: "A", Type: "timeseries"},
			{ID: 2, Title: "B", Type: "gauge"}, {ID: 3, Title: "C", Type: "stat"}, {ID: 4, Title: "D", Type: "table"}}},
		{name: "expanded rows head the panels below them", panels: []obj{
			p(1, "Top", "stat", 0, 0), row(10, "CPU", 8, false), p(2, "Load", "timeseries", 0, 9),
			row(11, "Memory", 17, false), p(4, "Free", "stat", 12, 18), p(3, "Used", "timeseries", 0, 18),
		}, want: []grafana.Panel{{ID: 1, Title: "Top", Type: "stat"}, {ID: 2, Title: "Load", Type: "timeseries", Row: "CPU"},
			{ID: 3, Title: "Used", Type: "timeseries", Row: "Memory"}, {ID: 4, Title: "Free", Type: "stat", Row: "Memory"}}},
		{name: "collapsed rows hold their panels, shown after them", panels: []obj{
			p(1, "Top", "stat", 0, 0),
			// Collapsed at y=8, its panels keep the positions they take
			// when it opens (y 9 and 17), below the next row's y=9.
			row(10, "Disks", 8, true, p(6, "IO", "timeseries", 0, 17), p(5, "Space", "bargauge", 0, 9)),
			row(11, "Network", 9, false), p(2, "Traffic", "timeseries", 0, 10),
			row(12, "Last", 18, true, p(7, "Errors", "logs", 12, 19), p(8, "Drops", "stat", 0, 19)),
		}, want: []grafana.Panel{{ID: 1, Title: "Top", Type: "stat"},
			{ID: 5, Title: "Space", Type: "bargauge", Row: "Disks"}, {ID: 6, Title: "IO", Type: "timeseries", Row: "Disks"},
			{ID: 2, Title: "Traffic", Type: "timeseries", Row: "Network"},
			{ID: 8, Title: "Drops", Type: "stat", Row: "Last"}, {ID: 7, Title: "Errors", Type: "logs", Row: "Last"}}},
		{name: "an expanded row's stale panels are ignored", panels: []obj{
			row(10, "Open", 0, false, p(9, "Stale", "stat", 0, 1)), p(1, "Live", "stat", 0, 1),
		}, want: []grafana.Panel{{ID: 1, Title: "Live", Type: "stat", Row: "Open"}}},
		{name: "rows in rows do not nest", panels: []obj{
			row(10, "Outer", 0, true, row(11, "Inner", 1, true, p(2, "Deep", "stat", 0, 2)), p(1, "Kept", "stat", 0, 3)),
		}, want: []grafana.Panel{{ID: 1, Title: "Kept", Type: "stat", Row: "Outer"}}, skipped: 1},
		{name: "titles are kept as saved", panels: []obj{
			p(1, "CPU of $instance ${job:text} [[env]]", "timeseries", 0, 0), p(2, "", "stat", 12, 0),
			p(3, "<b>html</b> & *md*", "text", 0, 8), row(10, "$datacenter", 16, false), p(4, "In a row", "stat", 0, 17),
		}, want: []grafana.Panel{{ID: 1, Title: "CPU of $instance ${job:text} [[env]]", Type: "timeseries"},
			{ID: 2, Type: "stat"}, {ID: 3, Title: "<b>html</b> & *md*", Type: "text"},
			{ID: 4, Title: "In a row", Type: "stat", Row: "$datacenter"}}},
		{name: "library panels", panels: []obj{
			{"id": 1, "gridPos": obj{"x": 0, "y": 0}, "libraryPanel": obj{"uid": "lib-cpu", "name": "Shared CPU"}},
			{"id": 2, "gridPos": obj{"x": 12, "y": 0}, "title": "Own title", "type": "timeseries",
				"libraryPanel": obj{"uid": "lib-mem", "name": "Shared memory"}},
		}, want: []grafana.Panel{{ID: 1, Title: "Shared CPU", LibraryUID: "lib-cpu"},
			{ID: 2, Title: "Own title", Type: "timeseries", LibraryUID: "lib-mem"}}},
		{name: "panels no render can name are skipped", panels: []obj{
			{"title": "No id", "type": "stat", "gridPos": obj{"x": 0, "y": 0}},
			{"id": "3", "title": "String id", "type": "stat", "gridPos": obj{"x": 1, "y": 0}},
			{"id": 2.5, "title": "Fraction", "type": "stat", "gridPos": obj{"x": 2, "y": 0}},
			{"id": -1, "title": "Negative", "type": "stat", "gridPos": obj{"x": 3, "y": 0}},
			p(1, "First", "stat", 0, 1), p(1, "Same id", "stat", 12, 1),
			{"id": 7, "title": "Repeat clone", "type": "stat", "repeatPanelId": 1, "gridPos": obj{"x": 0, "y": 9}},
			{"id": 8, "title": "Odd shapes", "type": 42, "gridPos": "nowhere"},
		}, want: []grafana.Panel{{ID: 8, Title: "Odd shapes"}, {ID: 1, Title: "First", Type: "stat"}}, skipped: 6},
		{name: "pre-5.0 rows", extra: obj{"schemaVersion": 14, "rows": []any{
			obj{"title": "Overview", "showTitle": true, "panels": []any{obj{"id": 1, "title": "A", "type": "graph"}}},
			obj{"title": "Details", "collapse": true, "panels": []any{obj{"id": 2, "title": "B", "type": "singlestat"}, "junk"}},
		}}, want: []grafana.Panel{{ID: 1, Title: "A", Type: "graph", Row: "Overview"},
			{ID: 2, Title: "B", Type: "singlestat", Row: "Details"}}, skipped: 1},
		{name: "pre-5.0 rows without titles", extra: obj{"rows": []any{
			obj{"title": "Dashboard Row", "panels": []any{obj{"id": 1, "title": "A", "type": "graph"}}},
		}}, want: []grafana.Panel{{ID: 1, Title: "A", Type: "graph"}}},
	}
	var dashboards []fakegrafana.Dashboard
	for i, tt := range tests {
		dashboards = append(dashboards, fakegrafana.Dashboard{UID: fmt.Sprintf("d%d", i), Title: tt.name,
			Panels: tt.panels, Extra: tt.extra})
	}
	f := newFake(t, dashboards...)
	c := newClient(t, f)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := c.Dashboard(ctxT(t, 3*time.Second), fmt.Sprintf("d%d", i))
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprintf("%+v", d.Panels) != fmt.Sprintf("%+v", tt.want) || d.Skipped != tt.skipped {
				t.Errorf("panels\n%+v (%d skipped)\nwant\n%+v (%d skipped)", d.Panels, d.Skipped, tt.want, tt.skipped)
			}
		})
	}
}

func TestDashboard(t *testing.T) {
	t.Parallel()
	f := newFake(t, fakegrafana.Dashboard{UID: "node-exporter", Title: "Node Exporter / Full", FolderUID: "ops",
		FolderTitle: "Ops", Panels: []obj{p(1, "Load", "timeseries", 0, 0)}})
	c := newClient(t, f)
	d, err := c.Dashboard(ctxT(t, 3*time.Second), "node-exporter")
	if err != nil {
		t.Fatal(err)
	}
	if d.UID != "node-exporter" || d.Title != "Node Exporter / Full" || d.Slug != "node-exporter-full" ||
		d.URL != f.URL()+"/d/node-exporter/node-exporter-full" || d.FolderTitle != "Ops" || len(d.Panels) != 1 {
		t.Errorf("dashboard %+v", d)
	}
	// The shipped dashboard is at the root: no folder title.
	if d, err := c.Dashboard(ctxT(t, 3*time.Second), "herald-alert"); err != nil || d.FolderTitle != "" ||
		fmt.Sprint(d.Panels) != fmt.Sprint([]grafana.Panel{{ID: 1, Title: "${title}", Type: "timeseries"}}) {
		t.Errorf("herald-alert: %+v %v", d, err)
	}
	if r := f.Requests()[0]; r.Path != "/api/dashboards/uid/node-exporter" || r.RawQuery != "" || r.Auth != "bearer" {
		t.Errorf("request %+v", r)
	}
}

func TestDashboardErrors(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c := newClient(t, f)

	_, err := c.Dashboard(ctxT(t, 3*time.Second), "no-such-uid")
	if !errors.Is(err, grafana.ErrNotFound) || !grafana.IsPermanent(err) ||
		err.Error() != `grafana dashboard "no-such-uid": HTTP 404: {"message":"Dashboard not found"}` {
		t.Errorf("unknown dashboard: %v", err)
	}

	wrong := "glsa_wrong_" + fakegrafana.DefaultToken
	bad := newClient(t, f, func(c *config.GrafanaConfig) { c.APIToken = config.Secret(wrong) })
	_, err = bad.Dashboard(ctxT(t, 3*time.Second), "herald-alert")
	if !errors.Is(err, grafana.ErrAuth) || !grafana.IsPermanent(err) || !strings.Contains(err.Error(), "HTTP 401") {
		t.Errorf("wrong token: %v", err)
	}
	checkNoSecret(t, err.Error(), wrong, fakegrafana.DefaultToken)

	n := len(f.Requests())
	for _, uid := range []string{"", "../../api/admin/users", "a/b", strings.Repeat("x", 41), "new dashboard"} {
		if _, err := c.Dashboard(ctxT(t, time.Second), uid); !errors.Is(err, grafana.ErrNotFound) || !grafana.IsPermanent(err) {
			t.Errorf("uid %q: %v", uid, err)
		}
	}
	if len(f.Requests()) != n {
		t.Error("a bad uid reached Grafana")
	}

	f.AnswerNext(1, 200, "application/json", `{"dashboard": [1, 2]}`)
	if _, err := c.Dashboard(ctxT(t, 3*time.Second), "herald-alert"); !grafana.IsPermanent(err) ||
		!strings.Contains(err.Error(), "unexpected answer: json: cannot unmarshal array") {
		t.Errorf("odd answer: %v", err)
	}
	f.FailNext(1, fakegrafana.FaultHang)
	_, err = c.Dashboard(ctxT(t, 200*time.Millisecond), "herald-alert")
	if e, ok := errors.AsType[*grafana.Error](err); !ok || e.Reason != grafana.ReasonTimeout || e.Permanent {
		t.Errorf("hang: %v", err)
	}
}
