package notify

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// arrivals is a fake platform that counts requests when they arrive, as
// DingTalk, WeCom and Discord do: a request spends latency on the way,
// then arrives and is answered at once.
type arrivals struct {
	mu    sync.Mutex
	times []time.Time
}

func (p *arrivals) send(latency time.Duration) {
	time.Sleep(latency)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.times = append(p.times, time.Now())
}

// most is the largest number of arrivals in any interval of length per.
func (p *arrivals) most(per time.Duration) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	ts := slices.SortedFunc(slices.Values(p.times), time.Time.Compare)
	most := 0
	for i := range ts {
		j := i
		for j < len(ts) && ts[j].Sub(ts[i]) < per {
			j++
		}
		most = max(most, j-i)
	}
	return most
}

// burst sends 9 requests at once through a window of 3 per per; the first
// to leave is slow to arrive (a TLS handshake), the others quick. With
// answered set, each request is released when its answer is in; without,
// as soon as it leaves (Wait).
func burst(t *testing.T, per time.Duration, answered bool) *arrivals {
	l := NewLimiter()
	r := Rate{Events: 3, Per: per, Window: true}
	var p arrivals
	var seq atomic.Int32
	var wg sync.WaitGroup
	for range 9 {
		wg.Go(func() {
			release := func() {}
			var err error
			if answered {
				release, err = l.Acquire(ctxT(t, 5*time.Second), "robot", r)
			} else {
				err = l.Wait(ctxT(t, 5*time.Second), "robot", r)
			}
			if err != nil {
				t.Error(err)
				return
			}
			latency := time.Duration(0)
			if seq.Add(1) == 1 {
				latency = per * 3 / 4
			}
			p.send(latency)
			release()
		})
	}
	wg.Wait()
	return &p
}

// A burst whose first request is slow never puts more than the window's
// allowance into any window of the platform when requests count until
// their answer. Counted from departure, the same burst bunches up: the
// fake would object, so the first half means something.
func TestSlowFirstAnswerNeverBunchesArrivals(t *testing.T) {
	const per = 200 * time.Millisecond
	if got := burst(t, per, true).most(per); got > 3 {
		t.Errorf("%d arrivals in one window of 3, counting until the answer", got)
	}
	if got := burst(t, per, false).most(per); got <= 3 {
		t.Errorf("counted from departure, at most %d arrivals in a window: the fake proves nothing", got)
	}
}

// A request counts until a period after its answer, not after it left: a
// slow answer delays the next window by as much, and while requests are
// in flight they count as answered now.
func TestAcquireCountsFromTheAnswer(t *testing.T) {
	const per = 200 * time.Millisecond
	l := NewLimiter()
	r := Rate{Events: 2, Per: per, Window: true}
	a, _ := l.Acquire(ctxT(t, time.Second), "k", r)
	b, _ := l.Acquire(ctxT(t, time.Second), "k", r)
	_, err := l.Acquire(ctxT(t, 50*time.Millisecond), "k", r)
	var throttled *ThrottledError
	if !errors.As(err, &throttled) || throttled.Wait != per {
		t.Fatalf("while in flight: %v", err)
	}
	if d := l.Delay("k", 1, r); d != per {
		t.Errorf("Delay(1) = %v while in flight, want %v", d, per)
	}
	time.Sleep(per * 3 / 2) // slower than a window
	if d := l.Delay("k", 1, r); d != per {
		t.Errorf("Delay(1) = %v still in flight after a window, want %v", d, per)
	}
	answered := time.Now()
	a()
	b()
	b() // a second release changes nothing
	if d := l.Delay("k", 2, r); d < per-10*time.Millisecond || d > per {
		t.Errorf("Delay(2) = %v, want about %v", d, per)
	}
	if _, err := l.Acquire(ctxT(t, time.Second), "k", r); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(answered); waited < per {
		t.Errorf("next request %v after the answer, want at least %v", waited, per)
	}
}

