package config_test

import (
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify/slack"
	"github.com/heraldhq/herald/internal/notify/webhook"
	"github.com/heraldhq/herald/internal/notify/wecom"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func loadText(t *testing.T, text string) (*config.Config, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "herald.yml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return loadAll(p)
}

func TestAllPlatforms(t *testing.T) {
	c, err := loadText(t, `channels:
  - name: ding
    dingtalk:
      url: https://oapi.dingtalk.com/robot/send?access_token=dt-token-123
      secret: SECdingsecret
      mention: {mobiles: ["13800000000"]}
  - name: wecom
    wecom:
      url: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wecom-key-123
  - name: teams
    teams: {url: "https://example.webhook.office.com/workflows/abc?sig=teams-sig-123"}
  - name: slack-hook
    slack: {webhook_url: "https://hooks.slack.com/services/T/B/slack-hook-123"}
  - name: slack-bot
    slack: {bot_token: xoxb-slack-bot-123, channel: C0123}
  - name: discord
    discord: {url: "https://discord.com/api/webhooks/1/discord-token-123"}
  - name: hook
    webhook:
      url: https://example.com/hook
      hmac_secret: hmac-secret-123
      headers: {X-Api-Key: api-key-123}
`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"dingtalk", "wecom", "teams", "slack", "slack", "discord", "webhook"}
	for i, ch := range c.Channels {
		if ch.Platform != want[i] {
			t.Errorf("channel %s: platform %q, want %q", ch.Name, ch.Platform, want[i])
		}
	}
	if !c.Channels[1].Section.(*wecom.Config).ImagesEnabled() || c.Channels[4].Section.(*slack.Config).APIURL != "https://slack.com/api" ||
		c.Channels[6].Section.(*webhook.Config).SignatureHeader != webhook.DefaultSignatureHeader || c.Images.TTL.D().Hours() != 168 {
		t.Errorf("defaults not applied: %+v", c)
	}
	secrets := strings.Join(c.Secrets(), " ")
	for _, s := range []string{"dt-token-123", "SECdingsecret", "wecom-key-123", "teams-sig-123", "slack-hook-123",
		"xoxb-slack-bot-123", "discord-token-123", "hmac-secret-123", "api-key-123"} {
		if !strings.Contains(secrets, s) {
			t.Errorf("Secrets() lacks %s", s)
		}
	}
}

func TestPlatformErrors(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"channels:\n  - name: d\n    dingtalk: {secret: x}\n", ":3: channels[0].dingtalk.url: required"},
		{"channels:\n  - name: d\n    wecom: {url: 'ftp://x/key=secret-key'}\n", ":3: channels[0].wecom.url: must be an absolute http or https URL"},
		{"channels:\n  - name: s\n    slack: {}\n", ":3: channels[0].slack: set webhook_url, or bot_token with channel"},
		{"channels:\n  - name: s\n    slack: {bot_token: xoxb-1}\n", ":3: channels[0].slack.channel: required with bot_token"},
		{"channels:\n  - name: s\n    slack: {bot_token: xoxb-1, webhook_url: 'https://h'}\n", ":3: channels[0].slack: webhook_url and bot_token are both set; use one"},
		{"channels:\n  - name: t\n    teams: {url: x}\n    discord: {url: x}\n", "channels[0]: teams and discord are both set; a channel has exactly one platform"},
		{"channels:\n  - name: w\n    webhook: {url: 'https://h', hmac_secret: a, hmac_secret_file: b}\n", "channels[0].webhook.hmac_secret_file: cannot be used together with hmac_secret"},
	}
	for _, c := range cases {
		_, err := loadText(t, c.yaml)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s\ngot  %v\nwant %s", c.yaml, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret-key") {
			t.Errorf("secret URL in error: %v", err)
		}
	}
}
