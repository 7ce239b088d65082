package discord

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakediscord"
)

// A replica taking over a webhook counts the requests the previous owner
// made recently against both of its windows (5 in 2.1 s, 28 a minute):
// when either is full, the next message waits instead of being answered
// 429; requests older than both count for nothing.
func TestWarm(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		n    int
		ago  time.Duration
		// wait is the least wait expected, 0 for a message sent at once.
		wait time.Duration
	}{
		{"a full minute 10 s ago", channelPerMin, 10 * time.Second, 40 * time.Second},
		{"a full bucket just now", webhookBurst, 0, time.Second},
		{"a full bucket 3 s ago", webhookBurst, 3 * time.Second, 0},
		{"a full minute 2 min ago", channelPerMin, 2 * time.Minute, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, fakediscord.Limits{Unlimited: true})
			n := newNotifier(t, testWebhook(t, fake.URL(), nil), nil, nil)
			n.Warm(slices.Repeat([]time.Time{time.Now().Add(-tc.ago)}, tc.n))
			_, _, err := n.Notify(alerts.Context(t, 200*time.Millisecond), message(alert.KindFiring, mkAlert("HostDown", "critical", "node-1")))
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
