package teams

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
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
	for _, h := range alerts.HostileValues {
		for _, list := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/list=%v", h.Name, list), func(t *testing.T) {
				t.Parallel()
				got := sendHostile(t, h, list)
				want := sendHostile(t, alerts.Hostile{Value: "harmless"}, list)
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
				if v := squash(h.Value); !strings.Contains(squash(shown), v) {
					t.Errorf("the card does not show %q:\n%s", v, shown)
				}
			})
		}
	}
}

// sendHostile posts the card about h (two alerts for a list) and returns
// what the fake saw.
func sendHostile(t *testing.T, h alerts.Hostile, list bool) faketeams.Message {
	t.Helper()
	fake := newFake(t)
	n := newNotifier(t, mustHook(t, fake.URL(), noLimits), nil)
	as := []amtemplate.Alert{alerts.HostileAlert(h)}
	if list {
		as = append(as, alerts.HostileAlert(h))
		as[1].Labels["instance"] = "second"
	}
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), alerts.Message(alert.KindFiring, as...)); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	msgs := fake.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	return msgs[0]
}

func squash(s string) string { return strings.Join(strings.Fields(s), "") }
