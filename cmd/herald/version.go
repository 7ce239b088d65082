package main

import (
	"fmt"
	"io"
	"runtime"

	"github.com/heraldhq/herald/internal/buildinfo"
)

// versionString is what `herald --version` prints, in the shape of
// Prometheus' (prometheus/common/version.Print), so that what reads one
// reads the other. It prints what is known: internal/buildinfo holds the
// version and revision (stamped with -ldflags -X, see there), the rest
// comes from the runtime; branch, build user and date are not recorded.
func versionString() string {
	bi := buildinfo.Get()
	return fmt.Sprintf("herald, version %s (branch: unknown, revision: %s)\n  go version:       %s\n  platform:         %s/%s",
		bi.Version, bi.Revision, bi.GoVersion, runtime.GOOS, runtime.GOARCH)
}

func versionCmd(args []string, stdout, _ io.Writer) error {
	fs := newFlags("version", stdout, "The same as herald --version.")
	if err := fs.parseNoArgs(args); err != nil {
		return err
	}
	fmt.Fprintln(stdout, versionString())
	return nil
}
