package config_test

import (
	"errors"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify/telegram"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "herald.yml")
	file := filepath.Join(dir, "present.yml")
	if err := os.WriteFile(file, []byte("channels:\n  - name: ops\n    telegram:\n      chat_id: -100\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bothEnv := map[string]string{config.EnvTelegramBotToken: "123:env", config.EnvTelegramChatID: "-1001234567890"}

	tests := []struct {
		name     string
		path     string
		explicit bool
		env      map[string]string
		// want
		channel  string // default channel and its platform
		platform string
		token    string
		file     string
		err      string
	}{
		{name: "no file, no env", path: missing, channel: "console", platform: "console"},
		{name: "no path", path: "", channel: "console", platform: "console"},
		{name: "no file, token only", path: missing, env: map[string]string{config.EnvTelegramBotToken: "123:env"},
			channel: "console", platform: "console", token: "123:env"},
		{name: "no file, chat only", path: missing, env: map[string]string{config.EnvTelegramChatID: "-100"},
			channel: "console", platform: "console"},
		{name: "no file, token and chat", path: missing, env: bothEnv,
			channel: "telegram", platform: "telegram", token: "123:env"},
		{name: "no file, bad chat", path: missing, env: map[string]string{config.EnvTelegramBotToken: "1:a", config.EnvTelegramChatID: "nope"},
			err: `HERALD_TELEGRAM_CHAT_ID: invalid chat id "nope" (want a non-zero integer or "@channelname")`},
		{name: "explicit missing file", path: missing, explicit: true, err: "read config: open " + missing + ": no such file or directory"},
		{name: "explicit empty path", path: "", explicit: true, err: "read config: no file given"},
		{name: "file, token from env", path: file, env: bothEnv,
			channel: "ops", platform: "telegram", token: "123:env", file: file},
		{name: "file without token", path: file, explicit: true,
			err: file + `:3: channels[0].telegram: channel "ops" has no bot token: set telegram.bot_token (or bot_token_file) or this channel's bot_token`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := resolveAll(tt.path, tt.explicit, fakeEnv(tt.env))
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v\nwant %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ch := c.Channel(c.DefaultChannel)
			if c.DefaultChannel != tt.channel || ch == nil || ch.Platform != tt.platform {
				t.Errorf("default channel %q = %+v", c.DefaultChannel, ch)
			}
			if string(c.Telegram.BotToken) != tt.token || c.File != tt.file {
				t.Errorf("token %q, file %q", string(c.Telegram.BotToken), c.File)
			}
			if tt.platform == "telegram" && tt.file == "" {
				if tgOf(ch).ChatID != "-1001234567890" || !tgOf(ch).EditsOnResolve() || len(tgOf(ch).SilentSeverities) != 2 {
					t.Errorf("telegram channel from env = %+v", tgOf(ch))
				}
			}
		})
	}
	_, err := resolveAll(missing, true, nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing explicit file: %v is not fs.ErrNotExist", err)
	}
}

func TestAccessorsOnCodeBuiltConfig(t *testing.T) {
	// Nil pointers (a config built in code) mean the defaults.
	c := &config.Config{DataDir: "/d"}
	ch := &config.ChannelConfig{Name: "x", Platform: "telegram", Section: &telegram.Config{}}
	if !ch.ResolvedEnabled() || !tgOf(ch).EditsOnResolve() || c.StormThreshold(ch) != config.DefaultStormThreshold {
		t.Errorf("nil defaults not applied")
	}
	if c.DatabasePath() != filepath.Join("/d", "herald.db") {
		t.Errorf("DatabasePath = %q", c.DatabasePath())
	}
	if bot := telegram.BotConfig(c, nil); bot.APIURL != "" {
		t.Errorf("TelegramBot(nil) = %+v", bot)
	}
	if c.Secrets() != nil {
		t.Errorf("Secrets() = %v", c.Secrets())
	}
}
