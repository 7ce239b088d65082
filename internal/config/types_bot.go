package config

import "time"

// The bot's modes (telegram.mode).
const (
	BotPolling = "polling"
	BotWebhook = "webhook"
	BotOff     = "off"
)

// Who may make changes from chat (telegram.changes).
const (
	ChangesByAdmins  = "admins"
	ChangesByAllowed = "allowed"
)

// BotLanguages are the languages the bot speaks.
var BotLanguages = []string{"en", "ru", "uk", "zh"}

// AlertmanagerConfig is the Alertmanager the bot lists alerts from and
// silences in (API v2).
type AlertmanagerConfig struct {
	// URL is Alertmanager's base URL, e.g. http://alertmanager:9093;
	// empty: /alerts answers from Herald's own store and silences are off.
	URL string `yaml:"url"`
	// HTTP is Prometheus' http_config, written directly under alertmanager:.
	HTTP HTTPClientConfig `yaml:",inline"`
	// Timeout bounds one API call (default 10s).
	Timeout Duration `yaml:"timeout"`
}

// DefaultAlertmanagerConfig is the alertmanager section an empty file gives.
func DefaultAlertmanagerConfig() AlertmanagerConfig {
	return AlertmanagerConfig{HTTP: DefaultHTTPClientConfig(), Timeout: Duration(10 * time.Second)}
}

// Chart sources (charts[].source).
const (
	ChartPrometheus = "prometheus"
	ChartLocal      = "local"
)

// ChartConfig is one saved chart (charts[]): /chart <name>, /hour, /day
// and /week draw it.
type ChartConfig struct {
	Name  string `yaml:"name"`
	Title string `yaml:"title"`
	// Source is where the data comes from: "prometheus" (default; Query
	// is PromQL) or "local" (Herald's own collected history; Query is a
	// metric name with optional matchers, e.g. lag_blocks{check="eth"}).
	Source string `yaml:"source"`
	// Query is a PromQL expression, or a selector for source local.
	Query string `yaml:"query"`
	// Unit is a Grafana unit id (percent, bytes, s, ...); empty: found from
	// the query as for alerts.
	Unit string `yaml:"unit"`
	// Thresholds are drawn as horizontal lines.
	Thresholds []float64 `yaml:"thresholds"`
	// Range is the default window (default 1h).
	Range Duration `yaml:"range"`
}
