package alertmanager

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"
)

// AlertState is the state of an alert in Alertmanager.
type AlertState string

// The states of an alert.
const (
	// AlertActive: firing and notified.
	AlertActive AlertState = "active"
	// AlertSuppressed: firing, but silenced or inhibited.
	AlertSuppressed AlertState = "suppressed"
	// AlertUnprocessed: received, not yet routed.
	AlertUnprocessed AlertState = "unprocessed"
)

// Alert is a firing alert as Alertmanager holds it.
type Alert struct {
	Labels      map[string]string
	Annotations map[string]string
	StartsAt    time.Time
	// EndsAt is when Alertmanager resolves the alert unless it is sent
	// again (the sender's endsAt, or resolve_timeout after the last send).
	EndsAt       time.Time
	UpdatedAt    time.Time
	GeneratorURL string
	// Fingerprint identifies the label set in Alertmanager.
	Fingerprint string
	// Receivers are the receivers the alert is routed to.
	Receivers []string
	Status    AlertStatus
}

// AlertStatus says whether an alert is suppressed, and by what.
type AlertStatus struct {
	State AlertState
	// SilencedBy holds the ids of the silences that match the alert.
	SilencedBy []string
	// InhibitedBy holds the fingerprints of the alerts that inhibit it.
	InhibitedBy []string
}

// AlertFilter selects alerts. A nil flag leaves Alertmanager's default,
// which includes those alerts; a false one leaves them out.
type AlertFilter struct {
	// Matchers must all match an alert's labels.
	Matchers []*labels.Matcher
	// Active, Silenced, Inhibited and Unprocessed include (true) or
	// exclude (false) the alerts in that state.
	Active, Silenced, Inhibited, Unprocessed *bool
	// Receiver is a regular expression, anchored, that one of the alert's
	// receivers must match; empty: any.
	Receiver string
}

// query is f as the parameters of GET /api/v2/alerts.
func (f AlertFilter) query() url.Values {
	q := filterQuery(f.Matchers)
	for _, p := range []struct {
		name string
		v    *bool
	}{{"active", f.Active}, {"silenced", f.Silenced}, {"inhibited", f.Inhibited}, {"unprocessed", f.Unprocessed}} {
		if p.v != nil {
			q.Set(p.name, strconv.FormatBool(*p.v))
		}
	}
	if f.Receiver != "" {
		q.Set("receiver", f.Receiver)
	}
	return q
}

// filterQuery writes matchers as the filter parameters of the API.
func filterQuery(ms []*labels.Matcher) url.Values {
	q := url.Values{}
	for _, m := range ms {
		if m != nil {
			q.Add("filter", m.String())
		}
	}
	return q
}

// Alerts lists the alerts that f selects (GET /api/v2/alerts), ordered by
// fingerprint as Alertmanager sends them. Resolved alerts are not listed.
func (c *Client) Alerts(ctx context.Context, f AlertFilter) ([]Alert, error) {
	var in []gettableAlert
	if err := c.call(ctx, request{op: "list alerts", method: http.MethodGet, path: "alerts", query: f.query()}, &in); err != nil {
		return nil, err
	}
	out := make([]Alert, 0, len(in))
	for _, a := range in {
		out = append(out, a.alert())
	}
	return out, nil
}

// gettableAlert is an alert as GET /api/v2/alerts writes it.
type gettableAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	UpdatedAt    time.Time         `json:"updatedAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
	Receivers    []struct {
		Name string `json:"name"`
	} `json:"receivers"`
	Status struct {
		State       AlertState `json:"state"`
		SilencedBy  []string   `json:"silencedBy"`
		InhibitedBy []string   `json:"inhibitedBy"`
	} `json:"status"`
}

// alert converts a; its maps are never nil, so callers can read them
// without a check.
func (a gettableAlert) alert() Alert {
	out := Alert{
		Labels:       nonNil(a.Labels),
		Annotations:  nonNil(a.Annotations),
		StartsAt:     a.StartsAt,
		EndsAt:       a.EndsAt,
		UpdatedAt:    a.UpdatedAt,
		GeneratorURL: a.GeneratorURL,
		Fingerprint:  a.Fingerprint,
		Status: AlertStatus{
			State:       a.Status.State,
			SilencedBy:  a.Status.SilencedBy,
			InhibitedBy: a.Status.InhibitedBy,
		},
	}
	for _, r := range a.Receivers {
		out.Receivers = append(out.Receivers, r.Name)
	}
	return out
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
