package feishu

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakefeishu"
)

// A replica taking over a bot counts the messages the previous owner sent
// recently against both of the bot's windows (95 a minute, 4 a second):
// when either is full, the next message waits instead of being Feishu's
// "frequency limited"; sends older than both count for nothing.
func TestWarm(t *testing.T) {
	t.Parallel()
	perMinute, perSecond := DefaultRates()[0].Events, DefaultRates()[1].Events
	for _, tc := range []struct {
		name string
		n    int
		ago  time.Duration
		// wait is the least wait expected, 0 for a message sent at once.
		wait time.Duration
	}{
		{"a full minute 10 s ago", perMinute, 10 * time.Second, 40 * time.Second},
		{"a full second just now", perSecond, 0, 500 * time.Millisecond},
		{"a full second 2 s ago", perSecond, 2 * time.Second, 0},
		{"a full minute 2 min ago", perMinute, 2 * time.Minute, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, fakefeishu.Config{})
			n := fixed(newNotifier(t, channelConfig(fake), nil), "t", "x")
			n.Warm(slices.Repeat([]time.Time{time.Now().Add(-tc.ago)}, tc.n))
			_, _, err := n.Notify(alerts.Context(t, 200*time.Millisecond), message(alert.KindFiring, cpu()))
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
