package fakehttp

import (
	"testing"
	"time"
)

func TestBucket(t *testing.T) {
	t0 := time.Unix(1000, 0)
	b := NewBucket(2, 2, t0)
	for i := 0; i < 2; i++ {
		if w := b.Wait(t0); w != 0 {
			t.Fatalf("burst token %d: wait %v", i, w)
		}
		b.Take()
	}
	if w := b.Wait(t0); w != 500*time.Millisecond {
		t.Fatalf("empty bucket at 2/s: wait %v", w)
	}
	if w := b.Wait(t0.Add(500 * time.Millisecond)); w != 0 {
		t.Fatalf("after refill: wait %v", w)
	}
}

func TestWindow(t *testing.T) {
	t0 := time.Unix(1000, 0)
	w := &Window{N: 2, Per: time.Minute}
	for i := 0; i < 2; i++ {
		if d := w.Wait(t0.Add(time.Duration(i) * time.Second)); d != 0 {
			t.Fatalf("arrival %d: wait %v", i, d)
		}
		w.Add(t0.Add(time.Duration(i) * time.Second))
	}
	if d := w.Wait(t0.Add(10 * time.Second)); d != 50*time.Second {
		t.Fatalf("full window: wait %v, want until the first leaves", d)
	}
	if d := w.Wait(t0.Add(time.Minute)); d != 0 || w.Len() != 1 {
		t.Fatalf("after the first left: wait %v, len %d", d, w.Len())
	}
}
