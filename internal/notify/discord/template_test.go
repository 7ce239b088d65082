package discord

import (
	"strings"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/template"
	"github.com/heraldhq/herald/internal/testutil/alerts"
)

// The default Discord templates, rendered the way the notifier renders
// them, on a fixed clock.
func TestDefaultTemplates(t *testing.T) {
	tmpl := alerts.Templates(t, alerts.StartsAt.Add(12*time.Minute), nil)
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
			"**memory of node-2:9100 is low**\n3% left\nstarted <t:1740830400:f>, firing for 12m\n" +
				"[Source](http://prometheus.example:9090/graph?g0.expr=up) · " +
				"[Silence](http://am.example:9093/#/silences/new?filter=%7Balertname%3D%22HostMemoryLow%22%2Cinstance%3D%22node-2%3A9100%22%2Cjob%3D%22node%22%2Cseverity%3D%22critical%22%7D) · " +
				"[Runbook](https://runbooks.example/mem)"},
		{"message resolved", DefaultMessage, data(alert.KindResolved, false, r),
			"**memory of node-2:9100 is low**\n3% left\nstarted <t:1740830400:f>, resolved after 10m\n" +
				"[Source](http://prometheus.example:9090/graph?g0.expr=up) · [Runbook](https://runbooks.example/mem)"},
		{"message without links", DefaultMessage, data(alert.KindFiring, false, noLinks),
			"started <t:1740830400:f>, firing for 12m\n[Silence](http://am.example:9093/#/silences/new?filter=%7Balertname%3D%22NoLinks%22%7D)"},
		{"message reminder", DefaultMessage, data(alert.KindReminder, false, a), "still firing for 12m, since <t:1740830400:f>\nmemory of node-2:9100 is low"},
		{"message of a list", DefaultMessage, data(alert.KindFiring, true, a, noLinks),
			"🔥 **HostMemoryLow** `node-2:9100` — memory of node-2:9100 is low\n🔔 **NoLinks**\n[Alertmanager](http://am.example:9093/#/alerts)"},
		{"short", shortBody, data(alert.KindResolved, false, r),
			"✅ **HostMemoryLow** `node-2:9100` resolved after 10m; the firing message now shows it resolved."},
		{"line", lineBody, data(alert.KindFiring, false, a), "🔥 **HostMemoryLow** `node-2:9100` — memory of node-2:9100 is low"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := tmpl.Execute(c.body, c.body, c.d, false)
			if got != c.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, c.want)
			}
			if strings.Contains(got, "message template failed") {
				t.Error("the template failed")
			}
		})
	}
}
