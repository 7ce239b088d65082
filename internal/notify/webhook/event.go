package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
)

// SchemaVersion is the version of the Event schema. Adding fields keeps
// the version (receivers must ignore fields they do not know); renaming,
// removing or changing the meaning of a field makes a new version.
const SchemaVersion = "1"

// Event is the JSON body Herald posts, one per delivery: one alert event,
// or several folded together during a storm. Its alert fields use
// Alertmanager's webhook names and formats, so that code reading
// Alertmanager's payload reads these too.
type Event struct {
	// Version is SchemaVersion.
	Version string `json:"version"`
	// Channel is the name of the Herald channel that sent the event.
	Channel string `json:"channel"`
	// Kind is what the event says: "firing", "resolved" or "reminder".
	Kind string `json:"kind"`
	// Folded is true when several alert events were folded into one
	// delivery (a storm); Alerts then holds all of them.
	Folded bool `json:"folded"`
	// Receiver is the Alertmanager receiver the notification came through.
	Receiver string `json:"receiver"`
	// Status is "resolved" for a resolved event, else "firing" (reminders
	// too), as Alertmanager sets it for the group.
	Status string `json:"status"`
	// Alerts are the alerts of this event: one, or several when Folded.
	Alerts []Alert `json:"alerts"`
	// GroupLabels, CommonLabels and CommonAnnotations are as in
	// Alertmanager's payload, computed over Alerts. Never null.
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	// ExternalURL is Alertmanager's external URL.
	ExternalURL string `json:"externalURL"`
	// Chart is the chart of the metric that fired, null when there is none
	// (no Prometheus, a failed render, a folded event or a reminder, or no
	// external_url for Herald to serve it from).
	Chart *Chart `json:"chart"`
}

// Alert is one alert, in Alertmanager's webhook format.
type Alert struct {
	// Status is "firing" or "resolved".
	Status string `json:"status"`
	// Labels and Annotations are never null.
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	// StartsAt and EndsAt are RFC 3339 times; EndsAt is
	// "0001-01-01T00:00:00Z" while Alertmanager does not know the end.
	StartsAt time.Time `json:"startsAt"`
	EndsAt   time.Time `json:"endsAt"`
	// GeneratorURL links to the expression in Prometheus.
	GeneratorURL string `json:"generatorURL"`
	// Fingerprint identifies the alert (its label set); with StartsAt it
	// identifies the firing episode.
	Fingerprint string `json:"fingerprint"`
}

// Chart is the chart of an event.
type Chart struct {
	// URL is a signed, expiring link to the PNG served by Herald
	// (GET /images/{id}.png under external_url).
	URL string `json:"url"`
	// Width and Height are the size of the PNG in pixels.
	Width  int `json:"width"`
	Height int `json:"height"`
	// Alt describes the chart (alert name and identifying labels).
	Alt string `json:"alt"`
	// Query is the PromQL query charted: the rule's expression rewritten
	// for the failing instance, its comparison removed.
	Query string `json:"query"`
	// Threshold and Op are the removed comparison (e.g. 90 and ">"); null
	// when the expression had none.
	Threshold *float64 `json:"threshold"`
	Op        *string  `json:"op"`
	// Thresholds are all the lines drawn, when there are any: a band
	// (`x > 10 and x < 90`) has two; a series threshold (`x > y * 0.8`)
	// has a query instead of a value. Threshold and Op are the first number.
	Thresholds []Threshold `json:"thresholds,omitempty"`
	// Unit is the Grafana unit id of the query's values ("percent",
	// "bytes", "Bps", "s", "short"...); Value the query's current value for
	// the alert's series, ValueText it in the unit ("93.2 %"); the value
	// fields are left out when it is not known.
	Unit      string   `json:"unit,omitempty"`
	Value     *float64 `json:"value,omitempty"`
	ValueText string   `json:"valueText,omitempty"`
}

// Threshold is one line of a chart.
type Threshold struct {
	Op    string   `json:"op"`
	Value *float64 `json:"value,omitempty"`
	Query string   `json:"query,omitempty"`
}

// buildEvent turns m into its Event. The chart goes in only when Herald
// serves it (Image.URL set).
func buildEvent(m *notify.Message) *Event {
	ev := &Event{
		Version: SchemaVersion, Channel: m.Channel, Kind: string(m.Kind), Folded: m.Folded,
		Alerts: []Alert{}, GroupLabels: map[string]string{}, CommonLabels: map[string]string{}, CommonAnnotations: map[string]string{},
	}
	if d := m.Data; d != nil {
		ev.Receiver, ev.Status, ev.ExternalURL = d.Receiver, d.Status, d.ExternalURL
		ev.GroupLabels, ev.CommonLabels, ev.CommonAnnotations = kv(d.GroupLabels), kv(d.CommonLabels), kv(d.CommonAnnotations)
		for _, a := range d.Alerts {
			ev.Alerts = append(ev.Alerts, buildAlert(a))
		}
	}
	if ev.Status == "" {
		ev.Status = string(alert.KindFiring)
		if m.Kind == alert.KindResolved {
			ev.Status = string(alert.KindResolved)
		}
	}
	if img := m.Image; img != nil && img.URL != "" {
		ev.Chart = &Chart{URL: img.URL, Width: img.Width, Height: img.Height, Alt: img.Alt, Query: img.Query, Threshold: img.Threshold,
			Unit: img.Unit, Value: img.Value, ValueText: img.ValueText}
		if img.Op != "" {
			op := img.Op
			ev.Chart.Op = &op
		}
		for _, t := range img.Thresholds {
			ev.Chart.Thresholds = append(ev.Chart.Thresholds, Threshold{Op: t.Op, Value: t.Value, Query: t.Query})
		}
	}
	return ev
}

func buildAlert(a amtemplate.Alert) Alert {
	return Alert{Status: a.Status, Labels: kv(a.Labels), Annotations: kv(a.Annotations),
		StartsAt: a.StartsAt.UTC(), EndsAt: a.EndsAt.UTC(), GeneratorURL: a.GeneratorURL, Fingerprint: a.Fingerprint}
}

// kv copies a label set, never returning nil: receivers get {} rather than
// null.
func kv(in amtemplate.KV) map[string]string {
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

// IdempotencyKey is the Idempotency-Key of an event: the same for every
// attempt to deliver it, different for every other event, so that a
// receiver can drop a repeat. For one alert it is
// "<fingerprint>:<startsAt>:<kind>" (startsAt in RFC 3339, UTC); for a
// folded event, "<kind>:folded:" and a SHA-256 over the fingerprints and
// starts of its alerts, sorted. Reminders get none ("", and no header):
// every reminder of an episode has the same fingerprint, start and kind,
// and the reminder's number does not reach the notifier yet.
func IdempotencyKey(ev *Event) string {
	if ev.Kind == string(alert.KindReminder) || len(ev.Alerts) == 0 {
		return ""
	}
	episode := func(a Alert) string { return a.Fingerprint + ":" + a.StartsAt.UTC().Format(time.RFC3339Nano) }
	if len(ev.Alerts) == 1 && !ev.Folded {
		return episode(ev.Alerts[0]) + ":" + ev.Kind
	}
	eps := make([]string, len(ev.Alerts))
	for i, a := range ev.Alerts {
		eps[i] = episode(a)
	}
	slices.Sort(eps)
	sum := sha256.Sum256([]byte(strings.Join(eps, "\n")))
	return ev.Kind + ":folded:" + hex.EncodeToString(sum[:16])
}
