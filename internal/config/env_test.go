package config

import (
	"os"
	"path/filepath"
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

// TestEnvInYAML checks expansion in place: values only, never keys;
// templates untouched; an unquoted ${VAR} typed like a literal value.
func TestEnvInYAML(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "herald.yml")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := fakeEnv(map[string]string{
		"TOKEN": "123:abc", "CHAT": "-100777", "PER_MINUTE": "15", "KEY": "listen_address",
	})
	write(`telegram:
  bot_token: ${TOKEN}
  rate_limits:
    per_group_per_minute: ${PER_MINUTE}
channels:
  - name: ops
    telegram:
      chat_id: ${CHAT}
      message: |
        {{ $labels.instance }} costs $foo, literal $${X}, ${MISSING:-default}
`)
	c, err := load(path, env, "")
	if err != nil {
		t.Fatal(err)
	}
	if string(c.Telegram.BotToken) != "123:abc" || c.Telegram.RateLimits.PerGroupPerMinute != 15 {
		t.Errorf("telegram = %+v", c.Telegram)
	}
	tg := c.Channels[0].Telegram
	if tg.ChatID != "-100777" {
		t.Errorf("chat_id = %q", tg.ChatID)
	}
	if want := "{{ $labels.instance }} costs $foo, literal ${X}, default\n"; tg.Message != want {
		t.Errorf("message = %q, want %q", tg.Message, want)
	}

	// A quoted value stays a string, so a number from the environment does
	// not fit an integer field.
	write("telegram:\n  rate_limits:\n    global: \"${PER_MINUTE}\"\n")
	if _, err := load(path, env, ""); err == nil ||
		err.Error() != path+":3: telegram.rate_limits.global: cannot unmarshal !!str `15` into int" {
		t.Errorf("err = %v", err)
	}

	// Keys are never expanded.
	write("${KEY}: \":9000\"\n")
	if _, err := load(path, env, ""); err == nil || err.Error() != path+`:1: unknown field "${KEY}"` {
		t.Errorf("err = %v", err)
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
