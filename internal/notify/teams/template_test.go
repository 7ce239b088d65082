package teams

import (
	"fmt"
	"strings"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
)

func TestDefaultTemplates(t *testing.T) {
	t.Parallel()
	n := New("ops", &Config{}, &Webhook{}, mustTemplates(t), nil)
	full := message(alert.KindFiring, hostDown)
	full.Data.Alerts[0].Annotations["description"] = "No scrape for 5 minutes."
	bare := message(alert.KindFiring, amtemplate.KV{"alertname": "Bare"})
	bare.Data.Alerts[0].StartsAt = time.Time{}
	for _, tc := range []struct {
		name, title, text string
		kind              alert.Kind
		labels            []amtemplate.KV
	}{
		{name: "firing", kind: alert.KindFiring, labels: []amtemplate.KV{hostDown},
			title: "🔥 HostDown · critical on node-2:9100", text: "node-2 is down\n\nStarted 12:00 UTC, firing for 12m"},
		{name: "resolved", kind: alert.KindResolved, labels: []amtemplate.KV{hostDown},
			title: "✅ RESOLVED: HostDown on node-2:9100", text: "node-2 is down\n\nStarted 12:00 UTC, resolved after 5m"},
		{name: "reminder", kind: alert.KindReminder, labels: []amtemplate.KV{hostDown},
			title: "🔁 Still firing for 12m: HostDown on node-2:9100", text: "node-2 is down"},
		{name: "no summary", kind: alert.KindFiring, labels: []amtemplate.KV{{"alertname": "Quiet"}},
			title: "🔔 Quiet", text: "Started 12:00 UTC, firing for 12m"},
		{name: "list", kind: alert.KindFiring, labels: []amtemplate.KV{hostDown, {"alertname": "Quiet", "pod": "api-0"}},
			title: "🔥 2 alerts firing", text: "🔥 HostDown on node-2:9100 — node-2 is down\n🔔 Quiet on api-0"},
		{name: "list reminder", kind: alert.KindReminder, labels: []amtemplate.KV{hostDown, {"alertname": "Quiet"}},
			title: "🔁 2 alerts still firing", text: "🔥 HostDown on node-2:9100 — node-2 is down\n🔔 Quiet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			title, text := n.render(message(tc.kind, tc.labels...))
			if title != tc.title || text != tc.text {
				t.Errorf("rendered\n%s\n--\n%s\nwant\n%s\n--\n%s", title, text, tc.title, tc.text)
			}
		})
	}
	title, text := n.render(full)
	if title != "🔥 HostDown · critical on node-2:9100" || text != "node-2 is down\n\nNo scrape for 5 minutes.\n\nStarted 12:00 UTC, firing for 12m" {
		t.Errorf("with a description:\n%s\n--\n%s", title, text)
	}
	if _, text := n.render(bare); text != "Firing" {
		t.Errorf("an alert without annotations or start: %q", text)
	}
}

// A list has exactly one line per alert, so that a shortened card counts
// the rows it leaves out as alerts; and the templates write no Markdown.
func TestDefaultListIsOneLinePerAlert(t *testing.T) {
	t.Parallel()
	n := New("ops", &Config{}, &Webhook{}, mustTemplates(t), nil)
	var labels []amtemplate.KV
	for i := range 100 {
		labels = append(labels, amtemplate.KV{"alertname": fmt.Sprintf("A%d", i), "instance": "multi\nline",
			"severity": "warning", "summary": "two\nlines"})
	}
	for _, kind := range []alert.Kind{alert.KindFiring, alert.KindResolved, alert.KindReminder} {
		m := message(kind, labels...)
		_, text := n.render(m)
		if got := len(strings.Split(text, "\n")); got != 100 {
			t.Errorf("%s list has %d lines for 100 alerts:\n%s", kind, got, text)
		}
		c := buildContent(m, "t", text, nil)
		if !c.rows {
			t.Errorf("%s list not counted as rows", kind)
		}
		if strings.ContainsAny(text, "*[]`") {
			t.Errorf("%s list has Markdown:\n%s", kind, text)
		}
	}
}
