package realpg

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// shared is the one cluster of a test binary. It is package state, which
// Herald's code does not have, because a test binary is one process whose
// only end hook is TestMain: Run owns it from there.
var shared struct {
	inRun bool // Run is in charge of stopping the cluster
	once  sync.Once
	srv   *Server
	err   error
}

// Run runs the package's tests and then stops the cluster Shared started,
// if any. A package whose tests call Shared has
//
//	func TestMain(m *testing.M) { os.Exit(realpg.Run(m)) }
func Run(m *testing.M) int {
	shared.inRun = true
	code := m.Run()
	if shared.srv != nil {
		if err := shared.srv.close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// Shared returns the test binary's cluster, started by the first test that
// asks for it. Tests take databases of their own on it (NewDatabase) and
// may Terminate their connections, but not stop it: a test that breaks the
// server uses Start. It needs Run in TestMain, which stops the cluster.
func Shared(t testing.TB) *Server {
	t.Helper()
	bin := need(t)
	if !shared.inRun {
		t.Fatal("realpg.Shared needs func TestMain(m *testing.M) { os.Exit(realpg.Run(m)) } to stop the cluster afterwards")
	}
	shared.once.Do(func() {
		shared.srv, shared.err = newServer(bin)
		if shared.srv != nil {
			shared.srv.shared = true
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.srv
}
