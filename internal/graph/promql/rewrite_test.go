package promql

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"slices"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

func TestRewriteRules(t *testing.T) {
	if len(ruleCases) < 30 {
		t.Fatalf("only %d rules in the table", len(ruleCases))
	}
	for _, tc := range ruleCases {
		t.Run(tc.name, func(t *testing.T) {
			got := Rewrite(tc.expr, tc.alert, tc.match)
			if got.Query != tc.query {
				t.Errorf("query\n got %s\nwant %s", got.Query, tc.query)
			}
			if !equalThreshold(got.Threshold, tc.thr) || got.Op != tc.op {
				t.Errorf("threshold %s %v, want %s %v", got.Op, deref(got.Threshold), tc.op, deref(tc.thr))
			}
			want := tc.thresholds
			if want == nil && tc.thr != nil {
				want = []Threshold{{Op: tc.op, Value: tc.thr}}
			}
			if !slices.EqualFunc(got.Thresholds, want, equalLine) {
				t.Errorf("thresholds %s, want %s", lines(got.Thresholds), lines(want))
			}
			if !slices.Equal(got.Injected, tc.injected) {
				t.Errorf("injected %q, want %q", got.Injected, tc.injected)
			}
			if got.Rewritten == tc.notRewritten {
				t.Errorf("rewritten %v (reason %q), want %v", got.Rewritten, got.Reason, !tc.notRewritten)
			}
			checkResult(t, tc.expr, got, tc.alert["instance"], tc.instanceEverywhere)
		})
	}
}

// checkResult checks what must hold for any rewrite: the query parses (when the input does), a
// found threshold is gone from the top level, and the instance is selected where promised.
func checkResult(t *testing.T, expr string, got Result, instance string, everywhere bool) {
	t.Helper()
	if (got.Reason == "") != got.Rewritten {
		t.Errorf("rewritten %v with reason %q", got.Rewritten, got.Reason)
	}
	if !got.Rewritten {
		if got.Query != expr {
			t.Errorf("not rewritten, but the query %q is not the input", got.Query)
		}
		return
	}
	q, err := parser.NewParser(parser.Options{}).ParseExpr(got.Query)
	if err != nil {
		t.Fatalf("query %q does not parse: %v", got.Query, err)
	}
	if b, ok := unparen(q).(*parser.BinaryExpr); ok && got.Threshold != nil && b.Op.IsComparisonOperator() && !b.ReturnBool {
		t.Errorf("threshold found but a comparison is still on top: %s", got.Query)
	}
	if !everywhere {
		return
	}
	want := labels.MustNewMatcher(labels.MatchEqual, "instance", instance).String()
	parser.Inspect(q, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok && !slices.ContainsFunc(vs.LabelMatchers, func(m *labels.Matcher) bool {
			return m.String() == want
		}) {
			t.Errorf("selector %s does not select %s", vs, want)
		}
		return nil
	})
}

// TestAndDropsFilter pins the choice for `a and b` / `a unless b`: the values are always a's, b only
// hides them at times, so the chart draws a over the whole window and b is dropped, with or without
// a threshold inside a.
func TestAndDropsFilter(t *testing.T) {
	for expr, want := range map[string]string{
		`rate(x[5m]) > 1 and on(instance) hour() > 8`:      `rate(x{instance="a"}[5m])`,
		`(rate(x[5m]) > 1 unless y == 1) and z`:            `rate(x{instance="a"}[5m])`,
		`changes(x[1h]) and on(instance) maintenance == 0`: `changes(x{instance="a"}[1h])`,
	} {
		got := Rewrite(expr, map[string]string{"instance": "a"}, nil)
		if got.Query != want || !got.Rewritten {
			t.Errorf("%s: got %q (rewritten %v), want %q", expr, got.Query, got.Rewritten, want)
		}
	}
}

// TestWebhookExample charts the alert of a real Alertmanager 0.25 webhook from its generatorURL.
func TestWebhookExample(t *testing.T) {
	raw, err := os.ReadFile("testdata/alertmanager-0.25-webhook-firing.json")
	if err != nil {
		t.Fatal(err)
	}
	var msg struct {
		Alerts []struct {
			Labels       map[string]string `json:"labels"`
			GeneratorURL string            `json:"generatorURL"`
		} `json:"alerts"`
	}
	if err := json.Unmarshal(raw, &msg); err != nil {
		t.Fatal(err)
	}
	a := msg.Alerts[0]
	u, err := url.Parse(a.GeneratorURL)
	if err != nil {
		t.Fatal(err)
	}
	expr := u.Query().Get("g0.expr")
	if expr != `(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100) < 101` {
		t.Fatalf("unexpected expression %q", expr)
	}
	got := Rewrite(expr, a.Labels, nil)
	want := `node_memory_MemAvailable_bytes{instance="node-2.example:9100"} / node_memory_MemTotal_bytes{instance="node-2.example:9100"} * 100`
	if got.Query != want || got.Op != "<" || !equalThreshold(got.Threshold, f(101)) {
		t.Errorf("got %q %s %v, want %q < 101", got.Query, got.Op, deref(got.Threshold), want)
	}
	checkResult(t, expr, got, "node-2.example:9100", true)
}

