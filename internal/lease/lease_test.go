package lease

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testutil"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "herald.db"), store.Options{},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// singleton counts how many holders run at once.
type singleton struct {
	running, most atomic.Int32
	runs          atomic.Int32
}

func (s *singleton) fn(ctx context.Context, _ store.LeaseToken) {
	n := s.running.Add(1)
	s.runs.Add(1)
	for {
		m := s.most.Load()
		if n <= m || s.most.CompareAndSwap(m, n) {
			break
		}
	}
	<-ctx.Done()
	s.running.Add(-1)
}

// Three processes campaign for one lease: one runs at a time; when the
// holder stops, another takes over at once (the lease is released), and
// its Token says so.
func TestOneHolderAtATime(t *testing.T) {
	st := openStore(t)
	const ttl = 800 * time.Millisecond
	var s singleton
	ls := make([]*Lease, 3)
	cancels := make([]context.CancelFunc, 3)
	var wg sync.WaitGroup
	for i := range ls {
		ls[i] = New(st, "dispatch", Holder(), ttl, nil, discard)
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i] = cancel
		wg.Go(func() { ls[i].Run(ctx, s.fn) })
	}
	defer func() {
		for _, c := range cancels {
			c()
		}
		wg.Wait()
	}()
	holder := func() int {
		h := -1
		for i, l := range ls {
			if l.Leading() {
				if h >= 0 {
					t.Fatalf("processes %d and %d both lead", h, i)
				}
				h = i
			}
		}
		return h
	}
	var first int
	testutil.Poll(t, 5*time.Second, "a holder", func() bool { first = holder(); return first >= 0 })
	tok, _ := ls[first].Token()
	start := time.Now()
	cancels[first]()
	var next int
	testutil.Poll(t, 5*time.Second, "another holder", func() bool { next = holder(); return next >= 0 && next != first })
	took := time.Since(start)
	tok2, _ := ls[next].Token()
	if tok2.Epoch <= tok.Epoch {
		t.Errorf("epoch %d after %d: the fencing token did not grow", tok2.Epoch, tok.Epoch)
	}
	// Released at once: the next one is in within its campaign interval.
	if took > ttl {
		t.Errorf("takeover after a release took %v, want within %v", took, ttl/4)
	}
	if s.most.Load() != 1 {
		t.Errorf("%d holders ran at once", s.most.Load())
	}
	t.Logf("takeover after a release: %v", took)
}

// stuck is a store whose calls hang, as a database that stopped
// answering: the holder must stop by its deadline on its own.
type stuck struct {
	Store
	hang atomic.Bool
}

func (s *stuck) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (store.LeaseToken, bool, error) {
	if s.hang.Load() {
		<-ctx.Done()
		return store.LeaseToken{}, false, ctx.Err()
	}
	return s.Store.AcquireLease(ctx, name, holder, ttl)
}

func (s *stuck) RenewLease(ctx context.Context, tok store.LeaseToken, ttl time.Duration) (bool, error) {
	if s.hang.Load() {
		<-ctx.Done()
		return false, ctx.Err()
	}
	return s.Store.RenewLease(ctx, tok, ttl)
}

// A holder whose renewals hang stops acting at its deadline, before its
// lease ends in the store; another process takes over once it has ended,
// with a new epoch, and the first one's token no longer claims anything.
func TestStuckHolderStopsBeforeTheLeaseEnds(t *testing.T) {
	st := openStore(t)
	const ttl = time.Second
	s1 := &stuck{Store: st}
	l1 := New(s1, "dispatch", "one", ttl, nil, discard)
	stopped := make(chan time.Time, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go l1.Run(ctx, func(ctx context.Context, _ store.LeaseToken) {
		<-ctx.Done()
		stopped <- time.Now()
	})
	testutil.Poll(t, 5*time.Second, "the first to lead", l1.Leading)
	tok1, _ := l1.Token()
	s1.hang.Store(true)
	hungAt := time.Now()
	at := <-stopped
	if l1.Leading() {
		t.Error("still leading after it stopped")
	}
	leases, err := st.Leases(context.Background())
	if err != nil || len(leases) != 1 {
		t.Fatalf("leases: %v %v", leases, err)
	}
	if !at.Before(leases[0].Expires) {
		t.Errorf("stopped at %v, after its lease ended at %v", at, leases[0].Expires)
	}
	t.Logf("stopped %v after renewals began to hang, %v before the lease ended",
		at.Sub(hungAt).Round(time.Millisecond), leases[0].Expires.Sub(at).Round(time.Millisecond))

	l2 := New(st, "dispatch", "two", ttl, nil, discard)
	go l2.Run(ctx, func(ctx context.Context, _ store.LeaseToken) { <-ctx.Done() })
	testutil.Poll(t, 5*time.Second, "the second to lead", l2.Leading)
	tok2, _ := l2.Token()
	if tok2.Epoch != tok1.Epoch+1 {
		t.Errorf("epoch %d after %d", tok2.Epoch, tok1.Epoch)
	}
	if ok, err := st.Claim(context.Background(), tok1, 0, nil); err != nil || ok {
		t.Errorf("the stale token still claims: %v %v", ok, err)
	}
}
