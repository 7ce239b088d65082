package wecom

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
)

// A replica taking over a robot counts the messages the previous owner
// sent in the last minute: when they fill Herald's 19, the next message
// waits for the oldest to leave instead of being WeCom's 21st; sends older
// than the window count for nothing.
func TestWarm(t *testing.T) {
	t.Parallel()
	full := int(PlatformMessages * safetyMargin)
	for _, tc := range []struct {
		name      string
		n         int
		ago       time.Duration
		throttled bool
	}{
		{"a full window 10 s ago", full, 10 * time.Second, true},
		{"a place left", full - 1, 10 * time.Second, false},
		{"a full window 2 min ago", full, 2 * time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t)
			n := fixed(newNotifier(t, mustRobot(t, fake), channelConfig(fake), nil), "x")
			n.Warm(slices.Repeat([]time.Time{time.Now().Add(-tc.ago)}, tc.n))
			_, _, err := n.Notify(alerts.Context(t, time.Second), message(alert.KindFiring, alertN(1)))
			var throttled *notify.ThrottledError
			switch {
			case !tc.throttled && err != nil:
				t.Fatal(err)
			case tc.throttled && (!errors.As(err, &throttled) || throttled.Wait < 40*time.Second):
				t.Fatalf("want a wait of about 50 s: %v", err)
			case tc.throttled && fake.Stats().Requests != 0:
				t.Fatalf("sent although throttled: %+v", fake.Stats())
			}
		})
	}
}
