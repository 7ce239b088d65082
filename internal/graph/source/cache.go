package source

import (
	"context"
	"sync"
	"time"

	"github.com/heraldhq/herald/internal/prom"
)

// maxFailTTL is the longest a failed rules lookup is remembered. Long
// enough that a storm of alerts during a Prometheus outage does not send a
// storm of /api/v1/rules calls after it; short enough that charts come back
// soon after Prometheus does.
const maxFailTTL = 10 * time.Second

// fetchTimeout bounds one rules lookup that outlives the caller who started
// it (see refresh). The client's own timeout is normally shorter.
const fetchTimeout = 30 * time.Second

// Source finds the expression of alerts. It caches rule lookups: one
// /api/v1/rules answer serves every alert for the TTL, and concurrent
// callers share one call in flight. It is safe for concurrent use.
type Source struct {
	rules   RulesClient
	ttl     time.Duration
	failTTL time.Duration
	now     func() time.Time

	mu       sync.Mutex
	byName   map[string][]prom.Rule // the last good answer, by alert name
	have     bool                   // byName holds an answer
	err      error                  // the last lookup's error, nil after a success
	expires  time.Time              // when the next caller starts a new lookup
	inflight chan struct{}          // closed when the running lookup ends; nil when none runs
}

// New returns a Source that looks rules up through rules and keeps an
// answer for ttl (0: every Find asks, but concurrent ones share a call).
// now is the clock for the TTL (nil: time.Now).
func New(rules RulesClient, ttl time.Duration, now func() time.Time) *Source {
	if now == nil {
		now = time.Now
	}
	return &Source{rules: rules, ttl: ttl, failTTL: min(ttl, maxFailTTL), now: now}
}

// rulesFor returns the alerting rules called name, from the cache or from
// a lookup, waiting for it no longer than ctx allows.
//
// After a failed lookup the last good answer, if any, is still used:
// rules change far less often than Prometheus has hiccups, and a slightly
// stale `for` beats no chart.
func (s *Source) rulesFor(ctx context.Context, name string) ([]prom.Rule, error) {
	s.mu.Lock()
	if s.inflight == nil && !s.now().Before(s.expires) {
		s.inflight = make(chan struct{})
		go s.refresh(ctx, s.inflight)
	}
	done := s.inflight
	if done == nil {
		defer s.mu.Unlock()
		return s.cached(name)
	}
	s.mu.Unlock()
	select {
	case <-done:
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.cached(name)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// cached answers from the last lookup; s.mu must be held.
func (s *Source) cached(name string) ([]prom.Rule, error) {
	if s.have {
		return s.byName[name], nil
	}
	return nil, s.err
}

// refresh runs one lookup and stores its outcome. It is detached from the
// cancellation of the caller that started it: other callers wait for the
// same answer, and it is worth caching even when the first caller's budget
// ran out.
func (s *Source) refresh(parent context.Context, done chan struct{}) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), fetchTimeout)
	defer cancel()
	rules, err := s.rules.AlertingRules(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	defer close(done)
	s.inflight = nil
	if err != nil {
		s.err = err
		s.expires = s.now().Add(s.failTTL)
		return
	}
	byName := make(map[string][]prom.Rule)
	for _, r := range rules {
		byName[r.Name] = append(byName[r.Name], r)
	}
	s.byName, s.have, s.err = byName, true, nil
	s.expires = s.now().Add(s.ttl)
}
