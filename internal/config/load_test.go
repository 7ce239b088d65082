package config_test

import (
	"errors"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify/console"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fakeEnv returns a getenv over a fixed map, so tests never depend on the
// environment of the machine running them.
func fakeEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// TestLoadInvalid pairs every testdata/invalid-*.yml with the exact text
// `herald check-config` prints for it.
func TestLoadInvalid(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"invalid-unknown-key-top.yml", `testdata/invalid-unknown-key-top.yml:1: unknown field "listen_adress"
testdata/invalid-unknown-key-top.yml:4: unknown field "colectors"`},
		{"invalid-unknown-key-nested.yml", `testdata/invalid-unknown-key-nested.yml:3: telegram.rate_limits: unknown field "perchat"
testdata/invalid-unknown-key-nested.yml:7: channels[0].telegram: unknown field "chatid"
testdata/invalid-unknown-key-nested.yml:9: channels[1]: unknown field "telgram"`},
		{"invalid-wrong-type.yml", "testdata/invalid-wrong-type.yml:4: telegram.rate_limits.per_group_per_minute: cannot unmarshal !!str `many` into int\n" +
			"testdata/invalid-wrong-type.yml:5: telegram.rate_limits.global: cannot unmarshal !!seq into int\n" +
			"testdata/invalid-wrong-type.yml:6: channels: must be a list, got !!str"},
		{"invalid-duration.yml", `testdata/invalid-duration.yml:2: delivery.max_age: unknown unit "x" in duration "5x"
testdata/invalid-duration.yml:3: delivery.timeout: not a valid duration string: "10"
testdata/invalid-duration.yml:5: delivery.max_backoff: must not be less than initial_backoff (1h)`},
		{"invalid-matcher.yml", "testdata/invalid-matcher.yml:5: routes[0].matchers[2]: invalid matcher \"severity=~\\\"(crit\\\"\": error parsing regexp: missing closing ): `^(?:(crit)$`\n" +
			`testdata/invalid-matcher.yml:6: routes[0].matchers[3]: invalid matcher "not a matcher": bad matcher format: not a matcher`},
		{"invalid-route-unknown-channel.yml", `testdata/invalid-route-unknown-channel.yml:6: routes[0].channels[1]: unknown channel "pager"
testdata/invalid-route-unknown-channel.yml:7: routes[1].channels: a route needs at least one channel`},
		{"invalid-duplicate-channel.yml", `testdata/invalid-duplicate-channel.yml:4: channels[1].name: duplicate channel name "ops" (also channels[0])
testdata/invalid-duplicate-channel.yml:6: channels[2].name: invalid channel name "ops team" (use letters, digits, '_', '.' and '-')
testdata/invalid-duplicate-channel.yml:8: channels[3].name: required`},
		{"invalid-two-platforms.yml", `testdata/invalid-two-platforms.yml:4: channels[0]: telegram and console are both set; a channel has exactly one platform`},
		// The list is the registered platforms', in their order: registering one adds it here.
		{"invalid-no-platform.yml", `testdata/invalid-no-platform.yml:2: channels[0]: no platform set (want one of: ` + platformNames() + `)`},
		{"invalid-missing-chat-id.yml", `testdata/invalid-missing-chat-id.yml:5: channels[0].telegram.chat_id: required
testdata/invalid-missing-chat-id.yml:9: channels[1].telegram.chat_id: invalid chat id "ops-chat" (want a non-zero integer or "@channelname")`},
		{"invalid-no-bot-token.yml", `testdata/invalid-no-bot-token.yml:3: channels[0].telegram: channel "ops" has no bot token: set telegram.bot_token (or bot_token_file) or this channel's bot_token`},
		{"invalid-unset-env.yml", `testdata/invalid-unset-env.yml:3: telegram.bot_token: environment variable HERALD_TEST_UNSET_TOKEN is not set
testdata/invalid-unset-env.yml:7: channels[0].telegram.chat_id: environment variable HERALD_TEST_UNSET_CHAT is not set
testdata/invalid-unset-env.yml:8: channels[0].telegram.message: unterminated "${" (write "$${" for a literal "${")`},
		{"invalid-token-and-file.yml", `testdata/invalid-token-and-file.yml:3: telegram.bot_token_file: cannot be used together with bot_token`},
		{"invalid-unreadable-file.yml", `testdata/invalid-unreadable-file.yml:2: storage.dsn_file: cannot read "secrets/no-such-dsn": no such file or directory
testdata/invalid-unreadable-file.yml:4: telegram.bot_token_file: cannot read "secrets/no-such-token": no such file or directory
testdata/invalid-unreadable-file.yml:8: webhook.basic_auth.password_file: file "secrets/empty" is empty`},
		{"invalid-postgres-dsn.yml", `testdata/invalid-postgres-dsn.yml:3: storage.dsn: not a PostgreSQL DSN (want postgres://user:password@host:5432/herald or host=… dbname=… key=value pairs)
testdata/invalid-postgres-dsn.yml:4: storage.lease_duration: must be at least 2s`},
		{"invalid-bot.yml", `testdata/invalid-bot.yml:5: telegram.webhook.url: must be an https URL: Telegram posts to HTTPS only
testdata/invalid-bot.yml:6: telegram.webhook.secret_token: must be 1 to 256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)
testdata/invalid-bot.yml:7: telegram.allowed_users[1]: invalid @username "@ab" (5 to 32 letters, digits and _)
testdata/invalid-bot.yml:7: telegram.allowed_users[2]: invalid id -5 (user ids are positive; send /start to the bot to see yours)
testdata/invalid-bot.yml:8: telegram.allowed_chats[1]: want a numeric id or an @username, got "chat"
testdata/invalid-bot.yml:9: telegram.changes: unknown value "everyone" (want admins or allowed)
testdata/invalid-bot.yml:10: telegram.commands_per_minute: must be greater than 0
testdata/invalid-bot.yml:11: telegram.language: unknown language "fr" (want one of en, ru, uk, zh)
testdata/invalid-bot.yml:13: alertmanager.url: must be an absolute http or https URL
testdata/invalid-bot.yml:15: charts[0].name: invalid name "CPU" (1 to 32 of a-z, 0-9, _ and -, as typed after /chart)
testdata/invalid-bot.yml:16: charts[0].query: invalid PromQL: 1:11: parse error: unclosed left parenthesis
testdata/invalid-bot.yml:17: charts[0].unit: unknown unit "furlongs" (want a Grafana unit id such as percent, bytes, s or Bps)
testdata/invalid-bot.yml:20: charts[2].name: duplicate chart name "load"
testdata/invalid-bot.yml:22: charts[2].range: not a valid duration string: "-1h"`},
		// A URL that does not parse is not quoted: it holds a password.
		{"invalid-proxy-password.yml", `testdata/invalid-proxy-password.yml:3: telegram.proxy_urls[0]: invalid URL: invalid URL escape "%zz"
testdata/invalid-proxy-password.yml:6: prometheus.proxy_url: invalid URL: invalid URL escape "%zz"`},
		{"invalid-collectors.yml", `testdata/invalid-collectors.yml:2: collectors.retention.5m: must not be shorter than raw (30d): a coarser resolution is kept longer
testdata/invalid-collectors.yml:6: collectors.docker.hosts[1].name: duplicate name "local" (also collectors.docker.hosts[0])
testdata/invalid-collectors.yml:6: collectors.docker.hosts[1].url: tcp:// needs host:port, e.g. tcp://docker.internal:2376
testdata/invalid-collectors.yml:7: collectors.docker.hosts[2].url: ssh:// needs user@host, e.g. ssh://herald@docker-1.internal
testdata/invalid-collectors.yml:7: collectors.docker.hosts[2].ssh: no way to log in: set key_file, password (or password_file) or agent: true
testdata/invalid-collectors.yml:8: collectors.docker.hosts[3].ssh.known_hosts: cannot read "nothere": no such file or directory
testdata/invalid-collectors.yml:9: collectors.docker.hosts[4].url: unsupported scheme "http" (want unix, tcp or ssh)
testdata/invalid-collectors.yml:9: collectors.docker.hosts[4].tls_config: only for tcp:// hosts
testdata/invalid-collectors.yml:11: collectors.exec[0].command: required: the program and its arguments, e.g. [/usr/local/bin/lag.sh, --json]
testdata/invalid-collectors.yml:12: collectors.exec[1].command: with shell: true, give one string (the script for /bin/sh -c)
testdata/invalid-collectors.yml:12: collectors.exec[1].timeout: must not be longer than the interval (10s)
testdata/invalid-collectors.yml:14: collectors.rules[0].threshold: required with cpu_above
testdata/invalid-collectors.yml:15: collectors.rules[1].when: unknown condition "exploded" (want one of host_down, container_exited, container_restarted, container_unhealthy, cpu_above, memory_above, check_failed, metric_above, metric_below)
testdata/invalid-collectors.yml:16: collectors.rules[2].metric: required with metric_above: the name of a sample an exec check prints
testdata/invalid-collectors.yml:18: charts[0].query: with source local, want a metric name with optional matchers, e.g. lag_blocks{check="eth"}: 1:5: parse error: unexpected "("`},
		{"invalid-default-channel.yml", `testdata/invalid-default-channel.yml:4: default_channel: unknown channel "ops"`},
		{"invalid-proxy-scheme.yml", `testdata/invalid-proxy-scheme.yml:3: telegram.proxy_url: unsupported proxy scheme "ftp" (want http, https, socks5 or socks5h)
testdata/invalid-proxy-scheme.yml:4: telegram.api_url: must be an absolute http or https URL
testdata/invalid-proxy-scheme.yml:9: channels[0].telegram.proxy_url: unsupported proxy scheme "socks4" (want http, https, socks5 or socks5h)`},
		{"invalid-templates.yml", `testdata/invalid-templates.yml:3: templates[1]: "templates/missing-*.tmpl" matches no file
testdata/invalid-templates.yml:4: templates[2]: invalid pattern "templates/[.tmpl": syntax error in pattern`},
		{"invalid-listen-address.yml", `testdata/invalid-listen-address.yml:1: listen_address: invalid address "9096": missing port in address (want host:port, e.g. ":9096")
testdata/invalid-listen-address.yml:2: external_url: must be an absolute http or https URL`},
		{"invalid-storage.yml", `testdata/invalid-storage.yml:1: storage.dsn: the postgres driver needs storage.dsn or storage.dsn_file (postgres://user:password@host:5432/herald?sslmode=require)
testdata/invalid-storage.yml:3: storage.synchronous: invalid value "SOMETIMES" (want FULL, NORMAL, EXTRA or OFF)
testdata/invalid-storage.yml:4: storage.busy_timeout: must be greater than 0
testdata/invalid-storage.yml:6: webhook.max_body_size: invalid size "5 parsecs" (want a number of bytes, optionally with a unit: kB, MB, GB, KiB, MiB, GiB)
testdata/invalid-storage.yml:8: webhook.basic_auth: cannot be used together with bearer_token`},
		{"invalid-images-s3.yml", `testdata/invalid-images-s3.yml:2: images.s3.secret_access_key: required (or secret_access_key_file)
testdata/invalid-images-s3.yml:4: images.s3.region: "eu-west-1" does not match the endpoint's region "eu-central-1"
testdata/invalid-images-s3.yml:5: images.s3.bucket: invalid bucket name "herald_charts!" (3 to 63 letters, digits, '.', '-' or '_', starting and ending with a letter or digit)
testdata/invalid-images-s3.yml:6: images.s3.prefix: must not start with "/"
testdata/invalid-images-s3.yml:8: images.s3.public_url: must not have a query or fragment
testdata/invalid-images-s3.yml:9: images.s3.timeout: must be greater than 0`},
		{"invalid-images-s3-endpoint.yml", `testdata/invalid-images-s3-endpoint.yml:2: images.ttl: must be positive
testdata/invalid-images-s3-endpoint.yml:3: images.s3.bucket: required
testdata/invalid-images-s3-endpoint.yml:3: images.s3.access_key_id: required
testdata/invalid-images-s3-endpoint.yml:4: images.s3.endpoint: must not have a path, got "/herald-charts" (put the bucket in bucket and the folder in prefix)
testdata/invalid-images-s3-endpoint.yml:6: images.s3.secret_access_key_file: cannot be used together with secret_access_key`},
		{"invalid-images-s3-values.yml", `testdata/invalid-images-s3-values.yml:3: images.s3.endpoint: must not contain a user name or password
testdata/invalid-images-s3-values.yml:4: images.s3.region: invalid region "eu central"
testdata/invalid-images-s3-values.yml:5: images.s3.bucket: invalid bucket name "ab" (3 to 63 letters, digits, '.', '-' or '_', starting and ending with a letter or digit)
testdata/invalid-images-s3-values.yml:6: images.s3.prefix: invalid prefix "charts/é" (use letters, digits and / ! - _ . * ' ( ))
testdata/invalid-images-s3-values.yml:7: images.s3.path_style: cannot unmarshal !!str ` + "`sometimes`" + ` into bool`},
		{"invalid-syntax.yml", `testdata/invalid-syntax.yml:2: did not find expected '-' indicator`},
		{"invalid-duplicate-key.yml", `testdata/invalid-duplicate-key.yml:3: listen_address: already set at line 1`},
		{"invalid-prometheus.yml", `testdata/invalid-prometheus.yml:2: prometheus.url: must be an absolute http or https URL
testdata/invalid-prometheus.yml:4: prometheus.basic_auth: cannot be used together with bearer_token
testdata/invalid-prometheus.yml:6: prometheus.timeout: must be greater than 0
testdata/invalid-prometheus.yml:7: prometheus.rules_cache_ttl: not a valid duration string: "soon"
testdata/invalid-prometheus.yml:8: prometheus.tls_config.key_file: required when cert_file is set
testdata/invalid-prometheus.yml:9: prometheus.tls_config.ca_file: cannot read "tls/missing-ca.pem": no such file or directory
testdata/invalid-prometheus.yml:12: grafana.url: must not contain a user name or password (use basic_auth)
testdata/invalid-prometheus.yml:14: grafana.api_token_file: cannot be used together with api_token
testdata/invalid-prometheus.yml:15: grafana.org_id: must be greater than 0
testdata/invalid-prometheus.yml:16: grafana.timeout: must be greater than 0
testdata/invalid-prometheus.yml:17: grafana.basic_auth: cannot be used together with api_token`},
		{"invalid-headers.yml", `testdata/invalid-headers.yml:5: prometheus.headers.X Bad: invalid header name "X Bad"
testdata/invalid-headers.yml:7: prometheus.headers.x-scope-orgid: same header as "X-Scope-OrgID" (header names are case-insensitive)
testdata/invalid-headers.yml:8: prometheus.headers.X-Token: the value holds a character not allowed in a header (a line break?)
testdata/invalid-headers.yml:9: prometheus.headers.Authorization: cannot be used together with basic_auth or bearer_token
testdata/invalid-headers.yml:10: prometheus.headers.X-Api-Key: environment variable HERALD_TEST_UNSET_KEY is not set
testdata/invalid-headers.yml:11: prometheus.headers.X-Scope-OrgID: already set at line 6`},
		{"invalid-graph.yml", `testdata/invalid-graph.yml:2: graph.enabled: requires prometheus.url
testdata/invalid-graph.yml:3: graph.renderer: grafana needs grafana.url
testdata/invalid-graph.yml:4: graph.timeout: must be greater than 0
testdata/invalid-graph.yml:5: graph.match_labels[1]: invalid label name ""
testdata/invalid-graph.yml:6: graph.range_factor: must be a number greater than 0
testdata/invalid-graph.yml:8: graph.max_range: must not be less than min_range (2h)
testdata/invalid-graph.yml:9: graph.width: must be between 200 and 4000
testdata/invalid-graph.yml:10: graph.height: must be between 200 and 4000
testdata/invalid-graph.yml:11: graph.theme: unknown theme "blue" (want light or dark)
testdata/invalid-graph.yml:12: graph.timezone: unknown time zone "Mars/Olympus" (want an IANA name such as UTC or Europe/Berlin)
testdata/invalid-graph.yml:13: graph.max_series: must be greater than 0
testdata/invalid-graph.yml:14: graph.font: cannot read "fonts/missing.ttf": no such file or directory
testdata/invalid-graph.yml:15: graph.on_resolve: unknown value "delete" (want edit, reply or none)
testdata/invalid-graph.yml:16: graph.grafana.dashboard_uid: required when renderer is grafana
testdata/invalid-graph.yml:17: graph.grafana.panel_id: must be greater than 0`},
		{"invalid-graph-files.yml", `testdata/invalid-graph-files.yml:3: prometheus.headers: must be a mapping, got a list
testdata/invalid-graph-files.yml:4: prometheus.tls_config: cert_file and key_file: tls: private key does not match public key
testdata/invalid-graph-files.yml:5: prometheus.tls_config.ca_file: "secrets/token" holds no PEM certificate
testdata/invalid-graph-files.yml:9: grafana.url: must be an absolute http or https URL
testdata/invalid-graph-files.yml:11: graph.renderer: unknown renderer "Grafana" (want builtin or grafana)
testdata/invalid-graph-files.yml:12: graph.font: "templates/herald.tmpl" is not a TrueType or OpenType font (.ttf, .otf, .ttc)
testdata/invalid-graph-files.yml:13: graph.timezone: unknown time zone "Local" (want an IANA name such as UTC or Europe/Berlin)
testdata/invalid-graph-files.yml:14: graph.range_factor: must be a number greater than 0`},
		{"invalid-webhook-headers.yml", `testdata/invalid-webhook-headers.yml:6: channels[0].webhook.headers.X Bad: invalid header name "X Bad"
testdata/invalid-webhook-headers.yml:7: channels[0].webhook.headers.X-Token: the value holds a character not allowed in a header (a line break?)
testdata/invalid-webhook-headers.yml:9: channels[0].webhook.signature_header: invalid header name "X Signature"`},
		{"invalid-http-config.yml", `testdata/invalid-http-config.yml:8: channels[0].webhook.http_config.authorization: cannot be used together with basic_auth
testdata/invalid-http-config.yml:13: channels[1].dingtalk.http_config.proxy_url: unsupported proxy scheme "ftp" (want http, https, socks5 or socks5h)
testdata/invalid-http-config.yml:19: channels[2].webhook.http_config.tls_config.ca_file: cannot read "tls/missing-ca.pem": no such file or directory
testdata/invalid-http-config.yml:21: channels[2].webhook.http_config.authorization.credentials_file: cannot read "secrets/missing": no such file or directory
testdata/invalid-http-config.yml:26: channels[3].mattermost.http_config: unknown field "proxy_urll"
testdata/invalid-http-config.yml:27: channels[3].mattermost.http_config.follow_redirects: cannot unmarshal !!str ` + "`maybe`" + ` into bool
testdata/invalid-http-config.yml:32: channels[4].feishu.http_config.authorization.credentials_ref: not supported: Herald has no secret manager (use credentials_file)
testdata/invalid-http-config.yml:38: channels[5].webhook.http_config: if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured
testdata/invalid-http-config.yml:43: channels[6].webhook.http_config: oauth2 token_url must be configured
testdata/invalid-http-config.yml:48: channels[7].webhook.http_config: setting header "Authorization" is not allowed
testdata/invalid-http-config.yml:55: channels[8].webhook.http_config.tls_config.key_file: required when cert_file is set`},
		{"invalid-dingtalk-url.yml", `testdata/invalid-dingtalk-url.yml:4: channels[0].dingtalk.url: has no access_token parameter (copy the whole webhook address from the robot's settings: https://oapi.dingtalk.com/robot/send?access_token=…)
testdata/invalid-dingtalk-url.yml:7: channels[1].dingtalk.url: has no access_token parameter (copy the whole webhook address from the robot's settings: https://oapi.dingtalk.com/robot/send?access_token=…)`},
		{"invalid-platform-values.yml", `testdata/invalid-platform-values.yml:2: grafana.url: must not contain a query or a fragment
testdata/invalid-platform-values.yml:4: telegram.bot_token: contains characters that cannot be in a URL path (want the token as BotFather gives it)
testdata/invalid-platform-values.yml:8: channels[0].wecom.url: has no key parameter (copy the whole webhook address from the robot's settings: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…)
testdata/invalid-platform-values.yml:11: channels[1].discord.url: must end in /webhooks/ID/TOKEN (copy it with "Copy Webhook URL"; the /slack and /github variants are not supported)
testdata/invalid-platform-values.yml:12: channels[1].discord.username: "Clyde" is refused by Discord (it must not contain "discord" or "clyde")
testdata/invalid-platform-values.yml:15: channels[2].discord.url: must not contain a user name or password
testdata/invalid-platform-values.yml:18: channels[3].slack.bot_token: contains blanks (want the token as Slack shows it, xoxb-…)
testdata/invalid-platform-values.yml:23: channels[4].telegram.bot_token: contains characters that cannot be in a URL path (want the token as BotFather gives it)`},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			c, err := load(filepath.Join("testdata", tt.file), fakeEnv(nil), "")
			if err == nil {
				t.Fatalf("loaded without error: %+v", c)
			}
			if c != nil {
				t.Errorf("got a config along with the error")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error text\n got: %s\nwant: %s", got, tt.want)
			}
			// The files write their secrets as s3cr3t and hunter2.
			if got := err.Error(); strings.Contains(got, "s3cr3t") || strings.Contains(got, "hunter2") {
				t.Errorf("error text leaks a secret:\n%s", got)
			}
			var errs *config.Errors
			if !errors.As(err, &errs) || len(errs.List) == 0 {
				t.Fatalf("error is %T, want *Errors", err)
			}
			var one *config.Error
			if !errors.As(err, &one) || one.File != filepath.Join("testdata", tt.file) {
				t.Errorf("errors.As(*Error) = %+v", one)
			}
		})
	}
	// Every invalid file must be in the table, so none is silently skipped.
	files, _ := filepath.Glob("testdata/invalid-*.yml")
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("%s has no expected error in the table", f)
		}
	}
}

