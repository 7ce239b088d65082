// Package notify defines what every destination platform implements and the
// helpers they share: HTTP result classification, typed rate-limit errors,
// rate limiters and URL redaction.
package notify

import (
	"context"
	"time"

	"github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
)

// Message is one delivery to one channel: one alert event, or several folded
// together during a storm.
type Message struct {
	// Channel is the configured channel name.
	Channel string
	// Kind is what the message says: firing, resolved or reminder.
	Kind alert.Kind
	// Data is the template data; Data.Alerts holds the alerts of this message.
	Data *template.Data
	// Folded is set when several alert events were folded into one message.
	Folded bool
	// Previous holds the references of messages sent earlier for the firing
	// event of the same episode (resolved events reply to them and edit them).
	Previous []Ref
	// SentParts is the number of parts already delivered by an earlier
	// attempt; the notifier sends only the parts after them.
	SentParts int
	// Image is the chart of the metric that fired, nil when there is none
	// (no Prometheus, a failed or slow render, a folded message). Each
	// platform decides how to attach it.
	Image *Image
}

// Image is a rendered chart.
type Image struct {
	// PNG is the encoded image.
	PNG []byte
	// Width and Height are its size in pixels.
	Width, Height int
	// Alt is a short text description (alert name and identifying labels).
	Alt string
	// URL is a signed link to the same PNG served by Herald (GET
	// /images/{id}.png), for platforms that take images by URL only; ""
	// when Herald has no external_url.
	URL string
	// Query is the PromQL query charted (the rule's expression rewritten for
	// the failing instance); Threshold and Op the removed comparison, nil
	// and "" when there was none.
	Query     string
	Threshold *float64
	Op        string
	// Thresholds are all the lines drawn: Threshold and Op are the first
	// number among them; a band has two, a series threshold has a Query.
	Thresholds []Threshold
	// Unit is the Grafana unit id of the values charted ("percent",
	// "bytes", "Bps", "s", "short"...).
	Unit string
	// Value is the current value of the charted query for the alert's
	// series (the last point of the chart), nil when it is not known;
	// ValueText is it formatted in Unit ("93.2 %", "1.5 GiB").
	Value     *float64
	ValueText string
}

// Threshold is one line of a chart: a number, or a series (a query).
type Threshold struct {
	Op    string
	Value *float64
	Query string
}

// Ref is a platform's reference to a message that was sent.
type Ref struct {
	// Part is the index of the message part (long messages are split).
	Part int
	// ChatID is the platform's conversation identifier.
	ChatID string
	// ThreadID is the forum topic or thread, when there is one.
	ThreadID string
	// MessageID is the platform's message identifier.
	MessageID string
	// Folded is set when the referenced message holds several alerts, so it
	// must not be edited to show one of them resolved.
	Folded bool
	// Media is set when the referenced message is a photo (the chart) whose
	// text is its caption, so an edit must change the caption or the media.
	Media bool
}

// Notifier sends messages to one platform. It builds and sends the request
// and classifies the outcome; it never sleeps between attempts or retries:
// the dispatcher owns retries.
type Notifier interface {
	// Notify sends m. It returns the references of the parts it sent (also
	// on error, so that a retry resumes after them), whether a failure is
	// worth retrying, and the error.
	Notify(ctx context.Context, m *Message) (sent []Ref, retry bool, err error)
}

// Warmer is a Notifier whose rate limits can be told of requests made to
// its platform before this process sent anything: the sends of another
// replica that owned the channel until now. Notifiers without a rate limit
// of Herald's own do not implement it.
type Warmer interface {
	// Warm counts a request at each time of sent (in any order) against
	// the limits the channel's requests take, as if this process had made
	// it: a message of several parts is several requests. Channels that
	// share a limit (a robot, a webhook, a bot) add up, so each is warmed
	// once with its own sends, before its first Notify.
	Warm(sent []time.Time)
}

// RateLimitError is returned by a notifier when the platform asked Herald to
// slow down. The dispatcher waits RetryAfter before the next attempt to the
// same channel.
type RateLimitError struct {
	// RetryAfter is how long the platform asked to wait; 0 when it did not say.
	RetryAfter time.Duration
	// Err is the platform's answer.
	Err error
}

func (e *RateLimitError) Error() string {
	if e.RetryAfter > 0 {
		return e.Err.Error() + " (retry after " + e.RetryAfter.String() + ")"
	}
	return e.Err.Error()
}

func (e *RateLimitError) Unwrap() error { return e.Err }
