package notify

import "sync"

// Shared holds what notifiers share: a robot's or a webhook's rate
// limiter, a bot, an HTTP client. Herald rebuilds every notifier on a
// reload, but a limit must outlive that (a reload in the middle of a storm
// must not forget what the last minute already holds) and channels that
// post through the same robot must count together. The app owns one Shared
// and hands it to every builder, so the state lives as long as the app,
// not as long as the process: tests make their own and run in parallel.
// It is safe for concurrent use.
type Shared struct {
	mu    sync.Mutex
	items map[any]any
}

// SharedOption presets what a Shared holds before any notifier uses it,
// such as a robot's rate limit scaled for a test (see dingtalk.WithRobotLimit).
type SharedOption func(*Shared)

// NewShared makes an empty Shared with opts applied.
func NewShared(opts ...SharedOption) *Shared {
	s := &Shared{items: map[any]any{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Preset stores v under key, replacing what was there. It is for the
// SharedOptions of platform packages: each keys its items by a type of its
// own, so that platforms cannot collide.
func Preset(key, v any) SharedOption {
	return func(s *Shared) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.items[key] = v
	}
}

// Share returns the value s holds under key, made by mk on first use. mk
// runs without s's lock, so it may itself call Share (a robot sharing the
// pace of another URL with the same key); when two callers make a value at
// once, the first stored wins and the other is dropped, so mk must have no
// effect beyond its result. A failed mk stores nothing. A nil s shares
// nothing: every call makes a new value (tests and tools that build one
// notifier).
func Share[T any](s *Shared, key any, mk func() (T, error)) (T, error) {
	if s == nil {
		return mk()
	}
	s.mu.Lock()
	v, ok := s.items[key]
	s.mu.Unlock()
	if ok {
		return v.(T), nil
	}
	made, err := mk()
	if err != nil {
		return made, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.items[key]; ok {
		return v.(T), nil
	}
	s.items[key] = made
	return made, nil
}
