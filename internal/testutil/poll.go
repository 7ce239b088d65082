package testutil

import (
	"testing"
	"time"
)

// PollEvery is how often Poll looks again.
const PollEvery = 50 * time.Millisecond

// Poll waits until cond holds, looking every PollEvery, and fails the
// test naming what it waited for when timeout passes first. It is for
// state outside the test's process that announces nothing — another
// process's HTTP answers, Alertmanager's silences, a container's cgroup —
// where there is no event to wait on; in-process code gives the test an
// event (a channel, a recorded call) instead.
func Poll(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	if cond() {
		return
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(PollEvery)
	defer tick.Stop()
	for {
		select {
		case <-deadline.C:
			if cond() {
				return
			}
			t.Fatalf("waited %s for %s", timeout, what)
		case <-tick.C:
			if cond() {
				return
			}
		}
	}
}
