package slack

import (
	"errors"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
)

// A replica taking over counts the posts the previous owner made to the
// Slack channel or webhook against its pace (one a second, less the
// margin): a post just now makes the next one wait; one two seconds ago
// counts for nothing.
func TestWarm(t *testing.T) {
	t.Parallel()
	for _, bot := range []bool{false, true} {
		for _, tc := range []struct {
			ago       time.Duration
			throttled bool
		}{{0, true}, {2 * time.Second, false}} {
			name := "webhook"
			if bot {
				name = "bot"
			}
			t.Run(name+"/"+tc.ago.String(), func(t *testing.T) {
				t.Parallel()
				fake := newFake(t, unlimited)
				n := hookNotifier(t, fake, defaultRates(), nil)
				if bot {
					n = botNotifier(t, fake, opsChannel, defaultRates(), nil)
				}
				n.Warm([]time.Time{time.Now().Add(-tc.ago)})
				_, _, err := n.Notify(alerts.Context(t, 200*time.Millisecond), message(alert.KindFiring, labels(1)))
				var throttled *notify.ThrottledError
				switch {
				case !tc.throttled && err != nil:
					t.Fatal(err)
				case tc.throttled && (!errors.As(err, &throttled) || throttled.Wait < 800*time.Millisecond):
					t.Fatalf("want a wait of about a second: %v", err)
				case tc.throttled && fake.Stats().Requests != 0:
					t.Fatalf("sent although throttled: %+v", fake.Stats())
				}
			})
		}
	}
}