// TestLoadMinimal loads the minimal example from the docs as written.
func TestLoadMinimal(t *testing.T) {
	t.Setenv("TELEGRAM_BOT_TOKEN", "123:minimal")
	c, err := loadAll("testdata/minimal.yml")
	if err != nil {
		t.Fatal(err)
	}
	if string(c.Telegram.BotToken) != "123:minimal" {
		t.Errorf("bot token not expanded")
	}
	ops := c.Channel("ops")
	if ops == nil || tgOf(ops) == nil || tgOf(ops).ChatID != "-1001234567890" {
		t.Fatalf("channel ops = %+v", ops)
	}
	if !ops.ResolvedEnabled() || !tgOf(ops).EditsOnResolve() {
		t.Errorf("channel defaults not applied: %+v %+v", ops, tgOf(ops))
	}
	if !reflect.DeepEqual(tgOf(ops).SilentSeverities, []string{"info", "none"}) {
		t.Errorf("silent_severities = %v", tgOf(ops).SilentSeverities)
	}
	if len(c.Routes) != 1 || len(c.Routes[0].Parsed) != 1 || c.Routes[0].Parsed[0].String() != `severity="critical"` {
		t.Errorf("routes = %+v", c.Routes)
	}
	if c.Routes[0].RepeatInterval.D() != time.Hour {
		t.Errorf("repeat_interval = %s", c.Routes[0].RepeatInterval)
	}
	if c.DefaultChannel != "ops" || c.File != "testdata/minimal.yml" {
		t.Errorf("default_channel %q, file %q", c.DefaultChannel, c.File)
	}
	if c.DatabasePath() != filepath.Join("data", "herald.db") {
		t.Errorf("DatabasePath = %q", c.DatabasePath())
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := loadAll("testdata/does-not-exist.yml")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want fs.ErrNotExist", err)
	}
}

