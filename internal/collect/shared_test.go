package collect

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/collect/series"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/testutil"
)

// memState is a store's bot state shared by two runners, as two replicas
// share the database.
type memState struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *memState) BotState(_ context.Context, key string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	return v, ok, nil
}

func (s *memState) SetBotState(_ context.Context, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = value
	return nil
}

type noHistory struct{}

func (noHistory) WriteSamples(context.Context, []series.Sample) error { return nil }

type leader struct{ on atomic.Bool }

func (l *leader) Leading() bool { return l.on.Load() }

// The replica that collects saves its snapshot, NaN values included; one
// that does not collect answers /containers from it; the collecting replica stops exporting what it collected
// once its Run ends (the lease moved).
func TestSharedSnapshot(t *testing.T) {
	t.Parallel()
	cfg := config.DefaultConfig()
	cfg.Collectors.Exec = []config.ExecCheck{{Name: "queue", Command: []string{"/bin/sh", "-c", "printf 'queue_depth 7\\nqueue_rate NaN\\n'"},
		Interval: config.Duration(time.Hour), Timeout: config.Duration(10 * time.Second)}}
	state := &memState{m: map[string]string{}}
	var lead, follow leader
	lead.on.Store(true)
	alerts := func(context.Context, *alert.Notification) error { return nil }
	collecting := New(&cfg, Options{History: noHistory{}, State: state, Alerts: alerts, Leader: &lead})
	other := New(&cfg, Options{History: noHistory{}, State: state, Alerts: alerts, Leader: &follow})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { collecting.Run(ctx); close(done) }()
	testutil.Poll(t, 10*time.Second, "the snapshot in the store", func() bool {
		_, ok, _ := state.BotState(ctx, snapshotKey)
		return ok
	})
	snap := other.SharedSnapshot(context.Background())
	if len(snap.Checks) != 1 || snap.Checks[0].Check != "queue" || !snap.Checks[0].OK {
		t.Fatalf("checks seen by the other replica: %+v", snap.Checks)
	}
	var depth, nan bool
	for _, s := range snap.Samples {
		depth = depth || (s.Name == "queue_depth" && s.V == 7)
		nan = nan || (s.Name == "queue_rate" && math.IsNaN(s.V))
	}
	if !depth || !nan {
		t.Errorf("samples seen by the other replica: %+v", snap.Samples)
	}
	cancel()
	<-done
	if s := collecting.Snapshot(); len(s.Samples) != 0 {
		t.Errorf("after its Run ended the replica still exports %d samples", len(s.Samples))
	}
}
