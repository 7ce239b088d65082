package source

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestExprFromGeneratorURL(t *testing.T) {
	tests := []struct {
		name, url, want string
	}{
		{"prometheus 2.42 (real payload)",
			"http://prometheus.example:9090/graph?g0.expr=%28node_memory_MemAvailable_bytes+%2F+node_memory_MemTotal_bytes+%2A+100%29+%3C+101&g0.tab=1",
			"(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100) < 101"},
		{"prometheus behind a path prefix",
			"https://monitoring.example.com/prometheus/graph?g0.expr=up+%3D%3D+0&g0.tab=1", "up == 0"},
		{"thanos ruler", "http://thanos-query:10902/graph?g0.expr=sum+by+%28job%29+%28rate%28http_requests_total%5B5m%5D%29%29+%3E+10&g0.tab=1",
			"sum by (job) (rate(http_requests_total[5m])) > 10"},
		{"expression with & and %", "http://p/graph?g0.expr=" + url.QueryEscape(`x{path=~"a&b|100%"} > 1`) + "&g0.tab=1",
			`x{path=~"a&b|100%"} > 1`},
		{"parameters in another order", "http://p/graph?g0.tab=1&g0.range_input=1h&g0.expr=up", "up"},
		{"vmui fragment", "http://vmui:8428/vmui/#/?g0.expr=up%20%3D%3D%200", "up == 0"},
		{"vmui fragment with escaped &", "http://vm:8428/vmui/#/?g0.range_input=1h&g0.expr=" + url.QueryEscape(`x{a=~"b&c"}`), `x{a=~"b&c"}`},
		{"grafana explore object (vmalert docs)",
			`http://grafana:3000/explore?orgId=1&left=` + url.QueryEscape(`{"datasource":"VictoriaMetrics","queries":[{"expr":"rate(errors_total[5m]) > 0.1","refId":"A"}],"range":{"from":"now-1h","to":"now"}}`),
			"rate(errors_total[5m]) > 0.1"},
		{"grafana explore legacy array",
			`http://grafana:3000/explore?orgId=1&left=` + url.QueryEscape(`["now-1h","now","VictoriaMetrics",{"expr":"up == 0"},{"mode":"Metrics"},{"ui":[true,true,true,"none"]}]`),
			"up == 0"},
		{"grafana 10 panes", `http://grafana:3000/explore?schemaVersion=1&panes=` +
			url.QueryEscape(`{"zz":{"queries":[{"expr":"second"}]},"abc":{"datasource":"prom","queries":[{"refId":"A","expr":""},{"refId":"B","expr":" first "}]}}`),
			"first"},
		{"space around", "http://p/graph?g0.expr=++up++", "up"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ExprFromGeneratorURL(tt.url)
			if !ok || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
}

func TestExprFromGeneratorURLNone(t *testing.T) {
	for _, u := range []string{
		"",
		"http://vmalert:8880/vmalert/alert?group_id=1036955090143761274&alert_id=1074584496268461589",
		"http://grafana:3000/alerting/grafana/fe1c3b0b/view?orgId=1",
		"http://p/graph?g0.expr=&g0.tab=1",
		"http://p/graph?g0.expr=+++",
		"http://p/graph?g1.expr=up",
		"http://grafana/explore?left=%7Bnot+json",
		`http://grafana/explore?left=` + url.QueryEscape(`{"queries":[{"expr":42}]}`),
		`http://grafana/explore?left=` + url.QueryEscape(`["now-1h","now","Loki",{"refId":"A"}]`),
		"http://p/graph#no-query",
		"::not a url",
		"http://p/graph?%zz&g0.expr",
	} {
		if got, ok := ExprFromGeneratorURL(u); ok || got != "" {
			t.Errorf("%q: got %q, %v", u, got, ok)
		}
	}
}

// FuzzExprFromGeneratorURL checks that any input is safe (no panic, never
// ok with a blank expression) and that every supported form returns
// exactly the expression it was built from.
func FuzzExprFromGeneratorURL(f *testing.F) {
	for _, s := range []string{
		"(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100) < 101",
		`sum by (job) (rate(x{a=~"b&c%d"}[5m])) > 1`,
		"up == 0", "  ", "#?g0.expr=x", `{"expr":"x"}`, "a\x00b", "日本語 > 1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Arbitrary input, as a whole URL.
		if e, ok := ExprFromGeneratorURL(s); ok && strings.TrimSpace(e) == "" {
			t.Fatalf("ok with a blank expression for %q", s)
		}
		want := strings.TrimSpace(s)
		if want == "" {
			return
		}
		forms := map[string]string{
			"prometheus": "http://prometheus:9090/graph?g0.expr=" + url.QueryEscape(s) + "&g0.tab=1",
			"vmui":       "http://vm:8428/vmui/#/?g0.expr=" + url.QueryEscape(s),
		}
		if utf8.ValidString(s) { // JSON cannot carry invalid UTF-8
			left, _ := json.Marshal(explorePane{Queries: []exploreQuery{{Expr: s}}})
			forms["explore"] = "http://grafana:3000/explore?orgId=1&left=" + url.QueryEscape(string(left))
		}
		for name, u := range forms {
			if got, ok := ExprFromGeneratorURL(u); !ok || got != want {
				t.Errorf("%s form %q: got %q, %v; want %q", name, u, got, ok, want)
			}
		}
	})
}
