package dingtalk

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakedingtalk"
)

// scaledWindow is DingTalk's minute scaled down so that the test takes seconds;
// the fake and Herald use the same scale.
const scaledWindow = time.Second

// A burst from three channels sharing one robot never gets "send too
// fast": the robot's limiter spreads it over windows of at most 19.
func TestBurstNeverTooFast(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakedingtalk.Config{Limit: RobotMessages, Window: scaledWindow})
	shared := WithShared(notify.NewShared(WithRobotLimit(fake.WebhookURL(), RobotMessages, scaledWindow)))
	const channels, each = 3, 15
	var wg sync.WaitGroup
	errs := make(chan error, channels*each)
	for range channels {
		n := fixed(newNotifier(t, channelConfig(fake), nil, shared), "t", "x")
		wg.Go(func() {
			for range each {
				if _, _, err := n.Notify(alerts.Context(t, 10*time.Second), message(alert.KindFiring, cpu())); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st := fake.Stats()
	if st.TooFast != 0 || st.OK != channels*each {
		t.Fatalf("stats %+v", st)
	}
	// Herald holds 19 places, each until a scaledWindow after DingTalk's
	// answer, which comes after the fake accepted the message; the slack is
	// for the fake's own timestamps.
	msgs := fake.Messages()
	for i := range msgs {
		j := i + RobotMessages - safetyMargin
		if j < len(msgs) && msgs[j].Received.Sub(msgs[i].Received) < scaledWindow-50*time.Millisecond {
			t.Fatalf("messages %d and %d are %v apart: more than %d in a scaledWindow", i, j,
				msgs[j].Received.Sub(msgs[i].Received), RobotMessages-safetyMargin)
		}
	}
}

// A message of several parts that the robot's scaledWindow cannot take before
// the attempt ends is not started: Herald says how long to wait instead of
// cutting it in the middle.
func TestWholeMessageOrNothing(t *testing.T) {
	// Not parallel: the sends before the throttled one must stay within
	// the window, which a loaded machine can stretch.
	fake := newFake(t, fakedingtalk.Config{Limit: RobotMessages, Window: scaledWindow})
	shared := WithShared(notify.NewShared(WithRobotLimit(fake.WebhookURL(), RobotMessages, scaledWindow)))
	n := fixed(newNotifier(t, channelConfig(fake), nil, shared), "t", "x")
	for range RobotMessages - safetyMargin - 1 {
		if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, cpu())); err != nil {
			t.Fatal(err)
		}
	}
	long := fixed(newNotifier(t, channelConfig(fake), nil, shared), "t", strings.Repeat(strings.Repeat("y", 100)+"\n", 450))
	before := fake.Stats().Requests
	refs, _, err := long.Notify(alerts.Context(t, 200*time.Millisecond), message(alert.KindFiring, cpu()))
	var throttled *notify.ThrottledError
	if !errors.As(err, &throttled) || len(refs) != 0 || throttled.Wait <= 200*time.Millisecond {
		t.Fatalf("refs %v, err %v", refs, err)
	}
	if fake.Stats().Requests != before {
		t.Error("a part was sent")
	}
	// With time enough, it goes out whole.
	refs, _, err = long.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, cpu()))
	if err != nil || len(refs) != 3 {
		t.Fatalf("refs %v, err %v", refs, err)
	}
	if fake.Stats().TooFast != 0 {
		t.Error("too fast")
	}
}
