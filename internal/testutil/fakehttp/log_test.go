package fakehttp

import (
	"slices"
	"sync"
	"testing"
	"time"
)

type item struct {
	ID    int
	Edits []string
}

func (it *item) clone() item {
	c := *it
	c.Edits = slices.Clone(it.Edits)
	return c
}

func TestLogWait(t *testing.T) {
	l := NewLog("fakex", "messages", (*item).clone)
	go func() {
		time.Sleep(50 * time.Millisecond)
		l.Add(&item{ID: 1})
	}()
	if got, err := l.Wait(1, 5*time.Second); err != nil || len(got) != 1 || got[0].ID != 1 {
		t.Fatalf("%v %v", got, err)
	}
	got, err := l.Wait(2, 50*time.Millisecond)
	if err == nil || err.Error() != "fakex: 1 messages after 50ms, want 2" || len(got) != 1 {
		t.Fatalf("after the timeout: %v %v", got, err)
	}
	if got, err := l.Wait(0, 0); err != nil || len(got) != 1 {
		t.Fatalf("nothing to wait for: %v %v", got, err)
	}
}

func TestLogCopiesAndUpdates(t *testing.T) {
	l := NewLog("fakex", "items", (*item).clone)
	it := &item{ID: 1, Edits: []string{"a"}}
	l.Add(it)
	got := l.All()
	got[0].Edits[0] = "changed by a reader"
	l.Update(func() { it.Edits = append(it.Edits, "b") })
	if now := l.All(); !slices.Equal(now[0].Edits, []string{"a", "b"}) || l.Len() != 1 {
		t.Errorf("after Update: %+v, %d items", now, l.Len())
	}
	shallow := NewLog[item]("fakex", "items", nil)
	shallow.Add(&item{ID: 2})
	if all := shallow.All(); len(all) != 1 || all[0].ID != 2 {
		t.Errorf("shallow: %+v", all)
	}
}

// TestLogConcurrent is for the race detector: adds, edits, reads and
// waits at the same time.
func TestLogConcurrent(t *testing.T) {
	l := NewLog("fakex", "items", (*item).clone)
	var mu sync.Mutex // a fake's own lock, held around the Log as fakes do
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			it := &item{ID: i}
			mu.Lock()
			l.Add(it)
			l.Update(func() { it.Edits = append(it.Edits, "edit") })
			mu.Unlock()
		})
		wg.Go(func() { _ = l.All() })
	}
	got, err := l.Wait(20, 5*time.Second)
	wg.Wait()
	if err != nil || len(got) < 20 {
		t.Fatalf("%d items, %v", len(got), err)
	}
	for _, it := range l.All() {
		if len(it.Edits) != 1 {
			t.Errorf("item %d: edits %v", it.ID, it.Edits)
		}
	}
}