func TestRewriteNotChartable(t *testing.T) {
	for _, expr := range []string{`x[5m]`, `"text"`, ``, `sum(`, `1`} {
		got := Rewrite(expr, map[string]string{"instance": "a"}, nil)
		if got.Rewritten || got.Query != expr || got.Reason == "" {
			t.Errorf("%q: got %+v, want the input back with a reason", expr, got)
		}
	}
}

// FuzzRewrite feeds random expressions and label values: Rewrite never panics, returns the input
// when it does not rewrite, and otherwise a query that parses and prints back the same.
func FuzzRewrite(f *testing.F) {
	for _, tc := range ruleCases {
		f.Add(tc.expr, "web-1:9100", "node")
	}
	f.Add(`up == 0`, "a\"b\\c\nd", "ж\x00")
	f.Add(`sum by (job) (rate(x[5m])) > 1 and on() y`, "", "\xff")
	f.Add(`{"ünïcode.label"="v"} > 1`, "v", "`")
	f.Add(`count_values("instance", x) > 1`, "1", "j")
	f.Add(`(1 < x) and (x < 2)`, "a", "b")
	f.Add(`x < -1 or x > 1`, "a", "b")
	f.Add(`x > on(instance) group_left(job) y * 0.8`, "a", "b")
	f.Fuzz(func(t *testing.T, expr, instance, job string) {
		alert := map[string]string{"instance": instance, "job": job}
		got := Rewrite(expr, alert, []string{"instance", "job"})
		if !got.Rewritten {
			if got.Query != expr || got.Reason == "" {
				t.Fatalf("not rewritten: query %q for input %q, reason %q", got.Query, expr, got.Reason)
			}
			return
		}
		q, err := parser.NewParser(parser.Options{}).ParseExpr(got.Query)
		if err != nil {
			t.Fatalf("%q rewritten to %q, which does not parse: %v", expr, got.Query, err)
		}
		if q.String() != got.Query {
			t.Fatalf("%q rewritten to %q, which prints back as %q", expr, got.Query, q.String())
		}
		if got.Threshold != nil && got.Op == "" {
			t.Fatalf("%q: threshold without operator", expr)
		}
		if got.Threshold != nil && (len(got.Thresholds) == 0 || !equalThreshold(got.Threshold, got.Thresholds[0].Value) && got.Thresholds[0].Value != nil) {
			t.Fatalf("%q: threshold %v not among the lines", expr, *got.Threshold)
		}
		for _, th := range got.Thresholds {
			if th.Op == "" || (th.Value == nil) == (th.Query == "") {
				t.Fatalf("%q: threshold line %+v", expr, th)
			}
			if th.Query == "" {
				continue
			}
			if q, err := parser.NewParser(parser.Options{}).ParseExpr(th.Query); err != nil || q.String() != th.Query {
				t.Fatalf("%q: threshold query %q does not parse back (%v)", expr, th.Query, err)
			}
		}
	})
}

func BenchmarkRewrite(b *testing.B) {
	alert := map[string]string{"instance": "web-1:9100", "job": "node", "service": "api"}
	exprs := []string{
		`(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100) < 10`,
		`histogram_quantile(0.99, sum by (le, service) (rate(http_request_duration_seconds_bucket[5m]))) > 0.5`,
		`(node_filesystem_avail_bytes * 100) / node_filesystem_size_bytes < 10 and on (instance, device, mountpoint) node_filesystem_readonly == 0`,
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Rewrite(exprs[i%len(exprs)], alert, nil)
	}
}

func equalLine(a, b Threshold) bool {
	return a.Op == b.Op && equalThreshold(a.Value, b.Value) && a.Query == b.Query
}

func lines(ts []Threshold) string {
	s := "["
	for _, t := range ts {
		s += fmt.Sprintf(" {%s %v %q}", t.Op, deref(t.Value), t.Query)
	}
	return s + " ]"
}

func equalThreshold(a, b *float64) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
