package bot

import (
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

func TestCutUnits(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		in   string
		want string
	}{
		{"short", "Acknowledged", "Acknowledged"},
		{"exactly 200", strings.Repeat("a", 200), strings.Repeat("a", 200)},
		{"ascii", strings.Repeat("a", 250), strings.Repeat("a", 199) + "…"},
		{"cyrillic, 2 bytes a letter", strings.Repeat("ж", 201), strings.Repeat("ж", 199) + "…"},
		{"cyrillic within 200", strings.Repeat("ж", 200), strings.Repeat("ж", 200)},
		{"emoji, 2 units each", strings.Repeat("🔥", 101), strings.Repeat("🔥", 99) + "…"},
		{"emoji within 200", strings.Repeat("🔥", 100), strings.Repeat("🔥", 100)},
		{"empty", "", ""},
	} {
		got := cutUnits(tt.in, maxAnswer)
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
		if n := len(utf16.Encode([]rune(got))); n > maxAnswer || !utf8.ValidString(got) {
			t.Errorf("%s: %d units, valid %v", tt.name, n, utf8.ValidString(got))
		}
	}
}
