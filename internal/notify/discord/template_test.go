package discord

import (
	"strings"
	"testing"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
	"github.com/heraldhq/herald/internal/testutil/alerts"
)

// The default Discord templates, rendered the way the notifier renders
// them, on a fixed clock.
func TestDefaultTemplates(t *testing.T) {
	t.Parallel()
	tmpl := mustTemplates(t)
	a := mkAlert("HostMemoryLow", "critical", "node-2:9100")
	a.Annotations["runbook_url"] = "https://runbooks.example/mem"
	a.Annotations["description"] = "3% left"
	noLinks := mkAlert("NoLinks", "", "")
	noLinks.GeneratorURL, noLinks.Annotations = "not a url", amtemplate.KV{}
	delete(noLinks.Labels, "instance")
	delete(noLinks.Labels, "job")
	r := resolve(a)[0]
	data := func(kind alert.Kind, folded bool, as ...amtemplate.Alert) *template.Data {
		d := &amtemplate.Data{Status: string(kind), Alerts: as, ExternalURL: "http://am.example:9093"}
		return template.NewData(d, string(kind), folded, "ops")
	}
	for _, c := range []struct {
		name, body string
		d          *template.Data
		want       string
	}{
		{"title firing", DefaultTitle, data(alert.KindFiring, false, a), "🔥 HostMemoryLow · node-2:9100"},
		{"title resolved", DefaultTitle, data(alert.KindResolved, false, r), "✅ RESOLVED HostMemoryLow · node-2:9100"},
		{"title reminder", DefaultTitle, data(alert.KindReminder, false, a), "🔁 STILL FIRING HostMemoryLow · node-2:9100"},
		{"title without severity or instance", DefaultTitle, data(alert.KindFiring, false, noLinks), "🔔 NoLinks"},
		{"title of a list", DefaultTitle, data(alert.KindFiring, true, a, noLinks), "🔥 2 alerts firing"},
		{"title of a resolved list", DefaultTitle, data(alert.KindResolved, true, r, r), "✅ 2 alerts resolved"},
		{"message firing", DefaultMessage, data(alert.KindFiring, false, a),
			"**memory of node-2:9100 is low**\n3% left\nstarted <t:1740830400:f>, firing for 12m"},
		{"message resolved", DefaultMessage, data(alert.KindResolved, false, r),
			"**memory of node-2:9100 is low**\n3% left\nstarted <t:1740830400:f>, resolved after 10m"},
		{"message without links", DefaultMessage, data(alert.KindFiring, false, noLinks), "started <t:1740830400:f>, firing for 12m"},
		{"message reminder", DefaultMessage, data(alert.KindReminder, false, a), "still firing for 12m, since <t:1740830400:f>\nmemory of node-2:9100 is low"},
		{"message of a list", DefaultMessage, data(alert.KindFiring, true, a, noLinks),
			"🔥 **HostMemoryLow** `node-2:9100` — memory of node-2:9100 is low\n🔔 **NoLinks**\n[Alertmanager](http://am.example:9093/#/alerts)"},
		{"short", shortBody, data(alert.KindResolved, false, r),
			"✅ **HostMemoryLow** `node-2:9100` resolved after 10m; the firing message now shows it resolved."},
		{"line", lineBody, data(alert.KindFiring, false, a), "🔥 **HostMemoryLow** `node-2:9100` — memory of node-2:9100 is low"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := tmpl.Execute(c.body, c.body, c.d, template.Text)
			if got != c.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, c.want)
			}
			if strings.Contains(got, "message template failed") {
				t.Error("the template failed")
			}
		})
	}
}

// The links line the notifier adds under the description of one alert,
// built from the labels as received.
func TestBuildLinks(t *testing.T) {
	t.Parallel()
	a := mkAlert("HostMemoryLow", "critical", "node-2:9100")
	a.Annotations["runbook_url"] = "https://runbooks.example/mem"
	noLinks := mkAlert("NoLinks", "", "")
	noLinks.GeneratorURL, noLinks.Annotations = "not a url", amtemplate.KV{}
	delete(noLinks.Labels, "instance")
	delete(noLinks.Labels, "job")
	odd := mkAlert("Odd", "", "")
	odd.GeneratorURL = "http://p.example/graph?g0.expr=rate(x[5m]) > 1"
	odd.Annotations = amtemplate.KV{"runbook_url": "javascript:alert(1)"}
	msg := func(kind alert.Kind, a amtemplate.Alert) *notify.Message {
		m := alerts.Message(kind, a)
		m.Data.ExternalURL = "http://am.example:9093"
		return m
	}
	for _, c := range []struct {
		name string
		m    *notify.Message
		want string
	}{
		{"firing", msg(alert.KindFiring, a), "[Source](http://prometheus.example:9090/graph?g0.expr=up) · " +
			"[Silence](http://am.example:9093/#/silences/new?filter=%7Balertname%3D%22HostMemoryLow%22%2Cinstance%3D%22node-2%3A9100%22%2Cjob%3D%22node%22%2Cseverity%3D%22critical%22%7D) · " +
			"[Runbook](https://runbooks.example/mem)"},
		{"resolved", msg(alert.KindResolved, resolve(a)[0]), "[Source](http://prometheus.example:9090/graph?g0.expr=up) · [Runbook](https://runbooks.example/mem)"},
		{"without links", msg(alert.KindFiring, noLinks), "[Silence](http://am.example:9093/#/silences/new?filter=%7Balertname%3D%22NoLinks%22%7D)"},
		{"reminder", msg(alert.KindReminder, a), ""},
		{"targets that would break out", msg(alert.KindResolved, odd), "[Source](http://p.example/graph?g0.expr=rate%28x%5B5m%5D%29%20%3E%201)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := buildLinks(c.m, c.m.Data.Alerts); got != c.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}
