package feishu

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakefeishu"
)

// A burst from three channels sharing one bot, through one notify.Shared, never
// gets "frequency limited": Feishu's minute and second scaled down, and
// Herald's rates with them.
func TestBurstNeverTooFast(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakefeishu.Config{PerMinute: 20, PerSecond: 5, Minute: 2 * time.Second, Second: 200 * time.Millisecond})
	shared := notify.NewShared(WithRates(notify.Rate{Events: 19, Per: 2 * time.Second, Window: true}, notify.Rate{Events: 4, Per: 200 * time.Millisecond, Window: true}))
	const channels, each = 3, 8
	var wg sync.WaitGroup
	errs := make(chan error, channels*each)
	for range channels {
		n := fixed(newNotifier(t, channelConfig(fake), nil, WithShared(shared)), "t", "x")
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
	if st := fake.Stats(); st.TooFast != 0 || st.OK != channels*each {
		t.Fatalf("stats %+v", st)
	}
}

// Feishu's "frequency limited" (11232 in an HTTP 200) is a rate limit:
// the error says to wait TooFastPause, and every channel of the bot that
// shares the state pauses meanwhile without sending anything.
func TestTooFastPausesTheBot(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakefeishu.Config{})
	shared := notify.NewShared()
	var logs alerts.LogBuffer
	a := fixed(newNotifier(t, channelConfig(fake), logs.Logger(), WithShared(shared)), "t", "x")
	b := fixed(newNotifier(t, channelConfig(fake), nil, WithShared(shared)), "t", "x")
	fake.FailNextCode(1, CodeTooFast, "frequency limited")
	_, retry, err := a.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, cpu()))
	var rl *notify.RateLimitError
	if !retry || !errors.As(err, &rl) || rl.RetryAfter != TooFastPause {
		t.Fatalf("retry %v, err %v", retry, err)
	}
	if !strings.Contains(logs.String(), "another program") {
		t.Errorf("no warning:\n%s", logs.String())
	}
	requests := fake.Stats().Requests
	_, retry, err = b.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, cpu()))
	var throttled *notify.ThrottledError
	if !retry || !errors.As(err, &throttled) || throttled.Wait <= 0 || throttled.Wait > TooFastPause {
		t.Fatalf("other channel of the bot: %v", err)
	}
	if fake.Stats().Requests != requests {
		t.Error("a paused bot sent a request")
	}
	// A channel of another Shared (another Herald) knows nothing of it.
	if _, _, err := fixed(newNotifier(t, channelConfig(fake), nil), "t", "x").Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, cpu())); err != nil {
		t.Errorf("unshared notifier: %v", err)
	}
}

// When the bot's window cannot take a message before the attempt's
// deadline, Notify says how long to wait instead of holding the worker.
func TestThrottledBeforeDeadline(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakefeishu.Config{Unlimited: true})
	shared := notify.NewShared(WithRates(notify.Rate{Events: 1, Per: time.Second, Window: true}))
	n := fixed(newNotifier(t, channelConfig(fake), nil, WithShared(shared)), "t", "x")
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, cpu())); err != nil {
		t.Fatal(err)
	}
	_, retry, err := n.Notify(alerts.Context(t, 100*time.Millisecond), message(alert.KindFiring, cpu()))
	var throttled *notify.ThrottledError
	if !retry || !errors.As(err, &throttled) || fake.Stats().Requests != 1 {
		t.Fatalf("retry %v, err %v, requests %d", retry, err, fake.Stats().Requests)
	}
}

// The tenant token is fetched once, shared by the channels of the app,
// replaced before it expires on Herald's clock, and replaced at once when
// Feishu refuses it (99991663) although Herald thought it good.
func TestTenantToken(t *testing.T) {
	t.Parallel()
	clk := newClock(now)
	fake := newFake(t, fakefeishu.Config{Now: clk.Now})
	shared := notify.NewShared()
	mk := func() *Notifier {
		return fixed(newNotifier(t, withApp(channelConfig(fake)), nil, WithShared(shared), WithClock(clk.Now)), "t", "x")
	}
	a, b := mk(), mk()
	chart := func(i int) *notify.Message {
		m := message(alert.KindFiring, cpu())
		m.Image = &notify.Image{PNG: append(append([]byte(nil), png...), byte(i))}
		return m
	}
	send := func(n *Notifier, i int) {
		t.Helper()
		if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), chart(i)); err != nil {
			t.Fatal(err)
		}
		if ms := fake.Messages(); len(ms[len(ms)-1].ImageKeys) != 1 {
			t.Fatalf("message %d has no image", i)
		}
	}
	send(a, 1)
	send(b, 2)
	if st := fake.Stats(); st.TokenRequests != 1 || st.Uploads != 2 {
		t.Fatalf("stats %+v", st)
	}
	// Two hours on: Herald knows the token is over and fetches another
	// before uploading.
	clk.Add(2 * time.Hour)
	send(a, 3)
	if st := fake.Stats(); st.TokenRequests != 2 || st.Uploads != 3 || st.Codes[CodeTokenInvalid] != 0 {
		t.Fatalf("after expiry: stats %+v", st)
	}
	// Feishu drops it early: one refused upload, a new token, the upload.
	fake.ExpireTokens()
	send(b, 4)
	if st := fake.Stats(); st.TokenRequests != 3 || st.Uploads != 5 || st.Codes[CodeTokenInvalid] != 1 {
		t.Fatalf("after revocation: stats %+v", st)
	}
}
