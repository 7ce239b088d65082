// Package buildinfo says which Herald this is: the version and revision a
// release build stamps in, and the Go that built it. The command prints it
// (herald --version) and the app exports it as herald_build_info.
//
// Release builds set the two variables with the linker:
//
//	go build -ldflags "-X github.com/heraldhq/herald/internal/buildinfo.Version=v1.2.3 \
//	  -X github.com/heraldhq/herald/internal/buildinfo.Revision=$(git rev-parse HEAD)" ./cmd/herald
package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// Version and Revision are set at link time (-X); they are variables only
// because the linker can set nothing else. Read them through Get.
var (
	// Version is the release, e.g. v1.2.3; "dev" when not set.
	Version string
	// Revision is the commit; when not set, the one the Go toolchain
	// stamped into a build from a checkout, else "unknown".
	Revision string
)

// Info is what Get reports.
type Info struct {
	Version   string
	Revision  string
	GoVersion string
}

// Get is this binary's build information, with the fallbacks filled in.
func Get() Info {
	return get(Version, Revision, debug.ReadBuildInfo)
}

func get(version, revision string, read func() (*debug.BuildInfo, bool)) Info {
	in := Info{Version: version, Revision: revision, GoVersion: runtime.Version()}
	if in.Version == "" {
		in.Version = "dev"
	}
	if in.Revision == "" {
		in.Revision = "unknown"
		if bi, ok := read(); ok {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" && s.Value != "" {
					in.Revision = s.Value
				}
			}
		}
	}
	return in
}

// Short is rev cut to the 12 characters people quote a commit by.
func Short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