// A waiter for a request in flight waits for its answer and then for it
// to leave the window.
func TestAcquireWaitsForInFlight(t *testing.T) {
	const per = 100 * time.Millisecond
	l := NewLimiter(Rate{Events: 1, Per: per, Window: true})
	release, _ := l.Acquire(ctxT(t, time.Second), "")
	go func() {
		time.Sleep(per / 2)
		release()
	}()
	start := time.Now()
	if err := l.Wait(ctxT(t, time.Second), ""); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < per*3/2-5*time.Millisecond {
		t.Errorf("acquired after %v, want about %v", took, per*3/2)
	}
}

// A bucket is a pace: it takes its token when the request leaves and does
// not wait for answers.
func TestBucketCountsFromDeparture(t *testing.T) {
	l := NewLimiter()
	r := Rate{Events: 10, Per: time.Second, Burst: 1}
	if _, err := l.Acquire(ctxT(t, time.Second), "k", r); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := l.Acquire(ctxT(t, time.Second), "k", r); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 90*time.Millisecond || took > 300*time.Millisecond {
		t.Errorf("second request after %v with the first in flight, want 100ms", took)
	}
}

// A request takes its places in every allowance or in none: one throttled
// by the global allowance leaves its key's allowance as it was.
func TestAcquireTakesAllOrNothing(t *testing.T) {
	const per = 200 * time.Millisecond
	l := NewLimiter(Rate{Events: 1, Per: per, Window: true})
	key := Rate{Events: 1, Per: time.Hour, Window: true}
	if err := l.Wait(ctxT(t, time.Second), "a"); err != nil {
		t.Fatal(err)
	}
	var throttled *ThrottledError
	if _, err := l.Acquire(ctxT(t, 50*time.Millisecond), "b", key); !errors.As(err, &throttled) {
		t.Fatalf("global allowance spent: %v", err)
	}
	time.Sleep(per)
	if d := l.Delay("b", 1, key); d != 0 {
		t.Errorf("key b's hourly place was taken by a throttled request: next in %v", d)
	}
}

// A pause the platform asked for holds its key back: Acquire waits for it
// or refuses at once, Delay and Paused say how long. A shorter pause does
// not shorten it, other keys go on, and a pause before a key's first
// request does not lose the key's rates.
func TestPause(t *testing.T) {
	const pause = 200 * time.Millisecond
	l := NewLimiter()
	r := Rate{Events: 1, Per: time.Hour, Window: true}
	l.Pause("k", time.Now().Add(pause))
	l.Pause("k", time.Now())
	if d := l.Paused("k"); d < pause-20*time.Millisecond || d > pause {
		t.Fatalf("Paused = %v, want about %v", d, pause)
	}
	if d := l.Delay("k", 1, r); d < pause-20*time.Millisecond || d > pause {
		t.Errorf("Delay = %v, want about %v", d, pause)
	}
	var throttled *ThrottledError
	if _, err := l.Acquire(ctxT(t, 50*time.Millisecond), "k", r); !errors.As(err, &throttled) || throttled.Wait < pause-20*time.Millisecond {
		t.Fatalf("paused past the deadline: %v", err)
	}
	if err := l.Wait(ctxT(t, 50*time.Millisecond), "other", r); err != nil {
		t.Errorf("another key is paused too: %v", err)
	}
	start := time.Now()
	if err := l.Wait(ctxT(t, time.Second), "k", r); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < pause-30*time.Millisecond {
		t.Errorf("went %v into a pause of %v", took, pause)
	}
	if d := l.Paused("k"); d != 0 {
		t.Errorf("still paused for %v", d)
	}
	if d := l.Delay("k", 1, r); d < 59*time.Minute {
		t.Errorf("the rates given after the pause were lost: next in %v", d)
	}
}

// A cancelled wait takes nothing.
func TestAcquireCancelled(t *testing.T) {
	l := NewLimiter()
	r := Rate{Events: 1, Per: 100 * time.Millisecond, Window: true}
	_ = l.Wait(context.Background(), "k", r)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	if _, err := l.Acquire(ctx, "k", r); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	time.Sleep(100 * time.Millisecond)
	if d := l.Delay("k", 1, r); d != 0 {
		t.Errorf("a cancelled request holds a place: next in %v", d)
	}
}
