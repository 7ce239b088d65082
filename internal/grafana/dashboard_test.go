package grafana_test

import (
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/heraldhq/herald/internal/grafana"
)

// dashboard is the part of Grafana's dashboard model the renderer relies on.
type dashboard struct {
	UID           string `json:"uid"`
	SchemaVersion int    `json:"schemaVersion"`
	Templating    struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query string `json:"query"`
		} `json:"list"`
	} `json:"templating"`
	Panels []struct {
		ID         int    `json:"id"`
		Type       string `json:"type"`
		Title      string `json:"title"`
		Datasource struct {
			UID string `json:"uid"`
		} `json:"datasource"`
		Targets []struct {
			RefID string `json:"refId"`
			Expr  string `json:"expr"`
		} `json:"targets"`
		FieldConfig struct {
			Overrides []struct {
				Matcher struct {
					ID      string `json:"id"`
					Options string `json:"options"`
				} `json:"matcher"`
				Properties []struct {
					ID    string          `json:"id"`
					Value json.RawMessage `json:"value"`
				} `json:"properties"`
			} `json:"overrides"`
		} `json:"fieldConfig"`
		Options struct {
			Legend struct {
				DisplayMode string   `json:"displayMode"`
				Placement   string   `json:"placement"`
				Calcs       []string `json:"calcs"`
			} `json:"legend"`
		} `json:"options"`
	} `json:"panels"`
}

// TestDashboardTemplate keeps the shipped dashboard and the client's
// variable names in step: a renamed variable would silently draw the
// dashboard's default query for every alert.
func TestDashboardTemplate(t *testing.T) {
	raw, err := os.ReadFile("../../deploy/grafana/herald-alert-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	// Grafana 10.0 writes 38, 11.x 39 to 41; older Grafana migrates up.
	if d.UID != "herald-alert" || d.SchemaVersion < 36 || d.SchemaVersion > 41 {
		t.Errorf("uid %q, schemaVersion %d", d.UID, d.SchemaVersion)
	}
	vars := map[string]string{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v.Type
	}
	want := map[string]string{grafana.VarQuery: "textbox", grafana.VarTitle: "textbox",
		grafana.VarThreshold: "textbox", grafana.VarDatasource: "datasource"}
	for name, typ := range want {
		if vars[name] != typ {
			t.Errorf("variable %q is %q, want %q", name, vars[name], typ)
		}
	}
	for _, v := range d.Templating.List {
		if v.Name == grafana.VarThreshold && v.Query != grafana.NoThreshold {
			t.Errorf("threshold defaults to %q, want %q", v.Query, grafana.NoThreshold)
		}
	}
	if len(d.Panels) != 1 {
		t.Fatalf("%d panels", len(d.Panels))
	}
	p := d.Panels[0]
	if p.ID != 1 || p.Type != "timeseries" || p.Title != "${title}" || p.Datasource.UID != "${datasource}" {
		t.Errorf("panel %+v", p)
	}
	exprs := map[string]string{}
	for _, tg := range p.Targets {
		exprs[tg.RefID] = tg.Expr
	}
	if exprs["A"] != "${query:raw}" || exprs["B"] != "vector(${threshold:raw}) > -Inf" {
		t.Errorf("targets %v", exprs)
	}
	dashed := false
	for _, o := range p.FieldConfig.Overrides {
		for _, prop := range o.Properties {
			dashed = dashed || (o.Matcher.ID == "byFrameRefID" && o.Matcher.Options == "B" && prop.ID == "custom.lineStyle")
		}
	}
	if !dashed {
		t.Error("the threshold series is not styled")
	}
	l := p.Options.Legend
	if l.DisplayMode != "table" || l.Placement != "bottom" || !slices.Equal(l.Calcs, []string{"min", "max", "lastNotNull"}) {
		t.Errorf("legend %+v", l)
	}
}
