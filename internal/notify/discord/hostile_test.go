package discord

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakediscord"
)

// TestHostileValuesStayData sends every hostile value of the shared table
// in every label and annotation, alone and in a list, and compares what
// Discord would make of the message with the same message about a
// harmless value: the hostile one may not add a link, a mention, a ping or
// any formatting, and must still be readable.
func TestHostileValuesStayData(t *testing.T) {
	t.Parallel()
	alerts.ForEachHostile(t, func(t *testing.T, h alerts.Hostile, list bool) {
		msg := sendHostile(t, h, list)
		got, want := msg.Markup(), sendHostile(t, alerts.Plain, list).Markup()
		if !slices.Equal(linkPages(got.Links), linkPages(want.Links)) {
			t.Errorf("links %q, want the notifier's own: %q", got.Links, want.Links)
		}
		if len(got.Mentions) != 0 || len(got.Pings) != 0 {
			t.Errorf("mentions %q, pings %q", got.Mentions, got.Pings)
		}
		if kinds(got.Formats) != kinds(want.Formats) {
			t.Errorf("formatting %q, want the template's only: %q", got.Formats, want.Formats)
		}
		if am := msg.AllowedMentions; am == nil || am.Parse == nil || len(am.Parse)+len(am.Users)+len(am.Roles) != 0 {
			t.Errorf("allowed_mentions %+v: nothing may ping", am)
		}
		alerts.VisibleValue(t, h.Value, fakediscord.Fold(got.Plain))
	})
}

// sendHostile sends the alert about h (two of them for a list) and returns
// what the fake saw.
func sendHostile(t *testing.T, h alerts.Hostile, list bool) fakediscord.Message {
	t.Helper()
	fake := newFake(t, fakediscord.Limits{})
	n := newNotifier(t, testWebhook(t, fake.URL(), fastRates), &Config{}, nil)
	m := alerts.HostileList(h, list)
	m.Data.Receiver = h.Value
	send(t, n, m)
	msgs := fake.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	return msgs[0]
}

// linkPages are links without their query: the silence link's query holds
// the label values, as it must.
func linkPages(links []string) []string {
	out := make([]string, len(links))
	for i, l := range links {
		out[i], _, _ = strings.Cut(l, "?")
	}
	return out
}

// kinds counts formatting by kind.
func kinds(fs []fakediscord.Format) string {
	n := map[string]int{}
	for _, f := range fs {
		n[f.Kind]++
	}
	return fmt.Sprint(n)
}
