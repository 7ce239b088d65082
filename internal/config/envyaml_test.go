package config_test

import (
	"os"
	"path/filepath"
	"testing"
)

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
	tg := tgOf(&c.Channels[0])
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
