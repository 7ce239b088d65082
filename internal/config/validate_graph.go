package config

import (
	"bytes"
	"errors"
	"fmt"
	promconfig "github.com/prometheus/common/config"
	"io"
	"maps"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // graph.timezone must load in images without /usr/share/zoneinfo, as it did here

	"github.com/prometheus/common/model"
	"golang.org/x/net/http/httpguts"
)

// Chart size limits: below 200 px nothing readable fits, above 4000 px the
// image outgrows what chat apps show (Telegram scales photos to 2560 px).
const (
	minChartSize = 200
	maxChartSize = 4000
)

// checkPrometheus checks the prometheus section.
func (l *loader) checkPrometheus(p *PrometheusConfig) {
	l.checkAPIURL("prometheus.url", p.URL)
	l.positive("prometheus.timeout", p.Timeout)
	if len(p.Headers) > 0 && p.HTTP.HTTPHeaders != nil && len(p.HTTP.HTTPHeaders.Headers) > 0 {
		l.fieldErrorf("prometheus.headers", "cannot be used together with http_headers (headers is the older spelling: write each as http_headers.<name>.secrets)")
		return
	}
	l.checkHeaders("prometheus.headers", p.Headers, p.HTTP.SetsAuthorization())
}

// ClientConfig is the http_config of the client: HTTP with the older
// headers merged into http_headers.
func (p *PrometheusConfig) ClientConfig() HTTPClientConfig {
	h := p.HTTP
	if len(p.Headers) == 0 {
		return h
	}
	headers := map[string]promconfig.Header{}
	if h.HTTPHeaders != nil {
		maps.Copy(headers, h.HTTPHeaders.Headers)
	}
	for name, v := range p.Headers {
		headers[name] = promconfig.Header{Secrets: []promconfig.Secret{promconfig.Secret(v)}}
	}
	h.HTTPHeaders = &promconfig.Headers{Headers: headers}
	return h
}

// checkGrafana checks the grafana section.
func (l *loader) checkGrafana(g *GrafanaConfig) {
	l.checkAPIURL("grafana.url", g.URL)
	if g.APIToken != "" || g.APITokenFile != "" {
		token := "api_token"
		if g.APIToken == "" {
			token = "api_token_file"
		}
		for _, k := range []struct {
			key string
			on  bool
		}{{"basic_auth", g.HTTP.BasicAuth != nil}, {"oauth2", g.HTTP.OAuth2 != nil},
			{"authorization", g.HTTP.Authorization != nil || g.HTTP.BearerToken != "" || g.HTTP.BearerTokenFile != ""}} {
			if k.on {
				l.fieldErrorf("grafana."+k.key, "cannot be used together with %s", token)
			}
		}
	}
	if g.OrgID <= 0 && !l.hasFailed("grafana.org_id") {
		l.fieldErrorf("grafana.org_id", "must be greater than 0")
	}
	l.positive("grafana.timeout", g.Timeout)
}

// checkAPIURL checks the optional base URL of an API Herald calls.
// Credentials in it are refused: they would be printed wherever the URL is
// (logs, errors), while basic_auth keeps them secret.
func (l *loader) checkAPIURL(field, s string) {
	if s == "" || l.hasFailed(field) {
		return
	}
	if err := checkHTTPURL(s); err != nil {
		l.fieldErrorf(field, "%v", err)
		return
	}
	if u, _ := parseURL(s); u.User != nil {
		l.fieldErrorf(field, "must not contain a user name or password (use basic_auth)")
	}
}

// checkClientAuth checks an optional basic_auth next to a token: one or
// the other, and a complete basic_auth.
func (l *loader) checkClientAuth(prefix string, ba *BasicAuth, hasToken bool, tokenKey string) {
	if ba == nil || l.hasFailed(prefix+".basic_auth") {
		return
	}
	p := prefix + ".basic_auth"
	if hasToken {
		l.fieldErrorf(p, "cannot be used together with %s", tokenKey)
	}
	if ba.Username == "" && l.mayRequire(p+".username") {
		l.fieldErrorf(p+".username", "required")
	}
	if ba.Password == "" && l.mayRequire(p+".password") {
		l.fieldErrorf(p+".password", "required (or password_file)")
	}
}

