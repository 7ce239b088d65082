package dispatch

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/store"
)

// sendsStore answers RecentSends from a fixed list and notes each since.
type sendsStore struct {
	*store.Store
	mu    sync.Mutex
	sent  []time.Time
	asked []time.Time
}

func (s *sendsStore) RecentSends(_ context.Context, channel string, since time.Time) ([]time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked = append(s.asked, since)
	var out []time.Time
	for _, at := range s.sent {
		if !at.Before(since) {
			out = append(out, at)
		}
	}
	return out, nil
}

// warming is a notifier with rate limits that notes what it is warmed with.
type warming struct {
	scripted
	mu     sync.Mutex
	warmed [][]time.Time
}

func (w *warming) Warm(sent []time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.warmed = append(w.warmed, sent)
}

var _ notify.Warmer = (*warming)(nil)

// A dispatcher that starts counts the channel's sends of the last hour in
// its limits; one that runs again (it took the dispatch lease back) counts
// only what was sent since it stopped, because its limiters counted its own
// sends already.
func TestWarmCountsOthersSendsOnce(t *testing.T) {
	t.Parallel()
	now := time.Now()
	raw := openStore(t, "")
	defer raw.Close()
	st := &sendsStore{Store: raw, sent: []time.Time{now.Add(-2 * time.Hour), now.Add(-30 * time.Minute), now.Add(-time.Minute)}}
	n := &warming{}
	d := New(st, opsSetup(n), prometheus.NewRegistry(), slog.New(slog.NewTextHandler(io.Discard, nil)),
		WithPollInterval(testPoll))

	run := func() {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { d.Run(ctx); close(done) }()
		// Run warms before anything else, also when cancelled at once.
		cancel()
		<-done
	}
	run()
	stopped := time.Now()
	// Another replica sends while this one does not dispatch.
	st.mu.Lock()
	st.sent = append(st.sent, stopped.Add(time.Millisecond))
	st.mu.Unlock()
	run()

	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.warmed) != 2 || len(n.warmed[0]) != 2 || len(n.warmed[1]) != 1 {
		t.Fatalf("warmed with %v; want the last hour's 2 sends, then only the 1 made since it stopped", n.warmed)
	}
	if !n.warmed[1][0].Equal(stopped.Add(time.Millisecond)) {
		t.Errorf("second warm-up %v, want the other replica's send", n.warmed[1])
	}
	if st.asked[1].After(stopped) || st.asked[1].Before(stopped.Add(-time.Second)) {
		t.Errorf("second warm-up asked since %v, want when it stopped (~%v)", st.asked[1], stopped)
	}
}
