package testutil

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

func TestPoll(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	Poll(t, 5*time.Second, "the third look", func() bool { return n.Add(1) >= 3 })
	if n.Load() != 3 {
		t.Errorf("looked %d times", n.Load())
	}
	ft := &fakeT{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Poll(ft, 120*time.Millisecond, "never", func() bool { return false })
	}()
	<-done
	if ft.failed.Load() != "waited 120ms for never" {
		t.Errorf("failure %q", ft.failed.Load())
	}
}

// fakeT records Fatalf instead of ending the test.
type fakeT struct {
	testing.TB
	failed atomic.Value
}

func (f *fakeT) Helper() {}
func (f *fakeT) Fatalf(format string, args ...any) {
	f.failed.Store(fmt.Sprintf(format, args...))
	runtime.Goexit()
}
