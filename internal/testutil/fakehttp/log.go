package fakehttp

import (
	"fmt"
	"sync"
	"time"
)

// Log records what a fake accepted, in order, and wakes the tests that
// wait for it. It is safe for concurrent use.
//
// A Log owns the items added to it: a fake may keep pointers to them (an
// index by id, to edit a message), but changes them only inside Update,
// so that readers, who get copies, never see half an edit. A fake that
// guards its own state with a mutex may hold it while it calls the Log.
type Log[T any] struct {
	name, noun string
	clone      func(*T) T

	mu      sync.Mutex
	items   []*T
	changed chan struct{}
}

// NewLog returns an empty Log. clone copies an item for readers (nil: a
// shallow copy); name and noun make Wait's error read "name: 2 noun after
// 1s, want 3".
func NewLog[T any](name, noun string, clone func(*T) T) *Log[T] {
	if clone == nil {
		clone = func(p *T) T { return *p }
	}
	return &Log[T]{name: name, noun: noun, clone: clone, changed: make(chan struct{})}
}

// Add records item and wakes the waiters.
func (l *Log[T]) Add(item *T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items = append(l.items, item)
	l.notify()
}

// Update runs change, which may modify recorded items, and wakes the
// waiters. change must not call the Log.
func (l *Log[T]) Update(change func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	change()
	l.notify()
}

// notify wakes every waiter; the caller holds l.mu. Closing broadcasts, a
// fresh channel re-arms.
func (l *Log[T]) notify() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// All returns copies of the items in the order they were added, as they
// stand now.
func (l *Log[T]) All() []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]T, len(l.items))
	for i, p := range l.items {
		out[i] = l.clone(p)
	}
	return out
}

// Len returns how many items were added.
func (l *Log[T]) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.items)
}

// Wait waits until at least n items were added and returns them; after
// timeout it returns what arrived and an error.
func (l *Log[T]) Wait(n int, timeout time.Duration) ([]T, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		l.mu.Lock()
		ok, changed := len(l.items) >= n, l.changed
		l.mu.Unlock()
		if ok {
			return l.All(), nil
		}
		select {
		case <-changed:
		case <-deadline.C:
			got := l.All()
			return got, fmt.Errorf("%s: %d %s after %v, want %d", l.name, len(got), l.noun, timeout, n)
		}
	}
}
