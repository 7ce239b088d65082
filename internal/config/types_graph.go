package config

import "time"

// Values of graph.renderer, graph.theme and graph.on_resolve, for code that
// switches on them.
const (
	// RendererBuiltin draws charts in-process (the default).
	RendererBuiltin = "builtin"
	// RendererGrafana renders a panel of a template dashboard through
	// Grafana's image renderer.
	RendererGrafana = "grafana"

	// ThemeLight is the default chart theme.
	ThemeLight = "light"
	// ThemeDark draws light lines on a dark background.
	ThemeDark = "dark"

	// OnResolveEdit replaces the chart of the firing message (the default).
	OnResolveEdit = "edit"
	// OnResolveReply sends the resolved chart as a reply.
	OnResolveReply = "reply"
	// OnResolveNone sends no chart with the resolved event.
	OnResolveNone = "none"
)

// PrometheusConfig is the server Herald queries for charts and rules: any
// server with the Prometheus HTTP API (Prometheus, Thanos, Mimir,
// VictoriaMetrics).
type PrometheusConfig struct {
	// URL is the API base, without /api/v1 ("" = no Prometheus, no charts).
	URL string `yaml:"url"`
	// HTTP is Prometheus' http_config, written directly under prometheus:
	// as in a scrape config (basic_auth, authorization, oauth2, tls_config,
	// proxy_url, http_headers, ...). Its bearer_token and
	// bearer_token_file, which Herald's files have used, are Prometheus'
	// own older spelling of authorization.
	HTTP HTTPClientConfig `yaml:",inline"`
	// Timeout bounds one API call (default 10s).
	Timeout Duration `yaml:"timeout"`
	// Headers are sent with every request: Herald's older spelling of
	// http_headers, kept working (ClientConfig merges them). The values
	// are secrets because multi-tenant proxies take tokens in headers
	// (X-Scope-OrgID is not secret, but an API key header is).
	Headers map[string]Secret `yaml:"headers"`
	// RulesCacheTTL is how long one /api/v1/rules answer serves alert
	// lookups (default 1m; 0 asks every time).
	RulesCacheTTL Duration `yaml:"rules_cache_ttl"`
}

// TLSConfig is the client side of TLS to a server. File paths are made
// absolute (relative to the config file's directory) when loading.
type TLSConfig struct {
	// CAFile verifies the server instead of the system roots.
	CAFile string `yaml:"ca_file"`
	// CertFile and KeyFile are a client certificate, both or neither.
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// ServerName overrides the name checked in the server's certificate.
	ServerName string `yaml:"server_name"`
	// InsecureSkipVerify accepts any server certificate.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
}

// GrafanaConfig is the Grafana server used by the Grafana renderer and by
// the bot's dashboard browser.
type GrafanaConfig struct {
	URL string `yaml:"url"`
	// APIToken is a service account token, sent as a Bearer token (the
	// Viewer role is enough to render); or authenticate with HTTP's
	// basic_auth, authorization or oauth2.
	APIToken     Secret `yaml:"api_token"`
	APITokenFile string `yaml:"api_token_file"`
	// HTTP is Prometheus' http_config, written directly under grafana:
	// (basic_auth, tls_config, proxy_url, ...). Redirects are not followed
	// unless follow_redirects is set: Grafana sends a client whose
	// credentials it refused to its login page.
	HTTP HTTPClientConfig `yaml:",inline"`
	// OrgID is sent as X-Grafana-Org-Id (default 1).
	OrgID int `yaml:"org_id"`
	// Timeout bounds one API call or render (default 30s): Grafana's image
	// renderer takes seconds per panel.
	Timeout Duration `yaml:"timeout"`
}

