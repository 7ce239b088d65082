package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil"
)

// acquire takes lease name for holder, failing the test on an error.
func acquire(t *testing.T, s *Store, name, holder string, ttl time.Duration) (LeaseToken, bool) {
	t.Helper()
	tok, ok, err := s.AcquireLease(context.Background(), name, holder, ttl)
	if err != nil {
		t.Fatalf("acquire %s for %s: %v", name, holder, err)
	}
	return tok, ok
}

func renew(t *testing.T, s *Store, tok LeaseToken, ttl time.Duration) bool {
	t.Helper()
	ok, err := s.RenewLease(context.Background(), tok, ttl)
	if err != nil {
		t.Fatalf("renew %s: %v", tok, err)
	}
	return ok
}

// leaseInfo returns the lease name as Leases lists it.
func leaseInfo(t *testing.T, s *Store, name string) LeaseInfo {
	t.Helper()
	ls, err := s.Leases(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.Name == name {
			return l
		}
	}
	t.Fatalf("lease %s not listed in %+v", name, ls)
	return LeaseInfo{}
}

// TestLeaseHolders walks one lease through its holders: acquired free,
// refused while held, renewed, taken over once it expired (the old holder's
// renewal then fails), released and taken again at once; every new holder
// a new epoch. Two stores on one database are two replicas.
func TestLeaseHolders(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "h.db")
	a, b := openTest(t, path), openTest(t, path)
	ctx := context.Background()
	const name = "dispatcher"

	ta, ok := acquire(t, a, name, "A", time.Minute)
	if !ok || ta != (LeaseToken{Name: name, Holder: "A", Epoch: 1}) {
		t.Fatalf("free lease: %+v %v, want A/1", ta, ok)
	}
	if l := leaseInfo(t, b, name); l.LeaseToken != ta || l.Expires.Sub(l.Acquired) != time.Minute {
		t.Fatalf("listed %+v, want %s acquired for 1m", l, ta)
	}
	if tok, ok := acquire(t, b, name, "B", time.Minute); ok {
		t.Fatalf("B acquired a held lease: %s", tok)
	}
	// The holder may take its own live lease again (an earlier attempt
	// committed after it gave up waiting): a new epoch, which fences off
	// the first.
	old := ta
	if ta, ok = acquire(t, a, name, "A", time.Minute); !ok || ta.Epoch != 2 {
		t.Fatalf("the holder taking its own lease again: %s %v, want A/2", ta, ok)
	}
	if renew(t, a, old, time.Minute) {
		t.Fatal("the holding that was taken again still renews")
	}

	// The holder renews with a short ttl and then stops renewing.
	const ttl = 300 * time.Millisecond
	if !renew(t, a, ta, ttl) {
		t.Fatal("the holder's renewal failed")
	}
	renewed := leaseInfo(t, b, name)
	if renewed.LeaseToken != ta || !renewed.Expires.After(renewed.Acquired) {
		t.Fatalf("after renewal %+v", renewed)
	}
	// The end is by the database's clock, which is this host's.
	testutil.Poll(t, 10*time.Second, "the renewed lease to end", func() bool { return time.Now().After(renewed.Expires) })
	if renew(t, a, ta, time.Minute) {
		t.Fatal("the holder renewed a lease that had ended")
	}
	tb, ok := acquire(t, b, name, "B", time.Minute)
	if !ok || tb != (LeaseToken{Name: name, Holder: "B", Epoch: 3}) {
		t.Fatalf("takeover of the ended lease: %s %v, want B/3", tb, ok)
	}
	took := leaseInfo(t, a, name)
	if took.Acquired.Before(renewed.Expires) {
		t.Fatalf("B took the lease at %v, before A's holding ended at %v", took.Acquired, renewed.Expires)
	}
	if renew(t, a, ta, time.Minute) {
		t.Fatal("the old holder renewed a lease another took over")
	}
	// A lost holding released is left alone.
	if err := a.ReleaseLease(ctx, ta); err != nil {
		t.Fatal(err)
	}
	if l := leaseInfo(t, a, name); l != took {
		t.Fatalf("releasing a lost holding changed the lease: %+v, was %+v", l, took)
	}

	if err := b.ReleaseLease(ctx, tb); err != nil {
		t.Fatal(err)
	}
	ta, ok = acquire(t, a, name, "A", 2*time.Minute)
	if !ok || ta.Epoch != 4 {
		t.Fatalf("after release: %s %v, want A/4 at once", ta, ok)
	}
	if renew(t, b, tb, time.Minute) {
		t.Fatal("a released holding was renewed")
	}

	if _, ok := acquire(t, b, "poller", "B", time.Minute); !ok {
		t.Fatal("a second lease is not free")
	}
	ls, err := b.Leases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range ls {
		got = append(got, fmt.Sprintf("%s %s %v", l.Name, l.LeaseToken, l.Expires.Sub(l.Acquired)))
	}
	if want := []string{"dispatcher A/4 2m0s", "poller B/1 1m0s"}; !slices.Equal(got, want) {
		t.Fatalf("Leases %q, want %q", got, want)
	}
}

