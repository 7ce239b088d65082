package alerts

import (
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
)

func TestEvent(t *testing.T) {
	labels := amtemplate.KV{"alertname": "HostDown", "summary": "down"}
	m := Event(alert.KindResolved, []amtemplate.KV{labels}, MoveSummary())
	a := m.Data.Alerts[0]
	if a.Status != "resolved" || m.Data.Status != "resolved" || !a.EndsAt.Equal(StartsAt.Add(5*time.Minute)) {
		t.Errorf("not resolved five minutes after it started: %+v", a)
	}
	if a.Annotations["summary"] != "down" || len(a.Labels) != 1 || len(labels) != 2 {
		t.Errorf("summary not moved out of a copy of the labels: %v %v (given %v)", a.Labels, a.Annotations, labels)
	}
	if a.Fingerprint != alert.Fingerprint(amtemplate.KV{"alertname": "HostDown"}) {
		t.Errorf("fingerprint %s is not of the final labels", a.Fingerprint)
	}
	if m.Data.CommonLabels["alertname"] != "HostDown" || m.Folded || m.Channel != "ops" {
		t.Errorf("message %+v, data %+v", m, m.Data)
	}

	m = Event(alert.KindReminder, []amtemplate.KV{labels, {"alertname": "Other"}}, CopySummary(), Fingerprint("fp"))
	if m.Data.Status != "firing" || len(m.Data.CommonLabels) != 0 {
		t.Errorf("reminder of two alerts: %+v", m.Data)
	}
	if a, b := m.Data.Alerts[0], m.Data.Alerts[1]; a.Annotations["summary"] != "down" || a.Labels["summary"] != "down" ||
		b.Annotations["summary"] != "" || a.Fingerprint != "fp" || !a.EndsAt.IsZero() {
		t.Errorf("copied summaries: %+v %+v", a, b)
	}
}

func TestCopySummaryKeepsGivenAnnotations(t *testing.T) {
	given := amtemplate.KV{"runbook_url": "https://runbooks.example/x"}
	a := Alert(amtemplate.KV{"summary": "s"}, Annotations(given), CopySummary())
	if len(given) != 1 || a.Annotations["runbook_url"] == "" || a.Annotations["summary"] != "s" {
		t.Errorf("given %v, got %v", given, a.Annotations)
	}
}