// checkHeaders checks custom headers. Messages never quote a value: values
// are secrets.
func (l *loader) checkHeaders(field string, h map[string]Secret, hasAuth bool) {
	if l.hasFailed(field) {
		return
	}
	for _, p := range headerProblems(h, hasAuth, func(name string) bool { return l.hasFailed(joinPath(field, name)) }) {
		l.fieldErrorf(joinPath(field, p.name), "%s", p.msg)
	}
}

// headerProblem is what is wrong with one header.
type headerProblem struct{ name, msg string }

// headerProblems checks custom headers: names, values, case-insensitive
// duplicates and, when hasAuth, an Authorization header that would clash
// with the section's own. Headers for which skip is true (they failed to
// decode) are left out.
func headerProblems(h map[string]Secret, hasAuth bool, skip func(string) bool) []headerProblem {
	var out []headerProblem
	seen := map[string]string{}
	// Sorted, so that errors come out in the same order every run.
	for _, name := range slices.Sorted(maps.Keys(h)) {
		canon := http.CanonicalHeaderKey(name)
		switch {
		case skip != nil && skip(name):
		case !httpguts.ValidHeaderFieldName(name):
			out = append(out, headerProblem{name, fmt.Sprintf("invalid header name %q", name)})
		case !httpguts.ValidHeaderFieldValue(string(h[name])):
			out = append(out, headerProblem{name, "the value holds a character not allowed in a header (a line break?)"})
		case seen[canon] != "":
			out = append(out, headerProblem{name, fmt.Sprintf("same header as %q (header names are case-insensitive)", seen[canon])})
		case canon == "Authorization" && hasAuth:
			out = append(out, headerProblem{name, "cannot be used together with basic_auth or bearer_token"})
		default:
			seen[canon] = name
		}
	}
	return out
}

