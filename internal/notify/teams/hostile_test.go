package teams

import (
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/faketeams"
)

// TestHostileValuesStayData sends every hostile value of the shared table
// in every label and annotation, alone and in a list, and compares what
// Teams would make of the card with the card about a harmless value: the
// hostile one may not add a link, an <at> mention or any formatting, and
// must still be readable.
func TestHostileValuesStayData(t *testing.T) {
	t.Parallel()
	alerts.ForEachHostile(t, func(t *testing.T, h alerts.Hostile, list bool) {
		got, want := sendHostile(t, h, list), sendHostile(t, alerts.Plain, list)
		if !slices.Equal(got.Links, want.Links) || len(got.Mentions) != 0 {
			t.Errorf("links %q mentions %q, want links %q and no mention", got.Links, got.Mentions, want.Links)
		}
		if !slices.Equal(got.Formats, want.Formats) {
			t.Errorf("formatting %q, want %q", got.Formats, want.Formats)
		}
		shown := faketeams.Fold(got.Plain)
		for _, f := range got.Facts {
			shown += "\n" + faketeams.Fold(faketeams.Unescape(f.Value))
		}
		alerts.VisibleValue(t, h.Value, shown)
	})
}

// sendHostile posts the card about h (two alerts for a list) and returns
// what the fake saw.
func sendHostile(t *testing.T, h alerts.Hostile, list bool) faketeams.Message {
	t.Helper()
	fake := newFake(t)
	n := newNotifier(t, mustHook(t, fake.URL(), noLimits), nil)
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), alerts.HostileList(h, list)); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	msgs := fake.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	return msgs[0]
}
