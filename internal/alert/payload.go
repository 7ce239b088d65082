// Package alert decodes Alertmanager webhook notifications and splits them
// into the alert events that Herald delivers.
package alert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/alertmanager/template"
	"github.com/prometheus/common/model"
)

// SupportedVersion is the only webhook payload version Alertmanager has
// ever sent (notify/webhook: version "4").
const SupportedVersion = "4"

// Notification is one Alertmanager webhook payload (version 4).
type Notification struct {
	template.Data
	Version         string `json:"version"`
	GroupKey        string `json:"groupKey"`
	TruncatedAlerts uint64 `json:"truncatedAlerts"`
}

// InvalidError reports a payload that can never be accepted: answering it
// with 400 is correct because a retry would send the same bytes.
type InvalidError struct{ Reason string }

func (e *InvalidError) Error() string { return e.Reason }

func invalid(format string, args ...any) error {
	return &InvalidError{Reason: fmt.Sprintf(format, args...)}
}

// Decode parses and validates a webhook body. Every error it returns is an
// *InvalidError. Alerts without a fingerprint (Alertmanager before 0.19) get
// one computed from their labels, as Alertmanager computes it.
func Decode(body []byte) (*Notification, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, invalid("empty body")
	}
	// Unmarshal works on body in place; a json.Decoder would first copy
	// the whole body into a buffer of its own, doubling what a notification
	// of 10,000 alerts costs.
	var n Notification
	if err := json.Unmarshal(body, &n); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se) && strings.Contains(se.Error(), "after top-level value"):
			return nil, invalid("invalid JSON: data after the top-level object")
		case errors.As(err, &se):
			return nil, invalid("invalid JSON at byte %d: %v", se.Offset, err)
		case errors.As(err, &te):
			return nil, invalid("invalid JSON: field %q: %s cannot hold %s", te.Field, te.Type, te.Value)
		default:
			return nil, invalid("invalid JSON: %v", err)
		}
	}
	if err := n.validate(); err != nil {
		return nil, err
	}
	return &n, nil
}

func (n *Notification) validate() error {
	switch {
	case n.Version == "":
		return invalid("missing field \"version\" (an Alertmanager webhook payload has version %q)", SupportedVersion)
	case n.Version != SupportedVersion:
		return invalid("unsupported version %q: Herald accepts Alertmanager webhook payload version %q", n.Version, SupportedVersion)
	case n.Status != string(model.AlertFiring) && n.Status != string(model.AlertResolved):
		return invalid("field \"status\" must be \"firing\" or \"resolved\", got %q", n.Status)
	case len(n.Alerts) == 0:
		return invalid("field \"alerts\" is missing or empty")
	}
	for i := range n.Alerts {
		a := &n.Alerts[i]
		switch {
		case a.Status != string(model.AlertFiring) && a.Status != string(model.AlertResolved):
			return invalid("alerts[%d].status must be \"firing\" or \"resolved\", got %q", i, a.Status)
		case len(a.Labels) == 0:
			return invalid("alerts[%d].labels is missing or empty", i)
		case a.StartsAt.IsZero():
			return invalid("alerts[%d].startsAt is missing", i)
		}
		if a.Fingerprint == "" {
			a.Fingerprint = Fingerprint(a.Labels)
		}
	}
	return nil
}

// Fingerprint computes Alertmanager's fingerprint of a label set.
func Fingerprint(kv template.KV) string {
	ls := make(model.LabelSet, len(kv))
	for k, v := range kv {
		ls[model.LabelName(k)] = model.LabelValue(v)
	}
	return ls.Fingerprint().String()
}

// Kind is what an event says about an alert.
type Kind string

// The kinds of alert events.
const (
	KindFiring   Kind = "firing"
	KindResolved Kind = "resolved"
	KindReminder Kind = "reminder"
)

// EpisodeKey identifies one firing episode of an alert.
type EpisodeKey struct {
	Fingerprint string
	StartsAt    time.Time
}

// Key returns the episode an alert belongs to.
func Key(a *template.Alert) EpisodeKey {
	return EpisodeKey{Fingerprint: a.Fingerprint, StartsAt: a.StartsAt.UTC()}
}

// String renders the key for logs and unique indexes.
func (k EpisodeKey) String() string {
	return k.Fingerprint + "@" + k.StartsAt.UTC().Format(time.RFC3339Nano)
}

// Target is one channel an alert goes to, with the options of the route that
// sent it there: what the router decides and the store plans deliveries by.
type Target struct {
	Channel string
	// SendResolved creates a delivery for the alert's resolution.
	SendResolved bool
	// Repeat turns a repeat notification of a firing alert into a reminder,
	// at most once per RepeatInterval.
	Repeat         bool
	RepeatInterval time.Duration
}