// checkGraph checks the graph section against the prometheus and grafana
// sections it depends on.
func (l *loader) checkGraph(c *Config) {
	g := &c.Graph
	if g.Enabled != nil && *g.Enabled && c.Prometheus.URL == "" && !l.hasFailed("prometheus.url") {
		l.fieldErrorf("graph.enabled", "requires prometheus.url")
	}
	l.oneOf("graph.renderer", g.Renderer, "renderer", RendererBuiltin, RendererGrafana)
	if g.Renderer == RendererGrafana {
		if c.Grafana.URL == "" && !l.hasFailed("grafana.url") {
			l.fieldErrorf("graph.renderer", "grafana needs grafana.url")
		}
		if g.Grafana.DashboardUID == "" && l.mayRequire("graph.grafana.dashboard_uid") {
			l.fieldErrorf("graph.grafana.dashboard_uid", "required when renderer is grafana")
		}
	}
	if g.Grafana.PanelID <= 0 && !l.hasFailed("graph.grafana.panel_id") {
		l.fieldErrorf("graph.grafana.panel_id", "must be greater than 0")
	}
	l.positive("graph.timeout", g.Timeout)
	for i, name := range g.MatchLabels {
		if !model.UTF8Validation.IsValidLabelName(name) && !l.hasFailed(indexPath("graph.match_labels", i)) {
			l.fieldErrorf(indexPath("graph.match_labels", i), "invalid label name %q", name)
		}
	}
	if (!(g.RangeFactor > 0) || math.IsInf(g.RangeFactor, 1)) && !l.hasFailed("graph.range_factor") {
		l.fieldErrorf("graph.range_factor", "must be a number greater than 0")
	}
	l.positive("graph.min_range", g.MinRange)
	l.positive("graph.max_range", g.MaxRange)
	if g.MaxRange > 0 && g.MaxRange < g.MinRange && !l.hasFailed("graph.max_range") && !l.hasFailed("graph.min_range") {
		l.fieldErrorf("graph.max_range", "must not be less than min_range (%s)", g.MinRange)
	}
	l.between("graph.width", g.Width, minChartSize, maxChartSize)
	l.between("graph.height", g.Height, minChartSize, maxChartSize)
	l.oneOf("graph.theme", g.Theme, "theme", ThemeLight, ThemeDark)
	if !l.hasFailed("graph.timezone") {
		// "" and "Local" would follow the host's zone, which differs between
		// a laptop and a container; the chart should not.
		if _, err := time.LoadLocation(g.Timezone); err != nil || g.Timezone == "" || g.Timezone == "Local" {
			l.fieldErrorf("graph.timezone", "unknown time zone %q (want an IANA name such as UTC or Europe/Berlin)", g.Timezone)
		}
	}
	switch {
	case l.hasFailed("graph.max_series"):
	case g.MaxSeries <= 0:
		l.fieldErrorf("graph.max_series", "must be greater than 0")
	case g.MaxSeries > MaxGraphSeries:
		l.fieldErrorf("graph.max_series", "must be at most %d (a legend of more lines is unreadable)", MaxGraphSeries)
	}
	if s := g.MaxResponseSize; s != 0 && (s < minResponseSize || s > maxResponseSize) && !l.hasFailed("graph.max_response_size") {
		l.fieldErrorf("graph.max_response_size", "must be between %s and %s", minResponseSize, maxResponseSize)
	}
	l.checkFont(g)
	l.oneOf("graph.on_resolve", g.OnResolve, "value", OnResolveEdit, OnResolveReply, OnResolveNone)
}

// oneOf reports a value outside an enumeration.
func (l *loader) oneOf(field, v, what string, allowed ...string) {
	if slices.Contains(allowed, v) || l.hasFailed(field) {
		return
	}
	want := strings.Join(allowed[:len(allowed)-1], ", ") + " or " + allowed[len(allowed)-1]
	l.fieldErrorf(field, "unknown %s %q (want %s)", what, v, want)
}

// between reports an integer outside [lo, hi].
func (l *loader) between(field string, v, lo, hi int) {
	if (v < lo || v > hi) && !l.hasFailed(field) {
		l.fieldErrorf(field, "must be between %d and %d", lo, hi)
	}
}

// fontMagic are the first four bytes of the font files the renderer can
// parse: TrueType, OpenType (CFF), Apple TrueType and collections (.ttc,
// which is how Noto Sans CJK ships).
var fontMagic = [][]byte{{0, 1, 0, 0}, []byte("OTTO"), []byte("true"), []byte("ttcf")}

// checkFont makes graph.font absolute and checks that it is a font file,
// so that a wrong path stops Herald at start-up instead of every chart
// falling back to boxes for CJK text.
func (l *loader) checkFont(g *GraphConfig) {
	const field = "graph.font"
	if g.Font == "" || l.hasFailed(field) {
		return
	}
	written := g.Font
	if !filepath.IsAbs(g.Font) {
		g.Font = filepath.Join(l.dir, g.Font)
	}
	f, err := os.Open(g.Font)
	if err != nil {
		l.fieldErrorf(field, "cannot read %q: %v", written, stripPathError(err))
		return
	}
	defer f.Close()
	head := make([]byte, 4)
	if _, err := io.ReadFull(f, head); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		l.fieldErrorf(field, "cannot read %q: %v", written, stripPathError(err))
		return
	}
	if !slices.ContainsFunc(fontMagic, func(m []byte) bool { return bytes.Equal(head, m) }) {
		l.fieldErrorf(field, "%q is not a TrueType or OpenType font (.ttf, .otf, .ttc)", written)
	}
}
