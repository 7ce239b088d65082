package testutil

import (
	"os"
	"testing"
)

// Missing ends a test whose component is not here (a program, root, a
// package), saying why: skipped on a developer's machine, failed under CI
// (env CI set), where every test must run and `make test` installs what
// they need.
func Missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(why + " (CI must run this test)")
	}
	t.Skip(why)
}
