package wecom

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakewecom"
)

// window is the scaled-down minute of these tests.
const window = time.Second

// limitedFake is a fake with WeCom's 20 messages per (scaled) window.
func limitedFake(t *testing.T) *fakewecom.Server {
	return fakewecom.New(t, fakewecom.Config{Limit: fakewecom.DefaultLimit, Window: window})
}

func alertN(i int) amtemplate.KV {
	return amtemplate.KV{"alertname": fmt.Sprintf("Burst%02d", i), "instance": fmt.Sprintf("host-%02d", i), "severity": "warning"}
}

// Two channels on one robot send a burst of 30 messages (15 alerts, each a
// markdown and a mention) at once: none gets a "too fast" answer, and the
// burst takes more than one window, so the limiter did the pacing.
func TestBurstNeverTooFast(t *testing.T) {
	t.Parallel()
	fake := limitedFake(t)
	robot := mustRobot(t, fake, WithPlatformLimit(fakewecom.DefaultLimit, window))
	cfg := channelConfig(fake)
	cfg.Mention = &Mention{Mobiles: []string{"13800001111"}}
	chans := []*Notifier{newNotifier(t, robot, cfg, nil), newNotifier(t, robot, cfg, nil)}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 15)
	for i := range 15 {
		wg.Go(func() {
			_, _, err := chans[i%2].Notify(alerts.Context(t, 10*time.Second), message(alert.KindFiring, alertN(i)))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	took := time.Since(start)
	st := fake.Stats()
	if st.RateLimited != 0 || st.OK != 30 || len(fake.Messages()) != 30 {
		t.Fatalf("stats %+v", st)
	}
	if took < window {
		t.Errorf("30 messages in %v: the limiter did not pace them", took)
	}
}

// Without Herald's limiter the same burst gets 45009: the fake is strict
// enough for the test above to mean something.
func TestBurstWithoutLimiterIsRefused(t *testing.T) {
	t.Parallel()
	// The fake's window stands still: the 21st message is over its limit
	// however slowly the first 20 go.
	fake := fakewecom.New(t, fakewecom.Config{Limit: fakewecom.DefaultLimit, Window: window,
		RateNow: func() time.Time { return alerts.StartsAt }})
	robot := mustRobot(t, fake, WithPlatformLimit(1000, window))
	n := fixed(newNotifier(t, robot, channelConfig(fake), nil), "x")
	var rateLimited int
	for i := range 25 {
		_, retry, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, alertN(i)))
		var rl *notify.RateLimitError
		if errors.As(err, &rl) && retry && rl.RetryAfter == window {
			rateLimited++
		}
	}
	if rateLimited == 0 || fake.Stats().RateLimited != rateLimited {
		t.Fatalf("%d rate-limited sends, stats %+v", rateLimited, fake.Stats())
	}
}

// A set of messages that does not fit the limit before the attempt's
// deadline is not started: ThrottledError, nothing sent.
func TestThrottledBeforeSending(t *testing.T) {
	// Not parallel: the sends before the throttled one must stay within
	// the window, which a loaded machine can stretch.
	fake := limitedFake(t)
	robot := mustRobot(t, fake, WithPlatformLimit(fakewecom.DefaultLimit, 2*time.Second))
	cfg := channelConfig(fake)
	cfg.Mention = &Mention{All: true}
	n := newNotifier(t, robot, cfg, nil)
	for i := range 9 { // 18 of the 19 messages the window allows
		if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, alertN(i))); err != nil {
			t.Fatal(err)
		}
	}
	refs, retry, err := n.Notify(alerts.Context(t, 300*time.Millisecond), message(alert.KindFiring, alertN(9)))
	var th *notify.ThrottledError
	if !errors.As(err, &th) || !retry || len(refs) != 0 || th.Wait < time.Second {
		t.Fatalf("refs %v retry %v err %v", refs, retry, err)
	}
	if got := len(fake.Messages()); got != 18 {
		t.Errorf("%d messages: part of a throttled set was sent", got)
	}
}

// A message never takes more than one window of the limit: the markdown is
// cut to what fits, with a note of what was left out.
func TestPartsCappedByWindow(t *testing.T) {
	t.Parallel()
	fake := limitedFake(t)
	robot := mustRobot(t, fake, WithPlatformLimit(5, window)) // 4 a window
	cfg := channelConfig(fake)
	cfg.Mention = &Mention{All: true}
	n := newNotifier(t, robot, cfg, nil)
	var labels []amtemplate.KV
	for i := range 100 {
		l := alertN(i)
		l["summary"] = strings.Repeat("磁盘空间不足，请立即处理。", 6)
		labels = append(labels, l)
	}
	m := message(alert.KindFiring, labels...)
	m.Folded = true
	refs, _, err := n.Notify(alerts.Context(t, 5*time.Second), m)
	if err != nil {
		t.Fatal(err)
	}
	md := fake.Markdown()
	if len(refs) != 4 || len(md) != 3 || fake.Messages()[3].Type != "text" {
		t.Fatalf("%d refs, %d markdown messages", len(refs), len(md))
	}
	shown := shownAlerts(strings.Join(md, "\n"), m.Data.Alerts)
	note := fmt.Sprintf("… %d more alerts not shown", 100-shown)
	if shown < 20 || !strings.Contains(md[2], note) {
		t.Errorf("%d alerts shown; last part:\n%s", shown, md[2])
	}
}
