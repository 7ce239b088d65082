package app

import (
	"errors"
	"github.com/heraldhq/herald/internal/platforms"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald/internal/config"
)

// agreeEnv is the environment the configuration test files expect
// (internal/config's tests use the same values).
var agreeEnv = map[string]string{
	"TELEGRAM_BOT_TOKEN":  "123:good",
	"HERALD_TEST_API_KEY": "api-key-value",
	"HERALD_TEST_LISTEN":  ":9097",
}

func agreeGetenv(k string) string { return agreeEnv[k] }

// allPlatforms is a valid configuration with a channel of every platform,
// so that every builder is run at least once.
const allPlatforms = `
data_dir: ./data
telegram:
  bot_token: "123456:ABCdef"
channels:
  - name: tg
    telegram:
      chat_id: -100123
  - name: console
    console: {}
  - name: ding
    dingtalk:
      url: https://oapi.dingtalk.com/robot/send?access_token=abc123
      secret: SEC123
  - name: wecom
    wecom:
      url: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc-123
  - name: teams
    teams:
      url: https://prod.example.logic.azure.com/workflows/1/triggers/manual/paths/invoke?sig=abc
  - name: slack-hook
    slack:
      webhook_url: https://hooks.slack.com/services/T0/B0/abc
  - name: slack-bot
    slack:
      bot_token: xoxb-123-abc
      channel: C0123
  - name: discord
    discord:
      url: https://discord.com/api/webhooks/123/abc-DEF_1.2
      username: herald
  - name: hook
    webhook:
      url: https://hooks.example.com/herald
      headers:
        X-Tenant: ops
        Authorization: Token abc
      hmac_secret: s3cr3t
      signature_header: X-Signature
`

// TestCheckConfigAndServeAgree: what `herald check-config` accepts, `herald
// serve` builds, and what serve would refuse, check-config refuses first,
// with file, line and field. It runs over every configuration test file of
// internal/config, invalid ones included, and a configuration using every
// platform.
func TestCheckConfigAndServeAgree(t *testing.T) {
	files, err := filepath.Glob("../config/testdata/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no configuration test files: %v", err)
	}
	all := filepath.Join(t.TempDir(), "all-platforms.yml")
	if err := os.WriteFile(all, []byte(allPlatforms), 0o600); err != nil {
		t.Fatal(err)
	}
	files = append(files, all)
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			cfg, err := config.Resolve(file, true, agreeGetenv, platforms.Configs())
			invalid := strings.HasPrefix(name, "invalid-")
			if err != nil {
				if !invalid {
					t.Fatalf("check-config refuses a valid file: %v", err)
				}
				checkPositioned(t, file, err)
				return
			}
			if invalid {
				t.Fatalf("check-config accepts %s", name)
			}
			// What serve does with a loaded configuration, without the
			// store and the listener: build templates, charts and
			// notifiers.
			cfg.DataDir = t.TempDir()
			a := New(nil, Options{Stdout: io.Discard, Logger: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry()})
			if _, err := a.Setup(cfg); err != nil {
				t.Errorf("check-config accepts the file, serve refuses it: %v", err)
			}
		})
	}
}

// checkPositioned checks that every problem of a refused file names the
// file and a field, and a line whenever the field is in the file.
func checkPositioned(t *testing.T, file string, err error) {
	t.Helper()
	var errs *config.Errors
	if !errors.As(err, &errs) || len(errs.List) == 0 {
		t.Fatalf("error %q is not a list of positioned problems (%T)", err, err)
	}
	for _, e := range errs.List {
		if e.File != file {
			t.Errorf("%q names file %q, want %q", e, e.File, file)
		}
		if e.Field == "" && e.Line == 0 {
			t.Errorf("%q names neither a field nor a line", e)
		}
	}
}