// claimedBy returns who claimed each of ids last ("" for no one).
func claimedBy(t *testing.T, s *Store, ids ...int64) []string {
	t.Helper()
	var out []string
	for _, id := range ids {
		var by string
		if err := s.read.QueryRow(`SELECT claimed_by FROM deliveries WHERE id = $1`, id).Scan(&by); err != nil {
			t.Fatal(err)
		}
		out = append(out, by)
	}
	return out
}

func claim(t *testing.T, s *Store, tok LeaseToken, margin time.Duration, ids ...int64) bool {
	t.Helper()
	ok, err := s.Claim(context.Background(), tok, margin, ids)
	if err != nil {
		t.Fatalf("claim by %s: %v", tok, err)
	}
	return ok
}

// TestClaimFence checks the fence of sending: only the current holder,
// with enough of its lease left, claims, and only deliveries still pending,
// all of a batch or none.
func TestClaimFence(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "h.db")
	a, b := openTest(t, path), openTest(t, path)
	ctx := context.Background()
	ingest(t, a, notification("firing", mkAlert("x", "firing", t0), mkAlert("y", "firing", t0), mkAlert("z", "firing", t0)),
		t0, alert.Target{Channel: "ops"})
	ds, err := a.Ready(ctx, "ops", t0, 10)
	if err != nil || len(ds) != 3 {
		t.Fatalf("ready %v %v", ds, err)
	}
	x, y, z := ds[0].ID, ds[1].ID, ds[2].ID
	const name = "dispatch/ops"

	ta, _ := acquire(t, a, name, "A", time.Minute)
	if !claim(t, a, ta, time.Second, x, y, z) {
		t.Fatal("the holder could not claim pending deliveries")
	}
	if got := claimedBy(t, a, x, y, z); !slices.Equal(got, []string{"A/1", "A/1", "A/1"}) {
		t.Fatalf("claimed by %q", got)
	}

	if err := a.ReleaseLease(ctx, ta); err != nil {
		t.Fatal(err)
	}
	tb, ok := acquire(t, b, name, "B", time.Minute)
	if !ok {
		t.Fatal("B could not take the released lease")
	}
	if claim(t, a, ta, time.Second, x, y, z) {
		t.Fatal("a stale token claimed")
	}
	if !claim(t, b, tb, time.Second, x, y, z) {
		t.Fatal("the new holder could not claim")
	}
	// With no deliveries a claim only checks the lease.
	if !claim(t, b, tb, time.Second) || claim(t, a, ta, time.Second) {
		t.Fatal("a claim of nothing: the holder's refused or a stale token's granted")
	}
	if claim(t, a, ta, 0, x) {
		t.Fatal("a stale token claimed with no margin")
	}
	if got := claimedBy(t, a, x, y, z); !slices.Equal(got, []string{"B/2", "B/2", "B/2"}) {
		t.Fatalf("after a stale claim: claimed by %q, want B/2", got)
	}

	// The lease ends within the margin: another may take over meanwhile.
	if claim(t, b, tb, 2*time.Minute, x) {
		t.Fatal("claimed with a margin longer than the lease has left")
	}

	// x was sent (by B); a new holder's batch that holds it claims nothing.
	if err := b.Record(ctx, Outcome{Deliveries: ds[:1], State: StateSent, At: t0,
		Refs: []notify.Ref{{ChatID: "-1", MessageID: "1"}}}); err != nil {
		t.Fatal(err)
	}
	if err := b.ReleaseLease(ctx, tb); err != nil {
		t.Fatal(err)
	}
	tc, ok := acquire(t, a, name, "C", time.Minute)
	if !ok || tc.Epoch != 3 {
		t.Fatalf("C: %s %v", tc, ok)
	}
	if claim(t, a, tc, time.Second, x, y, z) {
		t.Fatal("claimed a batch holding a delivery already sent")
	}
	if got := claimedBy(t, a, y, z); !slices.Equal(got, []string{"B/2", "B/2"}) {
		t.Fatalf("a refused batch claimed some: %q", got)
	}
	if !claim(t, a, tc, time.Second, y, z) {
		t.Fatal("the pending rest could not be claimed")
	}
	if got := claimedBy(t, a, x, y, z); !slices.Equal(got, []string{"B/2", "C/3", "C/3"}) {
		t.Fatalf("claimed by %q", got)
	}

	// The same holder's earlier holding is fenced off too.
	if err := a.ReleaseLease(ctx, tc); err != nil {
		t.Fatal(err)
	}
	if tc2, ok := acquire(t, b, name, "C", time.Minute); !ok || tc2.Epoch != 4 {
		t.Fatalf("C again: %s %v", tc2, ok)
	}
	if claim(t, a, tc, time.Second, y) {
		t.Fatal("the holder's previous epoch claimed")
	}
}

