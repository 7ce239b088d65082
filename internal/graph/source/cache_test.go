package source

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"
)

var (
	// byRule needs the rules API: no expression in the URL.
	byRule = alert(amtemplate.KV{"alertname": "Relabelled"}, nil, "")
	// byURL knows its expression; the rule only adds `for`.
	byURL      = alert(amtemplate.KV{"alertname": "Relabelled"}, nil, promURL("c > 1"))
	errRefused = errors.New("connection refused")
)

func newTestSource(rc *fakeRules, ttl time.Duration) (*Source, *clock) {
	c := &clock{t: time.Date(2026, 11, 21, 4, 0, 0, 0, time.UTC)}
	return New(rc, ttl, c.now), c
}

func find(t *testing.T, s *Source, a amtemplate.Alert) (Found, error) {
	t.Helper()
	return s.Find(context.Background(), a)
}

func TestCacheTTL(t *testing.T) {
	rc := &fakeRules{rules: testRules}
	s, clk := newTestSource(rc, time.Minute)
	for range 5 {
		if _, err := find(t, s, byRule); err != nil {
			t.Fatal(err)
		}
	}
	clk.advance(59 * time.Second)
	find(t, s, byRule)
	if rc.count() != 1 {
		t.Fatalf("%d calls within the TTL, want 1", rc.count())
	}
	clk.advance(time.Second)
	find(t, s, byRule)
	if rc.count() != 2 {
		t.Fatalf("%d calls after the TTL, want 2", rc.count())
	}
	// TTL 0: every Find asks.
	s0, _ := newTestSource(rc, 0)
	find(t, s0, byRule)
	find(t, s0, byRule)
	if rc.count() != 4 {
		t.Errorf("%d calls with TTL 0, want 4", rc.count())
	}
}

// TestConcurrentFindsShareOneCall starts many Finds while the lookup is
// held: they all wait for, and get, the one answer.
func TestConcurrentFindsShareOneCall(t *testing.T) {
	rc := &fakeRules{rules: testRules, block: make(chan struct{})}
	s, _ := newTestSource(rc, time.Minute)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			f, err := find(t, s, byRule)
			if err == nil && f.Expr != "c > 1" {
				err = errors.New("wrong rule: " + f.Expr)
			}
			errs <- err
		})
	}
	for rc.count() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the others queue behind it
	close(rc.block)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if rc.count() != 1 {
		t.Errorf("%d calls, want 1", rc.count())
	}
}

// TestFailure checks that a failed lookup is an error only when the rule
// is the last resort, is not retried for 10s, and that the last good
// answer outlives later failures.
func TestFailure(t *testing.T) {
	rc := &fakeRules{err: errRefused}
	s, clk := newTestSource(rc, time.Hour)
	if _, err := find(t, s, byRule); !errors.Is(err, errRefused) {
		t.Fatalf("err = %v", err)
	}
	f, err := find(t, s, byURL)
	if err != nil || f.Expr != "c > 1" || f.For != 0 {
		t.Fatalf("with the URL: %+v, %v; want the expression, for 0, no error", f, err)
	}
	if rc.count() != 1 {
		t.Fatalf("%d calls, want 1: the failure is remembered", rc.count())
	}
	clk.advance(10 * time.Second)
	rc.set(testRules, nil)
	if f, err := find(t, s, byRule); err != nil || f.For != 3*time.Minute {
		t.Fatalf("after 10s: %+v, %v", f, err)
	}
	// Past the TTL, Prometheus fails again: the old answer still serves.
	clk.advance(time.Hour)
	rc.set(nil, errRefused)
	if f, err := find(t, s, byRule); err != nil || f.For != 3*time.Minute {
		t.Fatalf("stale answer not used: %+v, %v", f, err)
	}
	if rc.count() != 3 {
		t.Errorf("%d calls, want 3", rc.count())
	}
}

// TestSlowRules checks the budget: with the expression known, Find waits
// for a hanging rules API at most half of the time left; without it, Find
// fails at the deadline. The lookup itself carries on and fills the cache.
func TestSlowRules(t *testing.T) {
	rc := &fakeRules{rules: testRules, block: make(chan struct{})}
	s, _ := newTestSource(rc, time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	start := time.Now()
	f, err := s.Find(ctx, byURL)
	if err != nil || f.Expr != "c > 1" || f.For != 0 {
		t.Fatalf("%+v, %v", f, err)
	}
	if d := time.Since(start); d < 150*time.Millisecond || d > 350*time.Millisecond {
		t.Errorf("waited %s for the rules, want about half of 400ms", d)
	}
	if _, err := s.Find(ctx, byRule); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	close(rc.block)
	for {
		f, err := find(t, s, byURL)
		if err != nil {
			t.Fatal(err)
		}
		if f.For == 3*time.Minute {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if rc.count() != 1 {
		t.Errorf("%d calls, want 1 (the detached lookup)", rc.count())
	}
}
