package config_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify/telegram"
	promconfig "github.com/prometheus/common/config"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// allSecrets builds a config with every secret set to a distinct value.
func allSecrets() (*config.Config, []string) {
	c := config.DefaultConfig()
	c.Storage.DSN = "dsn-SECRET-1"
	c.Webhook.BearerToken = "bearer-SECRET-2"
	c.Webhook.BasicAuth = &config.BasicAuth{Username: "am", Password: "password-SECRET-3"}
	c.Telegram.BotToken = "token-SECRET-4"
	tg := telegram.DefaultConfig()
	tg.ChatID = "-100"
	tg.BotToken = "channel-token-SECRET-5"
	ch := config.DefaultChannelConfig()
	ch.Name = "ops"
	ch.Platform, ch.Section = "telegram", &tg
	c.Channels = []config.ChannelConfig{ch}
	c.Prometheus.HTTP.BearerToken = "prom-bearer-SECRET-6"
	c.Prometheus.Headers = map[string]config.Secret{"X-Api-Key": "header-SECRET-7"}
	c.Grafana.APIToken = "grafana-token-SECRET-8"
	c.Grafana.HTTP.BasicAuth = &promconfig.BasicAuth{Username: "admin", Password: "grafana-password-SECRET-9"}
	proxy, _ := url.Parse("http://herald:proxy-password-SECRET-11@proxy.example.com:3128")
	c.Prometheus.HTTP.ProxyURL = promconfig.URL{URL: proxy}
	c.Prometheus.HTTP.ProxyConnectHeader = promconfig.ProxyHeader{"Proxy-Authorization": {"Basic connect-SECRET-12"}}
	c.Images.S3 = &config.S3Config{Endpoint: "https://s3.example.com", Bucket: "charts", AccessKeyID: "AKIAEXAMPLE",
		SecretAccessKey: "s3-secret-key-SECRET-10"}
	return &c, []string{"dsn-SECRET-1", "bearer-SECRET-2", "password-SECRET-3", "token-SECRET-4", "channel-token-SECRET-5",
		"prom-bearer-SECRET-6", "header-SECRET-7", "grafana-token-SECRET-8", "grafana-password-SECRET-9",
		"s3-secret-key-SECRET-10", "proxy-password-SECRET-11", "connect-SECRET-12"}
}

// TestSecretNeverPrinted checks every way a Config ends up as text.
func TestSecretNeverPrinted(t *testing.T) {
	c, secrets := allSecrets()
	outputs := map[string]string{
		"%v":   fmt.Sprintf("%v", c),
		"%+v":  fmt.Sprintf("%+v", *c),
		"%#v":  fmt.Sprintf("%#v", *c),
		"%s":   fmt.Sprintf("%s", c.Telegram.BotToken),
		"%#v1": fmt.Sprintf("%#v", c.Telegram),
		"%v2":  fmt.Sprintf("%v", tgOf(&c.Channels[0])),
		"%+v3": fmt.Sprintf("%+v", c.Webhook.BasicAuth),
		"%+v4": fmt.Sprintf("%+v", c.Prometheus),
		"%v5":  fmt.Sprintf("%v", c.Prometheus.Headers),
		"%#v6": fmt.Sprintf("%#v", c.Grafana),
	}
	y, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	outputs["yaml"] = string(y)
	j, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	outputs["json"] = string(j)
	for name, h := range map[string]func(*bytes.Buffer) slog.Handler{
		"slog text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		"slog json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("loaded", "config", c, "token", c.Telegram.BotToken, "telegram", c.Telegram)
		outputs[name] = buf.String()
	}
	for name, out := range outputs {
		for _, s := range secrets {
			if strings.Contains(out, s) || strings.Contains(out, "SECRET") {
				t.Errorf("%s leaks %q:\n%s", name, s, out)
			}
		}
		if !strings.Contains(out, "<secret>") && !strings.Contains(out, `\u003csecret\u003e`) && !strings.HasPrefix(name, "%v") {
			t.Errorf("%s does not show <secret>:\n%s", name, out)
		}
	}
	if got := c.Secrets(); len(got) != len(secrets) {
		t.Errorf("Secrets() = %d values, want %d", len(got), len(secrets))
	}
}

func TestSecretMarshalEmpty(t *testing.T) {
	var s config.Secret
	y, _ := yaml.Marshal(map[string]config.Secret{"a": s})
	j, _ := json.Marshal(s)
	if string(y) != "a: \"\"\n" || string(j) != `""` {
		t.Errorf("empty secret marshals as %q and %q", y, j)
	}
	if s.String() != "<secret>" {
		t.Errorf("String() = %q", s.String())
	}
}

// TestSecretFiles checks *_file: relative to the config's directory,
// trailing newline trimmed, value never in the error.
func TestSecretFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "secrets"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeFile("secrets/token", "123:from-file\n\n")
	writeFile("secrets/chan-token", "456:chan\r\n")
	writeFile("secrets/bearer", "b34r3r")
	abs := filepath.Join(dir, "secrets", "token")
	writeFile("herald.yml", `storage:
  dsn_file: `+abs+`
webhook:
  bearer_token_file: secrets/bearer
telegram:
  bot_token_file: secrets/token
channels:
  - name: ops
    telegram:
      chat_id: 42
      bot_token_file: ./secrets/chan-token
`)
	// Load from another working directory to prove paths follow the file.
	t.Chdir(t.TempDir())
	c, err := loadAll(filepath.Join(dir, "herald.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if string(c.Telegram.BotToken) != "123:from-file" || string(c.Storage.DSN) != "123:from-file" ||
		string(c.Webhook.BearerToken) != "b34r3r" || string(tgOf(&c.Channels[0]).BotToken) != "456:chan" {
		t.Errorf("secrets = %q %q %q %q", string(c.Telegram.BotToken), string(c.Storage.DSN),
			string(c.Webhook.BearerToken), string(tgOf(&c.Channels[0]).BotToken))
	}

	// Both the value and the file: an error that does not print the value.
	writeFile("herald.yml", "telegram:\n  bot_token: 123:inline-value\n  bot_token_file: secrets/token\n")
	_, err = loadAll(filepath.Join(dir, "herald.yml"))
	if err == nil || strings.Contains(err.Error(), "inline-value") || strings.Contains(err.Error(), "from-file") {
		t.Errorf("err = %v", err)
	}
}
