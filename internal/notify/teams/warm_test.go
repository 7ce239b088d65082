package teams

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
)

// A replica taking over a webhook counts the posts the previous owner made
// recently against both of Teams' windows (4 a second, 60 in 30 s,
// stretched): when either is full, the next post waits instead of being
// answered 429; posts older than both count for nothing.
func TestWarm(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		n    int
		ago  time.Duration
		// wait is the least wait expected, 0 for a post sent at once.
		wait time.Duration
	}{
		{"a full half minute 10 s ago", perHalfMinute, 10 * time.Second, 15 * time.Second},
		{"a full second just now", perSecond, 0, 500 * time.Millisecond},
		{"a full second 2 s ago", perSecond, 2 * time.Second, 0},
		{"a full half minute 40 s ago", perHalfMinute, 40 * time.Second, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t)
			n := newNotifier(t, mustHook(t, fake.URL(), Options{}), nil)
			n.Warm(slices.Repeat([]time.Time{time.Now().Add(-tc.ago)}, tc.n))
			_, _, err := n.Notify(alerts.Context(t, 200*time.Millisecond), message(alert.KindFiring, hostDown))
			var throttled *notify.ThrottledError
			switch {
			case tc.wait == 0 && err != nil:
				t.Fatal(err)
			case tc.wait > 0 && (!errors.As(err, &throttled) || throttled.Wait < tc.wait):
				t.Fatalf("want a wait of at least %v: %v", tc.wait, err)
			case tc.wait > 0 && fake.Stats().Requests != 0:
				t.Fatalf("sent although throttled: %+v", fake.Stats())
			}
		})
	}
}
