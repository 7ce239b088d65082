package buildinfo

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestGet(t *testing.T) {
	t.Parallel()
	stamped := func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}}}, true
	}
	none := func() (*debug.BuildInfo, bool) { return nil, false }
	for _, c := range []struct {
		name              string
		version, revision string
		read              func() (*debug.BuildInfo, bool)
		want              Info
	}{
		{"release", "v1.2.3", "feedface", stamped, Info{"v1.2.3", "feedface", runtime.Version()}},
		{"checkout", "", "", stamped, Info{"dev", "0123456789abcdef0123", runtime.Version()}},
		{"nothing known", "", "", none, Info{"dev", "unknown", runtime.Version()}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := get(c.version, c.revision, c.read); got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestShort(t *testing.T) {
	t.Parallel()
	if got := Short("0123456789abcdef"); got != "0123456789ab" {
		t.Errorf("Short = %q", got)
	}
	if got := Short("unknown"); got != "unknown" {
		t.Errorf("Short = %q", got)
	}
}
