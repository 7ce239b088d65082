package slack

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakeslack"
)

// TestHostileValuesStayData sends every hostile value of the shared table
// in every label and annotation, alone and in a list, and compares what
// Slack would make of the message with the same message about a harmless
// value: the hostile one may not add (or remove) a link, a mention or any
// formatting, and must still be readable in the body.
func TestHostileValuesStayData(t *testing.T) {
	t.Parallel()
	alerts.ForEachHostile(t, func(t *testing.T, h alerts.Hostile, list bool) {
		got, want := sendHostile(t, h, list), sendHostile(t, alerts.Plain, list)
		if !slices.Equal(got.Links, want.Links) {
			t.Errorf("links %q, want %q", got.Links, want.Links)
		}
		if !slices.Equal(got.Mentions, want.Mentions) {
			t.Errorf("mentions %q, want %q", got.Mentions, want.Mentions)
		}
		if kinds(got.Formats) != kinds(want.Formats) {
			t.Errorf("formatting %q, want the template's only: %q", got.Formats, want.Formats)
		}
		_, body, _ := strings.Cut(got.Plain, "\n") // after the plain_text header
		alerts.VisibleValue(t, h.Value, fakeslack.Fold(body))
	})
}

// sendHostile sends the alert about h (two of them for a list) through the
// incoming webhook and returns what the fake saw.
func sendHostile(t *testing.T, h alerts.Hostile, list bool) fakeslack.Message {
	t.Helper()
	fake := newFake(t, unlimited)
	n := hookNotifier(t, fake, fastRates(), nil)
	m := alerts.HostileList(h, list)
	m.Data.GroupLabels = amtemplate.KV{"job": h.Value}
	m.Data.CommonAnnotations = amtemplate.KV{"summary": h.Value}
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), m); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	msgs := fake.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	return msgs[0]
}

// kinds counts formatting by kind: the harmless message's formatting comes
// from the template alone.
func kinds(fs []fakeslack.Format) string {
	n := map[string]int{}
	for _, f := range fs {
		n[f.Kind]++
	}
	return fmt.Sprint(n)
}
