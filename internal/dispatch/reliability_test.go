package dispatch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	promtest "github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testutil"
)

// flakyStore fails Record while failing is set, as a store on a full disk
// does.
type flakyStore struct {
	*store.Store
	failing atomic.Bool
	fails   atomic.Int32
}

func (f *flakyStore) Record(ctx context.Context, o store.Outcome) error {
	if f.failing.Load() {
		f.fails.Add(1)
		return errors.New("commit: database or disk is full (13)")
	}
	return f.Store.Record(ctx, o)
}

// startOn is start with the store, channels and timing of the test's
// choice; the dispatcher runs until the test ends.
func startOn(t *testing.T, st Store, raw *store.Store, setup *Setup) *env {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	reg := prometheus.NewRegistry()
	d := New(st, setup, reg, logger, WithPollInterval(testPoll))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); <-done; raw.Close() }) }
	t.Cleanup(stop)
	return &env{st: raw, d: d, reg: reg, ctx: ctx, stop: stop}
}

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "h.db")
	}
	st, err := store.Open(context.Background(), path, store.Options{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func opsSetup(n notify.Notifier) *Setup {
	return &Setup{Channels: map[string]Channel{"ops": {Notifier: n}},
		InitialBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, MaxAge: time.Hour, Timeout: time.Second}
}

// TestUnrecordedOutcomeIsNotResent checks that a message whose outcome
// cannot be written is not sent again while the write is retried, that the
// rest of the channel waits, and that everything goes out once the store
// takes writes again.
func TestUnrecordedOutcomeIsNotResent(t *testing.T) {
	t.Parallel()
	raw := openStore(t, "")
	fs := &flakyStore{Store: raw}
	fs.failing.Store(true)
	n := &scripted{got: make(chan struct{}, 100)}
	e := startOn(t, fs, raw, opsSetup(n))
	e.n = n
	e.ingest(t, "firing", "a", "b")
	n.wait(t, 1)
	// Let the write fail several times while the dispatcher polls.
	deadline := time.Now().Add(10 * time.Second)
	for fs.fails.Load() < 4 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if fs.fails.Load() < 4 {
		t.Fatalf("only %d failed writes", fs.fails.Load())
	}
	if got := len(n.wait(t, 1)); got != 1 {
		t.Fatalf("%d sends while the outcome could not be written, want 1", got)
	}
	if v := promtest.ToFloat64(e.d.metrics.unrecorded.WithLabelValues("ops")); v != 1 {
		t.Errorf("unrecorded gauge = %v, want 1", v)
	}
	fs.failing.Store(false)
	e.waitCounts(t, map[string]int{"sent": 2})
	msgs := n.wait(t, 2)
	if len(msgs) != 2 || msgs[0].Data.Alerts[0].Fingerprint != "a" || msgs[1].Data.Alerts[0].Fingerprint != "b" {
		t.Fatalf("sent %d messages", len(msgs))
	}
	// The store holds the outcome before the worker counts it: stop the
	// dispatcher (its workers done) before reading the counts.
	e.stop()
	if v := promtest.ToFloat64(e.d.metrics.deliveries.WithLabelValues("ops", OutcomeSuccess)); v != 2 {
		t.Errorf("success metric %v, want 2", v)
	}
	if v := promtest.ToFloat64(e.d.metrics.unrecorded.WithLabelValues("ops")); v != 0 {
		t.Errorf("unrecorded gauge = %v after recovery", v)
	}
}

// TestDiskFullWhileDelivering runs the real store on a small tmpfs that
// fills up between a send and the record of its outcome.
func TestDiskFullWhileDelivering(t *testing.T) {
	dir := testutil.Tmpfs(t, 4<<20)
	raw := openStore(t, filepath.Join(dir, "herald.db"))
	var free func()
	n := &scripted{got: make(chan struct{}, 100)}
	n.answer = func(i int, m *notify.Message) ([]notify.Ref, bool, error) {
		if i == 1 {
			free = testutil.FillDisk(t, dir)
		}
		return []notify.Ref{{MessageID: fmt.Sprint(i)}}, false, nil
	}
	e := startOn(t, raw, raw, opsSetup(n))
	e.n = n
	e.ingest(t, "firing", "a", "b", "c")
	n.wait(t, 1)
	deadline := time.Now().Add(10 * time.Second)
	for promtest.ToFloat64(e.d.metrics.unrecorded.WithLabelValues("ops")) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if promtest.ToFloat64(e.d.metrics.unrecorded.WithLabelValues("ops")) == 0 {
		t.Fatal("the outcome was written on a full disk; the test did not fill it")
	}
	if err := raw.Ping(context.Background()); err == nil {
		t.Error("store ready on a full disk")
	}
	time.Sleep(20 * testPoll) // many polls: nothing may be sent again
	if got := len(n.wait(t, 1)); got != 1 {
		t.Fatalf("%d sends on a full disk, want 1", got)
	}
	free()
	e.waitCounts(t, map[string]int{"sent": 3})
	seen := map[string]int{}
	for _, m := range n.wait(t, 3) {
		seen[m.Data.Alerts[0].Fingerprint]++
	}
	if len(seen) != 3 || seen["a"] != 1 || seen["b"] != 1 || seen["c"] != 1 {
		t.Fatalf("sent %v, want each once", seen)
	}
}

// TestRemovedChannelKeepsDeliveries checks that a reload without a channel
// keeps its deliveries pending (and counted) until it comes back.
func TestRemovedChannelKeepsDeliveries(t *testing.T) {
	t.Parallel()
	raw := openStore(t, "")
	n := &scripted{got: make(chan struct{}, 100)}
	setup := opsSetup(n)
	e := startOn(t, raw, raw, &Setup{Channels: map[string]Channel{}, MaxAge: time.Hour, Timeout: time.Second})
	e.n = n
	e.ingest(t, "firing", "a", "b", "c")
	deadline := time.Now().Add(10 * time.Second)
	for promtest.ToFloat64(e.d.metrics.orphaned.WithLabelValues("ops")) != 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if v := promtest.ToFloat64(e.d.metrics.orphaned.WithLabelValues("ops")); v != 3 {
		t.Fatalf("unconfigured-channel gauge = %v, want 3", v)
	}
	if got, _ := raw.Counts(context.Background()); got["pending"] != 3 || got["failed"] != 0 {
		t.Fatalf("counts %v while the channel is gone, want 3 pending", got)
	}
	e.d.Update(setup)
	e.waitCounts(t, map[string]int{"sent": 3})
	if got := len(n.wait(t, 3)); got != 3 {
		t.Fatalf("%d sends, want 3", got)
	}
	deadline = time.Now().Add(5 * time.Second)
	for promtest.CollectAndCount(e.d.metrics.orphaned) != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if c := promtest.CollectAndCount(e.d.metrics.orphaned); c != 0 {
		t.Errorf("unconfigured-channel gauge still has %d series", c)
	}
}

// TestRemovedChannelExpires checks that deliveries of a channel that stays
// gone are given up after delivery.max_age, and counted as expired.
func TestRemovedChannelExpires(t *testing.T) {
	t.Parallel()
	raw := openStore(t, "")
	e := startOn(t, raw, raw, &Setup{Channels: map[string]Channel{}, MaxAge: time.Millisecond, Timeout: time.Second})
	e.n = &scripted{got: make(chan struct{}, 1)}
	e.ingest(t, "firing", "a", "b")
	e.waitCounts(t, map[string]int{"failed": 2})
	if v := promtest.ToFloat64(e.d.metrics.deliveries.WithLabelValues("ops", OutcomeExpired)); v != 2 {
		t.Errorf("expired metric %v, want 2", v)
	}
}

// TestChannelBacksOffDuringOutage checks that a failing platform is not
// hit by each waiting alert in turn: the channel waits between attempts,
// growing, and every alert still goes out once the platform is back.
func TestChannelBacksOffDuringOutage(t *testing.T) {
	t.Parallel()
	raw := openStore(t, "")
	var mu sync.Mutex
	var at []time.Time
	var failed []bool
	var up atomic.Bool
	n := &scripted{got: make(chan struct{}, 1000)}
	n.answer = func(i int, m *notify.Message) ([]notify.Ref, bool, error) {
		mu.Lock()
		down := !up.Load()
		at = append(at, time.Now())
		failed = append(failed, down)
		mu.Unlock()
		if down {
			return nil, true, &notify.HTTPError{StatusCode: 500}
		}
		return []notify.Ref{{MessageID: fmt.Sprint(i)}}, false, nil
	}
	setup := opsSetup(n)
	setup.InitialBackoff, setup.MaxBackoff = 100*time.Millisecond, 400*time.Millisecond
	e := startOn(t, raw, raw, setup)
	e.n = n
	e.ingest(t, "firing", "a", "b", "c", "d", "e")
	n.wait(t, 5)
	up.Store(true)
	e.waitCounts(t, map[string]int{"sent": 5})
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i < len(at); i++ {
		// backoffFor jitters by ±20%; the smallest channel pause is 80ms.
		if gap := at[i].Sub(at[i-1]); failed[i-1] && gap < 80*time.Millisecond {
			t.Errorf("attempt %d came %v after the previous failed one; the channel must back off", i+1, gap)
		}
	}
	if len(at) < 10 {
		t.Errorf("%d attempts, want at least 5 failed and 5 sent", len(at))
	}
}
