package alerts

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/alert"
)

// The events cover every kind a notifier renders, each about h alone.
func TestHostileMessages(t *testing.T) {
	t.Parallel()
	ms := HostileMessages(HostileValues[0])
	for name, kind := range map[string]alert.Kind{"firing": alert.KindFiring, "resolved": alert.KindResolved,
		"reminder": alert.KindReminder, "folded": alert.KindFiring} {
		if m := ms[name]; m == nil || m.Kind != kind || (name == "folded") != m.Folded {
			t.Errorf("%s: %+v", name, m)
		}
	}
	if l := HostileList(Plain, true); len(l.Data.Alerts) != 2 || l.Data.Alerts[1].Labels["instance"] != "second" {
		t.Errorf("list: %+v", l.Data.Alerts)
	}
}

// Control characters, bidirectional overrides and invalid UTF-8 count,
// except the allowed ones; lookalike pictures do not.
func TestControlChar(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		s, allow string
		at       int
	}{{"a\nb", "\n", -1}, {"a\nb", "", 1}, {"ok\rx", "\n", 2}, {"\u202eevil", "", 0}, {"a\xffb", "", 1},
		{"ok␍x", "", -1}} {
		_, at, ok := ControlChar(tt.s, tt.allow)
		if !ok {
			at = -1
		}
		if at != tt.at {
			t.Errorf("ControlChar(%q, %q) at %d, want %d", tt.s, tt.allow, at, tt.at)
		}
	}
}

// A careless template's rendering may lose elements, never gain any.
func TestSubset(t *testing.T) {
	t.Parallel()
	want := []string{"bold", "bold", "link"}
	for got, ok := range map[string]bool{"": true, "bold": true, "bold bold link": true, "bold bold bold": false, "italic": false} {
		var g []string
		if got != "" {
			g = strings.Fields(got)
		}
		if subset(g, want) != ok {
			t.Errorf("subset(%q) = %v", got, !ok)
		}
	}
}

// A target is hostile when it leads to the table's host, with or without
// a scheme, or is no URL.
func TestHostileTarget(t *testing.T) {
	t.Parallel()
	for target, want := range map[string]bool{"http://evil.example/phish": true, "www.evil.example/x": true,
		"http://a b/%zz": true, "https://wiki.example/runbooks/evil.example": false, "http://prometheus:9090/graph": false} {
		if hostile(target) != want {
			t.Errorf("hostile(%q) = %v", target, !want)
		}
	}
}
