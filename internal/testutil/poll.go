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
	if !Until(timeout, cond) {
		t.Fatalf("waited %s for %s", timeout, what)
	}
}

// Until is Poll for a wait the test goes on after, whatever its outcome:
// it reports whether cond held before timeout passed.
func Until(timeout time.Duration, cond func() bool) bool {
	if cond() {
		return true
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(PollEvery)
	defer tick.Stop()
	for {
		select {
		case <-deadline.C:
			return cond()
		case <-tick.C:
			if cond() {
				return true
			}
		}
	}
}
