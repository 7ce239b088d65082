package bot_test

import (
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/graph"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

// savedCharts are the charts: section of the chart scenarios.
var savedCharts = []config.ChartConfig{
	{Name: "load", Query: "node_load1", Thresholds: []float64{4}, Range: config.Duration(24 * time.Hour)},
	{Name: "cpu", Title: "CPU busy", Query: `1 - avg(rate(node_cpu_seconds_total{mode="idle"}[5m]))`, Unit: "percentunit",
		Range: config.Duration(time.Hour)},
}

func TestGraph(t *testing.T) {
	t.Parallel()
	e := newEnv(t).start()
	n := len(e.tg.Calls())
	_, msg, err := e.tg.PushIncoming(faketelegram.Incoming{Chat: groupID, From: bob, Text: "/graph up 6h"})
	if err != nil {
		t.Fatal(err)
	}
	e.handled()
	calls := e.since(n)
	photos := only(calls, "sendPhoto")
	if len(photos) != 1 || len(calls) != 1 || !photos[0].OK {
		t.Fatalf("calls %+v, want one sendPhoto", calls)
	}
	if got := photos[0].Params["caption"]; got != "<code>up</code> · 6h" {
		t.Errorf("caption %q", got)
	}
	var reply struct {
		MessageID int64 `json:"message_id"`
	}
	if err := photos[0].Decode("reply_parameters", &reply); err != nil || reply.MessageID != msg {
		t.Errorf("reply_parameters %+v (%v), want a reply to the command %d", reply, err, msg)
	}
	e.say(groupID, bob, `/graph sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))`)
	want := []graph.QueryChart{{Query: "up", Range: 6 * time.Hour},
		{Query: `sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))`, Range: time.Hour}}
	if got := e.charts.Queries(); !slices.EqualFunc(got, want, sameChart) {
		t.Errorf("queries %+v, want %+v", got, want)
	}
	for _, bad := range []string{"/graph rate(up[5m]", "/graph", "/graph up 100d", "/graph sum(", `/graph {__name__=~".*"}[5m]`} {
		mustContain(t, bad, e.ask(groupID, bob, bad), "Example: <code>/graph")
	}
	if got := e.charts.Queries(); len(got) != 2 {
		t.Errorf("bad queries were drawn: %+v", got[2:])
	}
}

func TestSavedCharts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.cfg.Charts = savedCharts
	e.start()
	load := graph.QueryChart{Title: "load", Query: "node_load1", Thresholds: []float64{4}}
	cpu := graph.QueryChart{Title: "CPU busy", Query: savedCharts[1].Query, Unit: "percentunit"}
	at := func(c graph.QueryChart, d time.Duration) graph.QueryChart { c.Range = d; return c }
	steps := []struct {
		text     string
		want     []graph.QueryChart
		captions []string
	}{
		{"/chart load", []graph.QueryChart{at(load, 24*time.Hour)}, []string{"<b>load</b> · 1d"}},
		{"/chart cpu week", []graph.QueryChart{at(cpu, 7*24*time.Hour)}, []string{"<b>CPU busy</b> · 1w"}},
		{"/chart cpu 30m", []graph.QueryChart{at(cpu, 30*time.Minute)}, []string{"<b>CPU busy</b> · 30m"}},
		{"/day", []graph.QueryChart{at(load, 24*time.Hour), at(cpu, 24*time.Hour)}, []string{"<b>load</b> · 1d", "<b>CPU busy</b> · 1d"}},
		{"/hour", []graph.QueryChart{at(load, time.Hour), at(cpu, time.Hour)}, nil},
		{"/week cpu", []graph.QueryChart{at(cpu, 7*24*time.Hour)}, nil},
	}
	for _, st := range steps {
		before := len(e.charts.Queries())
		photos := only(e.say(groupID, bob, st.text), "sendPhoto")
		if got := e.charts.Queries()[before:]; !slices.EqualFunc(got, st.want, sameChart) {
			t.Errorf("%s: drew %+v, want %+v", st.text, got, st.want)
		}
		if len(photos) != len(st.want) {
			t.Errorf("%s: %d photos, want %d", st.text, len(photos), len(st.want))
		}
		for i, c := range st.captions {
			if i < len(photos) && photos[i].Params["caption"] != c {
				t.Errorf("%s: caption %q, want %q", st.text, photos[i].Params["caption"], c)
			}
		}
	}
	n := len(e.charts.Queries())
	for _, text := range []string{"/chart nosuch", "/day nosuch", "/chart nosuch week"} {
		got := e.ask(groupID, bob, text)
		if got != "There is no chart <code>nosuch</code>. Saved charts: load, cpu" {
			t.Errorf("%s: %q", text, got)
		}
	}
	mustContain(t, "a bad range", e.ask(groupID, bob, "/chart load fortnight"), "Example: <code>/chart")
	mustContain(t, "no name", e.ask(groupID, bob, "/chart"), "Example: <code>/chart")
	if got := e.charts.Queries(); len(got) != n {
		t.Errorf("refused commands drew %+v", got[n:])
	}
}

func TestChartsNeedPrometheus(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.cfg.Charts = savedCharts
	e.deps.Charts = nil
	e.start()
	for _, text := range []string{"/graph up 6h", "/chart load", "/day", "/week load"} {
		mustContain(t, text, e.ask(groupID, bob, text), "Charts need Prometheus", "<code>prometheus.url</code>")
	}
	// The buttons that need a service appear only when it is configured.
	msg := e.alertMessage(groupID, "ops", diskFull(e.clock), "")
	if got := e.keyboard(groupID, msg); len(got) != 1 || !slices.Equal(got[0], []string{"✅ Ack"}) {
		t.Errorf("keyboard %v, want only the ack without Prometheus and Alertmanager", got)
	}
}

func TestNoSavedCharts(t *testing.T) {
	t.Parallel()
	e := newEnv(t).start()
	for _, text := range []string{"/day", "/chart load", "/hour"} {
		mustContain(t, text, e.ask(groupID, bob, text), "No saved charts", "<code>charts:</code>")
	}
}

func sameChart(a, b graph.QueryChart) bool {
	return a.Title == b.Title && a.Query == b.Query && a.Unit == b.Unit && a.Range == b.Range && slices.Equal(a.Thresholds, b.Thresholds)
}
