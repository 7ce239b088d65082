package telegram

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

// A replica taking over a group's channel counts what the previous owner
// sent to the group in the last minute: with the group's window full, the
// next message waits instead of drawing a 429; sends older than the window
// count for nothing.
func TestWarm(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		ago       time.Duration
		n         int
		throttled bool
	}{
		{"a full group window 10 s ago", 10 * time.Second, 19, true},
		{"a place left", 10 * time.Second, 18, false},
		{"a full window 2 min ago", 2 * time.Minute, 19, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, faketelegram.Limits{})
			cfg := botConfig(fake)
			cfg.RateLimits = config.TelegramRateLimits{PerChat: 1000, PerGroupPerMinute: 20, Global: 1000}
			n := fixed(newNotifier(t, mustBot(t, cfg, nil), channelConfig(groupChat), nil), "x")
			n.Warm(slices.Repeat([]time.Time{time.Now().Add(-tc.ago)}, tc.n))
			_, _, err := n.Notify(alerts.Context(t, time.Second), message(alert.KindFiring, nasty))
			var throttled *notify.ThrottledError
			switch {
			case !tc.throttled && err != nil:
				t.Fatal(err)
			case tc.throttled && (!errors.As(err, &throttled) || throttled.Wait < 30*time.Second):
				t.Fatalf("want a wait until the oldest send leaves the window (~50 s): %v", err)
			case tc.throttled && fake.Stats().OK != 0:
				t.Fatalf("sent although throttled: %+v", fake.Stats())
			}
		})
	}
}
