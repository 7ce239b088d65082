package mattermost

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
)

// A replica taking over counts the posts the previous owner made to the
// server recently against its allowance (a burst of 10, then 9.5 a
// second): when they spent the burst and more, the next post waits; posts
// the pace has caught up with count for nothing.
func TestWarm(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		n    int
		ago  time.Duration
		// wait is the least wait expected, 0 for a post sent at once.
		wait time.Duration
	}{
		{"two bursts just now", 2 * defaultBurst, 0, time.Second},
		{"a burst less one just now", defaultBurst - 1, 0, 0},
		{"two bursts 3 s ago", 2 * defaultBurst, 3 * time.Second, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, unlimited)
			n := newNotifier(t, hookConfig(fake, nil), nil, WithRate(defaultRate()))
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
