package template

import "testing"

func TestConsoleText(t *testing.T) {
	for in, want := range map[string]string{
		"node-1:9100":                "node-1:9100",
		"日本語 🚀\ttab":                 "日本語 🚀\ttab",
		"\x1b]0;pwned\x07\x1b[2J":    `\x1b]0;pwned\x07\x1b[2J`,
		"ok\rFAKE":                   `ok\rFAKE`,
		"a\nb":                       "a\n  b",
		"\u202eevil\u2028\u0085\x7f": `\u202eevil\u2028\u0085\x7f`,
		"bad \xff":                   `bad \xff`,
	} {
		if got := ConsoleText(in); got != want {
			t.Errorf("ConsoleText(%q) = %q, want %q", in, got, want)
		}
	}
}
