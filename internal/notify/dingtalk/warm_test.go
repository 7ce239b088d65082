package dingtalk

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakedingtalk"
)

// A replica taking over a robot counts the messages the previous owner
// sent in the last minute: when they fill Herald's 19, the next message
// waits for the oldest to leave instead of being DingTalk's 21st. The
// channels of a robot add up; sends older than the window count for
// nothing.
func TestWarm(t *testing.T) {
	t.Parallel()
	full := RobotMessages - safetyMargin
	sends := func(n int, ago time.Duration) []time.Time {
		return slices.Repeat([]time.Time{time.Now().Add(-ago)}, n)
	}
	for _, tc := range []struct {
		name      string
		a, b      []time.Time
		throttled bool
	}{
		{"a full window 10 s ago", sends(full, 10*time.Second), nil, true},
		{"two channels of the robot fill it together", sends(full-5, 10*time.Second), sends(5, 20*time.Second), true},
		{"a place left", sends(full-1, 10*time.Second), nil, false},
		{"a full window 2 min ago", sends(full, 2*time.Minute), nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, fakedingtalk.Config{})
			shared := WithShared(notify.NewShared())
			n := fixed(newNotifier(t, channelConfig(fake), nil, shared), "t", "x")
			n.Warm(tc.a)
			newNotifier(t, channelConfig(fake), nil, shared).Warm(tc.b)
			_, _, err := n.Notify(alerts.Context(t, time.Second), message(alert.KindFiring, cpu()))
			var throttled *notify.ThrottledError
			switch {
			case !tc.throttled && err != nil:
				t.Fatal(err)
			case tc.throttled && (!errors.As(err, &throttled) || throttled.Wait < 30*time.Second):
				t.Fatalf("want a wait until the oldest send leaves the window (40 or 50 s): %v", err)
			case tc.throttled && fake.Stats().Requests != 0:
				t.Fatalf("sent although throttled: %+v", fake.Stats())
			}
		})
	}
}
