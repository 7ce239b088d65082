package slack

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakeslack"
)

// scale makes Slack's limits (the fake's) and Herald's allowances this
// many times as fast, margins included, so that checking that Herald
// keeps to them takes a fraction of a second instead of seconds. Herald
// counts a post when it leaves and the fake when it arrives: a latency
// spike of a fifth of a second on a loaded machine could still make
// posts look too close to the fake.
const scale = 5

// slackLimits are the fake's defaults, Slack's documented limits, at scale.
var slackLimits = fakeslack.Limits{}.Scaled(scale)

func labels(i int) amtemplate.KV {
	return amtemplate.KV{"alertname": fmt.Sprintf("A%d", i), "instance": fmt.Sprintf("host-%d", i), "severity": "warning"}
}

func TestWebhookBurstNeverTooFast(t *testing.T) {
	t.Parallel()
	fake := newFake(t, slackLimits)
	// Two Herald channels on one webhook share its limiter.
	shared := notify.NewShared()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for ch := range 2 {
		n, err := New(fmt.Sprintf("ch%d", ch), mustHookConfig(fake), shared, mustTemplates(t), nil, WithRateScale(scale))
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			for i := range 2 {
				if _, _, err := n.Notify(alerts.Context(t, 10*time.Second), message(alert.KindFiring, labels(ch*10+i))); err != nil {
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
	if st := fake.Stats(); st.TooManyRequests != 0 || len(fake.Messages()) != 4 {
		t.Errorf("stats %+v, %d messages", st, len(fake.Messages()))
	}
}

func TestBotBurstWithChartsNeverTooFast(t *testing.T) {
	t.Parallel()
	fake := newFake(t, slackLimits)
	n := botNotifier(t, fake, opsChannel, defaultRates().scaled(scale), nil)
	start := time.Now()
	for i := range 2 {
		refs, _, err := n.Notify(alerts.Context(t, 10*time.Second), withChart(t, message(alert.KindFiring, labels(i)), ""))
		if err != nil || len(refs) != 2 {
			t.Fatalf("message %d: refs %v err %v", i, refs, err)
		}
	}
	if st := fake.Stats(); st.TooManyRequests != 0 {
		t.Errorf("Slack had to say \"too fast\": %+v", st)
	}
	// Four posts to one channel (two messages, two charts) at a little
	// under one a second, at scale.
	if took := time.Since(start); took < 3*time.Second/scale {
		t.Errorf("took %v: Herald went faster than one message a second", took)
	}
}

func TestBotUpdatesKeepToTier3(t *testing.T) {
	t.Parallel()
	// Tier 3 as 3 calls a window; Herald keeps a margin under it, as
	// defaultRates does under 50 a minute. A window counts a call until a
	// window after its answer (see notify.Rate), so latency cannot make
	// calls look closer to the fake: the window can be short.
	const window = 100 * time.Millisecond
	fake := newFake(t, fakeslack.Limits{PerChannel: 1000, Burst: 1000, Tier3: 3, Window: window})
	r := fastRates()
	r.tier3 = notify.Rate{Events: 2, Per: window, Window: true}
	n := botNotifier(t, fake, opsChannel, r, nil)
	var firing [][]notify.Ref
	for i := range 7 {
		refs, _, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, labels(i)))
		if err != nil {
			t.Fatal(err)
		}
		firing = append(firing, refs)
	}
	start := time.Now()
	for i := range 7 {
		m := message(alert.KindResolved, labels(i))
		m.Previous = firing[i]
		if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), m); err != nil {
			t.Fatal(err)
		}
	}
	for i, refs := range firing {
		if m, _ := fake.Message(opsChannel, refs[0].MessageID); len(m.Edits) != 1 {
			t.Errorf("firing message %d not updated", i)
		}
	}
	if st := fake.Stats(); st.TooManyRequests != 0 {
		t.Errorf("stats %+v", st)
	}
	if took := time.Since(start); took < 3*window {
		t.Errorf("7 updates took %v, want 2 a window of %v", took, window)
	}
}

func TestThrottledBeforeSendingAnything(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakeslack.Limits{})
	n := botNotifier(t, fake, opsChannel, defaultRates(), nil)
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, labels(1))); err != nil {
		t.Fatal(err)
	}
	before := fake.Stats().Requests
	// The next post to the channel is a second away; the attempt may last
	// a third of that.
	refs, retry, err := n.Notify(alerts.Context(t, 300*time.Millisecond), withChart(t, message(alert.KindFiring, labels(2)), ""))
	th, ok := errors.AsType[*notify.ThrottledError](err)
	if !ok || !retry || len(refs) != 0 || th.Wait <= 300*time.Millisecond {
		t.Fatalf("refs %v retry %v err %v, want a ThrottledError", refs, retry, err)
	}
	if fake.Stats().Requests != before {
		t.Error("a throttled message sent something")
	}
	// A message and its chart need two turns: with time for one only, the
	// message waits rather than go without its chart.
	refs, _, err = n.Notify(alerts.Context(t, 1500*time.Millisecond), withChart(t, message(alert.KindFiring, labels(3)), ""))
	if _, ok := errors.AsType[*notify.ThrottledError](err); !ok || len(refs) != 0 || fake.Stats().Requests != before {
		t.Fatalf("refs %v err %v: want nothing sent", refs, err)
	}
}

func TestMessageThatCanNeverFitGoesPartByPart(t *testing.T) {
	t.Parallel()
	// Half of Slack's pace: the first post must be answered within the
	// attempt, which a loaded test machine may take a while to do.
	const k = 2
	fake := newFake(t, fakeslack.Limits{}.Scaled(k))
	r := defaultRates().scaled(k)
	n := botNotifier(t, fake, opsChannel, r, nil)
	// Two posts need one turn of the channel's pace; an attempt shorter
	// than that could never take both, so the message goes now and the
	// chart with the next attempt.
	m := withChart(t, message(alert.KindFiring, labels(1)), "")
	refs, retry, err := n.Notify(alerts.Context(t, r.perChannel.Per*9/10), m)
	if _, ok := errors.AsType[*notify.ThrottledError](err); !ok || !retry || len(refs) != 1 {
		t.Fatalf("refs %v retry %v err %v", refs, retry, err)
	}
	// The next attempt waits for the chart's turn in the limiter.
	m.SentParts = 1
	refs, _, err = n.Notify(alerts.Context(t, 5*time.Second), m)
	if err != nil || len(refs) != 1 || refs[0].Part != 1 || len(fake.Files()) != 1 {
		t.Fatalf("refs %v err %v files %d", refs, err, len(fake.Files()))
	}
}