// TestLoadEmpty checks that a file with no settings (empty, blank,
// comments only, or a null document) is refused: a reload with a truncated
// file must not drop every channel.
func TestLoadEmpty(t *testing.T) {
	for _, text := range []string{"", "\n\n", "# nothing yet\n# really\n", "---\n", "~\n"} {
		path := filepath.Join(t.TempDir(), "herald.yml")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := loadAll(path)
		if err == nil || !strings.HasPrefix(err.Error(), path) ||
			!strings.HasSuffix(err.Error(), ": configuration file is empty (write {} to run on the defaults)") {
			t.Errorf("%q: err = %v, want the empty-file error", text, err)
		}
	}
}

// TestLoadDefaults checks that "{}" means all defaults plus the console
// channel.
func TestLoadDefaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.yml")
	if err := os.WriteFile(path, []byte("# defaults\n{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := loadAll(path)
	if err != nil {
		t.Fatal(err)
	}
	want := config.DefaultConfig()
	want.File = path
	cons := config.DefaultChannelConfig()
	cons.Name, cons.Platform, cons.Section = config.ConsoleChannelName, "console", &console.Config{}
	want.Channels = []config.ChannelConfig{cons}
	want.DefaultChannel = config.ConsoleChannelName
	if !reflect.DeepEqual(c, &want) {
		t.Errorf("got  %+v\nwant %+v", c, &want)
	}
	if c.ListenAddress != ":9096" || c.Storage.BusyTimeout.D() != 5*time.Second ||
		c.Webhook.MaxBodySize != 5<<20 || c.Telegram.APIURL != "https://api.telegram.org" ||
		c.Delivery.MaxAge.D() != 24*time.Hour || c.StormThreshold(nil) != 10 {
		t.Errorf("defaults: %+v", c)
	}
}

func TestLoadMultipleDocuments(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.yml")
	if err := os.WriteFile(path, []byte("data_dir: a\n---\ndata_dir: b\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := loadAll(path)
	if err == nil || err.Error() != path+":2: only one YAML document is allowed" {
		t.Fatalf("err = %v", err)
	}
}

// TestLoadAnchors checks that YAML anchors and merge keys work, with keys
// written next to the merge winning and ${VAR} expanded in merged values.
func TestLoadAnchors(t *testing.T) {
	c, err := load("testdata/anchors.yml", fakeEnv(nil), "")
	if err != nil {
		t.Fatal(err)
	}
	a, b := tgOf(&c.Channels[0]), tgOf(&c.Channels[1])
	if a.MessageThreadID != 7 || b.MessageThreadID != 8 || b.ChatID != a.ChatID ||
		!b.DisableNotification || a.DisableNotification || b.Message != "hello" {
		t.Errorf("a = %+v\nb = %+v", a, b)
	}
}

// TestEmptySection checks that "console:" with nothing under it selects the
// platform with its defaults, while an empty optional scalar means unset.
func TestEmptySection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.yml")
	yml := "channels:\n  - name: out\n    console:\n    storm_threshold:\n    send_resolved: ~\n"
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := loadAll(path)
	if err != nil {
		t.Fatal(err)
	}
	ch := c.Channel("out")
	if ch.Platform != "console" || ch.StormThreshold != nil || ch.SendResolved != nil || !ch.ResolvedEnabled() {
		t.Errorf("channel = %+v", ch)
	}
}