// TestRecentSends counts requests, not rows: a folded message is one
// request per part however many deliveries it carries, a failed attempt
// one request.
func TestRecentSends(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	ctx := context.Background()
	ops, dev := alert.Target{Channel: "ops"}, alert.Target{Channel: "dev"}
	ingest(t, s, notification("firing", mkAlert("a", "firing", t0), mkAlert("b", "firing", t0), mkAlert("c", "firing", t0)),
		t0, ops, dev)
	folded, err := s.Ready(ctx, "ops", t0, 10)
	if err != nil || len(folded) != 3 {
		t.Fatalf("ready %v %v", folded, err)
	}
	sentAt := t0.Add(time.Minute)
	err = s.Record(ctx, Outcome{Deliveries: folded, State: StateSent, At: sentAt, Refs: []notify.Ref{
		{Part: 0, ChatID: "-1", MessageID: "1", Folded: true}, {Part: 1, ChatID: "-1", MessageID: "2", Folded: true}}})
	if err != nil {
		t.Fatal(err)
	}
	// Another channel's sends are its own.
	other, err := s.Ready(ctx, "dev", t0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Record(ctx, Outcome{Deliveries: other, State: StateSent, At: sentAt.Add(time.Second),
		Refs: []notify.Ref{{ChatID: "-2", MessageID: "9"}}}); err != nil {
		t.Fatal(err)
	}

	recent := func(since time.Time) []time.Time {
		t.Helper()
		ts, err := s.RecentSends(ctx, "ops", since)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(ts, time.Time.Compare)
		return ts
	}
	if got := recent(t0); !slices.Equal(got, []time.Time{sentAt, sentAt}) {
		t.Fatalf("after a folded message of 3 deliveries in 2 parts: %v, want 2 at %v", got, sentAt)
	}

	// A failed attempt of a folded message of two deliveries is one request.
	ingest(t, s, notification("firing", mkAlert("d", "firing", t0), mkAlert("e", "firing", t0)), t0, ops)
	failing, err := s.Ready(ctx, "ops", t0, 10)
	if err != nil || len(failing) != 2 {
		t.Fatalf("ready %v %v", failing, err)
	}
	failedAt := t0.Add(2 * time.Minute)
	if err := s.Record(ctx, Outcome{Deliveries: failing, State: StatePending, At: failedAt,
		NextAttempt: failedAt.Add(time.Minute), Error: "HTTP 429"}); err != nil {
		t.Fatal(err)
	}
	if got := recent(t0); !slices.Equal(got, []time.Time{sentAt, sentAt, failedAt}) {
		t.Fatalf("after a failed attempt: %v", got)
	}
	if got := recent(sentAt); len(got) != 3 {
		t.Fatalf("since is inclusive: %v", got)
	}
	if got := recent(sentAt.Add(time.Nanosecond)); !slices.Equal(got, []time.Time{failedAt}) {
		t.Fatalf("since after the folded message: %v, want only %v", got, failedAt)
	}
	if got := recent(failedAt.Add(time.Second)); len(got) != 0 {
		t.Fatalf("since after everything: %v", got)
	}
}
