package bot_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/grafana"
	"github.com/heraldhq/herald/internal/testutil/fakegrafana"
)

// startGrafana runs the fake Grafana with a node dashboard (panels on
// top, in an open row and in a collapsed row) and ten more, and returns
// it with Herald's client of it.
func startGrafana(t testing.TB) (*fakegrafana.Server, *grafana.Client) {
	t.Helper()
	node := fakegrafana.Dashboard{UID: "node-exp", Title: "Node Exporter", FolderUID: "infra", FolderTitle: "Infra",
		Panels: []map[string]any{
			fakegrafana.Panel(1, "CPU", "timeseries", 0, 0),
			fakegrafana.Panel(2, "Memory", "timeseries", 12, 0),
			fakegrafana.Row(3, "Disks", 8, false),
			fakegrafana.Panel(4, "Disk IO", "timeseries", 0, 9),
			fakegrafana.Row(5, "Network", 17, true, fakegrafana.Panel(6, "Traffic", "timeseries", 0, 18)),
		}}
	dashboards := []fakegrafana.Dashboard{node}
	for i := range 10 {
		dashboards = append(dashboards, fakegrafana.Dashboard{UID: fmt.Sprintf("svc-%d", i), Title: fmt.Sprintf("Service %02d", i),
			Panels: []map[string]any{fakegrafana.Panel(1, "Requests", "timeseries", 0, 0)}})
	}
	fg := fakegrafana.New(t, fakegrafana.Config{Dashboards: dashboards})
	cfg := config.DefaultGrafanaConfig()
	cfg.URL, cfg.APIToken, cfg.Timeout = fg.URL(), config.Secret(fg.Token()), config.Duration(10*time.Second)
	c, err := grafana.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fg, c
}

func TestDashboards(t *testing.T) {
	t.Parallel()
	fg, gc := startGrafana(t)
	e := newEnv(t)
	e.deps.Grafana = gc
	e.start()

	sent := only(e.say(groupID, bob, "/dashboards"), "sendMessage")
	if len(sent) != 1 || sent[0].Params["text"] != "<b>Dashboards</b>" {
		t.Fatalf("/dashboards: %+v", sent)
	}
	list := lastMessage(t, e.tg, groupID)
	kb := e.keyboard(groupID, list)
	if len(kb) != 9 || kb[0][0] != "Infra / Node Exporter" || kb[1][0] != "Service 00" || !slices.Equal(kb[8], []string{"▶️"}) {
		t.Errorf("search keyboard %v, want 8 dashboards and ▶️", kb)
	}
	_, calls := e.press(groupID, list, bob, "▶️")
	if edits := only(calls, "editMessageText"); len(edits) != 1 {
		t.Fatalf("▶️: %+v", calls)
	}
	if kb := e.keyboard(groupID, list); len(kb) != 4 || kb[0][0] != "Service 07" || !slices.Equal(kb[3], []string{"◀️"}) {
		t.Errorf("page 2 %v", kb)
	}

	e.say(groupID, bob, "/dashboards node")
	search := lastMessage(t, e.tg, groupID)
	if kb := e.keyboard(groupID, search); len(kb) != 1 || kb[0][0] != "Infra / Node Exporter" {
		t.Fatalf("search for node: %v", kb)
	}
	_, calls = e.press(groupID, search, bob, "Infra / Node Exporter")
	if edits := only(calls, "editMessageText"); len(edits) != 1 || edits[0].Params["text"] != "<b>Node Exporter</b>: choose a panel" {
		t.Fatalf("the dashboard: %+v", calls)
	}
	panels := [][]string{{"CPU", "Memory"}, {"Disks › Disk IO", "Network › Traffic"}}
	if got := e.keyboard(groupID, search); !slices.EqualFunc(got, panels, slices.Equal) {
		t.Errorf("panels %v, want %v", got, panels)
	}

	ans, calls := e.press(groupID, search, bob, "Network › Traffic")
	if ans.Text != "Rendering…" {
		t.Errorf("answer %+v", ans)
	}
	photos := only(calls, "sendPhoto")
	if len(photos) != 1 || !photos[0].OK || photos[0].Params["caption"] != "<b>Node Exporter › Network › Traffic</b> · 1h" {
		t.Fatalf("the render: %+v", calls)
	}
	renders := fg.Renders()
	if len(renders) != 1 || renders[0].UID != "node-exp" || renders[0].PanelID != 6 || !renders[0].Found ||
		renders[0].To.Sub(renders[0].From) != time.Hour {
		t.Errorf("renders %+v", renders)
	}
	photo := lastMessage(t, e.tg, groupID)
	windows := []string{"📈 1h", "📈 6h", "📈 1d", "📈 1w"}
	if got := e.keyboard(groupID, photo); len(got) != 1 || !slices.Equal(got[0], windows) {
		t.Errorf("window buttons %v", got)
	}
	_, calls = e.press(groupID, photo, bob, "📈 1d")
	if photos := only(calls, "sendPhoto"); len(photos) != 1 || photos[0].Params["caption"] != "<b>Node Exporter › Network › Traffic</b> · 1d" {
		t.Errorf("the 1d render: %+v", calls)
	}
	if renders := fg.Renders(); len(renders) != 2 || renders[1].PanelID != 6 || renders[1].To.Sub(renders[1].From) != 24*time.Hour {
		t.Errorf("renders %+v", renders)
	}
	if p := fg.Problems(); len(p) != 0 {
		t.Errorf("malformed Grafana requests: %v", p)
	}

	fg.SetRenderer(fakegrafana.RendererNone)
	_, calls = e.press(groupID, search, bob, "CPU")
	got := replies(calls)
	if len(got) != 1 || len(only(calls, "sendPhoto")) != 0 {
		t.Fatalf("without a renderer: %+v", calls)
	}
	mustContain(t, "the no-renderer text", got[0], "image renderer", "grafana-image-renderer")

	mustContain(t, "no match", e.ask(groupID, bob, "/dashboards nothing-like-this"), "No dashboard matches.")
}

func TestDashboardsNeedGrafana(t *testing.T) {
	t.Parallel()
	e := newEnv(t).start()
	got := e.ask(groupID, bob, "/dashboards")
	mustContain(t, "/dashboards", got, "Dashboards need Grafana", "<code>grafana.url</code>")
	if strings.Contains(got, "Example") {
		t.Errorf("%q", got)
	}
}
