package config

import (
	"strings"
	"testing"
)

func TestExpandEnv(t *testing.T) {
	env := fakeEnv(map[string]string{"A": "alpha", "PORT": "9096", "EMPTY": ""})
	tests := []struct {
		in, want, err string
	}{
		{in: "plain", want: "plain"},
		{in: "${A}", want: "alpha"},
		{in: "x-${A}-${A}-y", want: "x-alpha-alpha-y"},
		{in: "${MISSING:-fallback}", want: "fallback"},
		{in: "${A:-fallback}", want: "alpha"},
		{in: "${EMPTY:-fallback}", want: "fallback"},
		{in: "${MISSING:-}", want: ""},
		{in: "${MISSING:-a:b-c}", want: "a:b-c"},
		{in: "$${A}", want: "${A}"},
		{in: "$$${A}", want: "$${A}"},
		{in: "$A and $labels", want: "$A and $labels"},
		{in: "{{ $labels.instance }}", want: "{{ $labels.instance }}"},
		{in: "cost: 5$", want: "cost: 5$"},
		{in: "${MISSING}", err: "environment variable MISSING is not set"},
		{in: "${EMPTY}", err: "environment variable EMPTY is not set"},
		{in: "${A", err: `unterminated "${" (write "$${" for a literal "${")`},
		{in: "${1A}", err: `invalid environment variable reference "${1A}"`},
		{in: "${}", err: `invalid environment variable reference "${}"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := expandEnv(tt.in, env)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// FuzzExpandEnv checks that expansion never panics and leaves text without
// "${" alone.
func FuzzExpandEnv(f *testing.F) {
	for _, s := range []string{"${A}", "$${A}", "${A:-b}", "{{ $labels.x }}", "${", "$$$${A}}"} {
		f.Add(s)
	}
	env := fakeEnv(map[string]string{"A": "a"})
	f.Fuzz(func(t *testing.T, s string) {
		got, err := expandEnv(s, env)
		if !strings.Contains(s, "${") && (err != nil || got != s) {
			t.Fatalf("expandEnv(%q) = %q, %v", s, got, err)
		}
	})
}