// GraphConfig controls the charts attached to alerts.
type GraphConfig struct {
	// Enabled turns charts on or off; nil means on when prometheus.url is set.
	Enabled *bool `yaml:"enabled"`
	// Renderer is RendererBuiltin (default) or RendererGrafana.
	Renderer string `yaml:"renderer"`
	// Timeout is the total enrichment budget of one alert event (rule
	// lookup, query and render; default 5s). Past it the alert goes without
	// a chart.
	Timeout Duration `yaml:"timeout"`
	// MatchLabels are the alert labels injected into the query so the chart
	// shows the failing instance only (default [instance]).
	MatchLabels []string `yaml:"match_labels"`
	// RangeFactor times the rule's `for` is the window (default 2),
	// clamped to [MinRange, MaxRange] (defaults 30m, 24h).
	RangeFactor float64  `yaml:"range_factor"`
	MinRange    Duration `yaml:"min_range"`
	MaxRange    Duration `yaml:"max_range"`
	// Width and Height are the image size in pixels (default 1200×600).
	Width  int `yaml:"width"`
	Height int `yaml:"height"`
	// Theme is ThemeLight (default) or ThemeDark.
	Theme string `yaml:"theme"`
	// Timezone names the zone of the time axis (default "UTC").
	Timezone string `yaml:"timezone"`
	// MaxSeries is the most series drawn (default 10, at most
	// MaxGraphSeries); the rest are counted in a note. Only that many are
	// kept while the answer is decoded.
	MaxSeries int `yaml:"max_series"`
	// MaxResponseSize bounds the body of one query_range answer (0 means
	// DefaultMaxResponseSize); past it the chart is dropped. The
	// /api/v1/rules answer may take the larger of it and 32MiB.
	MaxResponseSize Bytes `yaml:"max_response_size"`
	// Font is a TrueType/OpenType font file for labels in scripts the
	// built-in font lacks (CJK). Made absolute when loading.
	Font string `yaml:"font"`
	// OnResolve is what the resolved event does with the chart:
	// OnResolveEdit (default), OnResolveReply or OnResolveNone.
	OnResolve string `yaml:"on_resolve"`
	// Grafana configures the Grafana renderer.
	Grafana GraphGrafanaConfig `yaml:"grafana"`
}

// GraphGrafanaConfig is the template dashboard the Grafana renderer uses.
// Its panel takes the query and title from dashboard variables in the
// render URL, so the dashboard is never edited.
type GraphGrafanaConfig struct {
	// DashboardUID is required when graph.renderer is grafana.
	DashboardUID string `yaml:"dashboard_uid"`
	// PanelID is the panel to render (default 1).
	PanelID int `yaml:"panel_id"`
}

// DefaultPrometheusConfig is the prometheus section an empty file gives.
func DefaultPrometheusConfig() PrometheusConfig {
	return PrometheusConfig{
		HTTP:          DefaultHTTPClientConfig(),
		Timeout:       Duration(10 * time.Second),
		RulesCacheTTL: Duration(time.Minute),
	}
}

// DefaultGrafanaConfig is the grafana section an empty file gives.
func DefaultGrafanaConfig() GrafanaConfig {
	h := DefaultHTTPClientConfig()
	h.FollowRedirects = false
	return GrafanaConfig{HTTP: h, OrgID: 1, Timeout: Duration(30 * time.Second)}
}

// DefaultGraphConfig is the graph section an empty file gives. The window
// defaults follow the alert-with-graph seed: twice the rule's `for`, and
// never so short that the trend before the alert is cut off.
func DefaultGraphConfig() GraphConfig {
	return GraphConfig{
		Renderer:    RendererBuiltin,
		Timeout:     Duration(5 * time.Second),
		MatchLabels: []string{"instance"},
		RangeFactor: 2,
		MinRange:    Duration(30 * time.Minute),
		MaxRange:    Duration(24 * time.Hour),
		Width:       1200,
		Height:      600,
		Theme:       ThemeLight,
		Timezone:    "UTC",
		MaxSeries:   10,
		OnResolve:   OnResolveEdit,
		Grafana:     GraphGrafanaConfig{PanelID: 1},
	}
}

// Bounds of graph.max_series and graph.max_response_size: the point of
// both is to bound what one chart costs.
const (
	// MaxGraphSeries is the most graph.max_series may be; a legend of
	// more lines is unreadable anyway.
	MaxGraphSeries = 100
	// DefaultMaxResponseSize is graph.max_response_size's default.
	DefaultMaxResponseSize Bytes = 16 << 20
	minResponseSize        Bytes = 64 << 10
	maxResponseSize        Bytes = 1 << 30
)

// ResponseSizeLimit is graph.max_response_size, or its default when the
// file does not set it. (The default is applied here, not in
// DefaultGraphConfig, so that a zero value keeps meaning "the default" in
// configurations built in code.)
func (g *GraphConfig) ResponseSizeLimit() Bytes {
	if g.MaxResponseSize <= 0 {
		return DefaultMaxResponseSize
	}
	return g.MaxResponseSize
}

// GraphEnabled reports whether alerts get charts: graph.enabled when set,
// otherwise whenever there is a Prometheus to query.
func (c *Config) GraphEnabled() bool {
	if c.Graph.Enabled != nil {
		return *c.Graph.Enabled
	}
	return c.Prometheus.URL != ""
}
