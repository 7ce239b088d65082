package config_test

import (
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify/console"
	"github.com/heraldhq/herald/internal/notify/telegram"
	promconfig "github.com/prometheus/common/config"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// TestLoadGood checks every key of testdata/good.yml, which sets each one
// to a value other than its default.
func TestLoadGood(t *testing.T) {
	c, err := load("testdata/good.yml", fakeEnv(map[string]string{"TELEGRAM_BOT_TOKEN": "123:good"}), "")
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs("testdata")
	check := func(name string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", name, got, want)
		}
	}
	check("listen_address", c.ListenAddress, "0.0.0.0:9097")
	check("external_url", c.ExternalURL, "https://herald.example.com/")
	check("data_dir", c.DataDir, "/var/lib/herald")
	check("storage.dsn", string(c.Storage.DSN), "dsn-value")
	check("DatabasePath", c.DatabasePath(), "dsn-value")
	check("storage.synchronous", c.Storage.Synchronous, "NORMAL")
	check("storage.busy_timeout", c.Storage.BusyTimeout.D(), 10*time.Second)
	promHTTP := config.DefaultHTTPClientConfig()
	// password_file is read by prometheus/common at each request, as in
	// Prometheus; the loader made its path absolute and checked it.
	promHTTP.BasicAuth = &promconfig.BasicAuth{Username: "herald", PasswordFile: filepath.Join(abs, "secrets", "password")}
	promHTTP.TLSConfig = promconfig.TLSConfig{
		CAFile: filepath.Join(abs, "tls", "ca.pem"), CertFile: filepath.Join(abs, "tls", "client.pem"),
		KeyFile: filepath.Join(abs, "tls", "client-key.pem"), ServerName: "prometheus.internal", InsecureSkipVerify: true,
	}
	check("prometheus", c.Prometheus, config.PrometheusConfig{
		URL:           "https://prometheus.example.com/prom/",
		HTTP:          promHTTP,
		Timeout:       config.Duration(3 * time.Second),
		Headers:       map[string]config.Secret{"X-Scope-OrgID": "tenant-1", "X-Api-Key": "key-from-default"},
		RulesCacheTTL: 0,
	})
	if tc, err := promconfig.NewTLSConfig(&c.Prometheus.HTTP.TLSConfig); err != nil || tc.RootCAs == nil || tc.ServerName != "prometheus.internal" || !tc.InsecureSkipVerify {
		t.Errorf("prometheus TLS config = %+v, %v", tc, err)
	}
	check("grafana", c.Grafana, config.GrafanaConfig{
		URL: "http://grafana.internal:3000", APIToken: "glsa_from_file", APITokenFile: "secrets/grafana-token",
		HTTP:  config.DefaultGrafanaConfig().HTTP,
		OrgID: 2, Timeout: config.Duration(45 * time.Second),
	})
	check("graph", c.Graph, config.GraphConfig{
		Enabled: new(false), Renderer: config.RendererGrafana, Timeout: config.Duration(8 * time.Second),
		MatchLabels: []string{"instance", "job", "pod"}, RangeFactor: 3.5,
		MinRange: config.Duration(time.Hour), MaxRange: config.Duration(48 * time.Hour), Width: 800, Height: 400,
		Theme: config.ThemeDark, Timezone: "Asia/Shanghai", MaxSeries: 5, Font: filepath.Join(abs, "fonts", "header-only.ttf"),
		OnResolve: config.OnResolveReply, Grafana: config.GraphGrafanaConfig{DashboardUID: "herald-alert", PanelID: 2},
	})
	check("GraphEnabled", c.GraphEnabled(), false)
	check("webhook.max_body_size", c.Webhook.MaxBodySize, config.Bytes(512*1024))
	check("webhook.basic_auth.username", c.Webhook.BasicAuth.Username, "alertmanager")
	check("webhook.basic_auth.password", string(c.Webhook.BasicAuth.Password), "pw-from-file")
	check("telegram.bot_token", string(c.Telegram.BotToken), "123:good")
	check("telegram.api_url", c.Telegram.APIURL, "http://127.0.0.1:8081")
	check("telegram.proxy_url", c.Telegram.HTTP.ProxyURL.String(), "socks5h://proxy.internal:1080")
	check("telegram.timeout", c.Telegram.Timeout.D(), 15*time.Second)
	check("telegram.rate_limits", c.Telegram.RateLimits, config.TelegramRateLimits{PerChat: 0.5, PerGroupPerMinute: 10, Global: 25})
	check("delivery.initial_backoff", c.Delivery.InitialBackoff.D(), 2*time.Second)
	check("delivery.max_backoff", c.Delivery.MaxBackoff.D(), 10*time.Minute)
	check("delivery.max_age", c.Delivery.MaxAge.D(), 48*time.Hour)
	check("delivery.timeout", c.Delivery.Timeout.D(), 20*time.Second)
	check("delivery.storm_threshold", *c.Delivery.StormThreshold, 0)

	if len(c.Channels) != 3 {
		t.Fatalf("channels = %+v", c.Channels)
	}
	ops := tgOf(c.Channel("ops"))
	check("ops.chat_id", ops.ChatID, config.ChatID("-1001234567890"))
	check("ops.message_thread_id", ops.MessageThreadID, 7)
	check("ops.message", ops.Message, `{{ template "telegram.herald.message" . }} $labels ${NOT_ENV} {{ $labels.instance }}`)
	check("ops.silent_severities", ops.SilentSeverities, []string{"info", "warning"})
	check("ops.disable_notification", ops.DisableNotification, true)
	check("ops.EditsOnResolve", ops.EditsOnResolve(), false)
	check("ops.IsSilent(critical)", ops.IsSilent("critical"), true)
	check("ops StormThreshold", c.StormThreshold(c.Channel("ops")), 0)
	check("ops bot", telegram.BotConfig(c, ops), c.Telegram)

	ann := c.Channel("announcements")
	check("announcements.send_resolved", ann.ResolvedEnabled(), false)
	check("announcements StormThreshold", c.StormThreshold(ann), 3)
	check("announcements.chat_id", tgOf(ann).ChatID, config.ChatID("@herald_alerts"))
	bot := telegram.BotConfig(c, tgOf(ann))
	check("announcements bot token", string(bot.BotToken), "789:own-bot")
	check("announcements bot api_url", bot.APIURL, "https://tg-mirror.example.com")
	check("announcements bot proxy_url", bot.HTTP.ProxyURL.String(), "http://proxy.example.com:3128")
	check("announcements bot timeout", bot.Timeout, c.Telegram.Timeout)
	check("announcements silent default", tgOf(ann).SilentSeverities, []string{"info", "none"})

	stdout := c.Channel("stdout")
	check("stdout.platform", stdout.Platform, "console")
	check("stdout.message", stdout.Section.(*console.Config).Message, "{{ .Status }}")
	check("stdout.send_resolved", stdout.ResolvedEnabled(), true)

	check("routes[0].parsed", c.Routes[0].Parsed.String(), `{severity="critical",team=~"db|infra",env!="dev"}`)
	check("routes[0].continue", c.Routes[0].Continue, true)
	check("routes[0].repeat_interval", c.Routes[0].RepeatInterval.D(), time.Hour)
	check("routes[1].repeat", c.Routes[1].Repeat, true)
	check("routes[1].repeat_interval", c.Routes[1].RepeatInterval.D(), 4*time.Hour)
	check("default_channel", c.DefaultChannel, "stdout")
	check("templates", c.Templates, []string{filepath.Join(abs, "templates", "*.tmpl")})
	// In the order of the file's sections (Secrets walks the types), then
	// the files of http_configs, header values last.
	check("Secrets", c.Secrets(), []string{"dsn-value", "glsa_from_file", "pw-from-file", "123:good", "789:own-bot", "key-from-default", "tenant-1"})
	c.Prometheus.Headers["X-Scope-OrgID"] = "1"
	check("Secrets without a short header value", c.Secrets(), []string{"dsn-value", "glsa_from_file", "pw-from-file", "123:good", "789:own-bot", "key-from-default"})
	check("Channel(missing)", c.Channel("missing"), (*config.ChannelConfig)(nil))
}

// TestResolveFillsToken checks that HERALD_TELEGRAM_BOT_TOKEN completes a
// file that leaves telegram.bot_token empty, before validation needs it.
func TestResolveFillsToken(t *testing.T) {
	env := fakeEnv(map[string]string{"TELEGRAM_BOT_TOKEN": "", config.EnvTelegramBotToken: "123:env"})
	c, err := resolveAll("testdata/invalid-no-bot-token.yml", true, env)
	if err != nil {
		t.Fatal(err)
	}
	if string(c.Telegram.BotToken) != "123:env" {
		t.Errorf("bot_token not filled from %s", config.EnvTelegramBotToken)
	}
	if got := string(telegram.BotConfig(c, tgOf(c.Channel("own-bot"))).BotToken); got != "456:def" {
		t.Errorf("own-bot token = %q", got)
	}
}
