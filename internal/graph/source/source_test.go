package source

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/prom"
)

// fakeRules is a RulesClient that counts calls, fails on demand, and can
// hold every call until released (or until the call's context ends).
type fakeRules struct {
	mu    sync.Mutex
	rules []prom.Rule
	err   error
	calls int
	block chan struct{}
}

func (f *fakeRules) AlertingRules(ctx context.Context) ([]prom.Rule, error) {
	f.mu.Lock()
	f.calls++
	block := f.block
	f.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rules, f.err
}

func (f *fakeRules) set(rules []prom.Rule, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules, f.err = rules, err
}

func (f *fakeRules) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// clock is a settable time source for the cache's TTL.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const (
	memProd = "(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100) < 101"
	memDev  = "(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100) < 2"
)

// testRules are rules of the shapes that make lookups hard: one name in
// two groups, templated labels, same labels with different expressions.
var testRules = []prom.Rule{
	{Name: "HostMemoryLow", Query: memProd, For: 5 * time.Minute, Labels: map[string]string{"severity": "critical"}, Group: "node"},
	{Name: "HostMemoryLow", Query: memDev, For: 90 * time.Second, Labels: map[string]string{"severity": "warning", "env": "dev"}, Group: "node-dev"},
	{Name: "HighLoad", Query: "node_load1 > 4", For: 10 * time.Minute,
		Labels: map[string]string{"severity": `{{ if gt $value 8.0 }}critical{{ else }}warning{{ end }}`}, Group: "node"},
	{Name: "HighLoad", Query: "node_load15 > 4", For: time.Hour, Labels: map[string]string{"team": "db"}, Group: "db"},
	{Name: "Dup", Query: "a > 1", For: time.Minute, Group: "one"},
	{Name: "Dup", Query: "b > 1", For: 2 * time.Minute, Group: "two"},
	{Name: "Relabelled", Query: "c > 1", For: 3 * time.Minute, Labels: map[string]string{"team": "web"}, Group: "x"},
}

// realAlert is the alert of the real Alertmanager 0.25 payload in testdata.
func realAlert(t *testing.T) amtemplate.Alert {
	t.Helper()
	b, err := os.ReadFile("testdata/alertmanager-0.25-webhook-firing.json")
	if err != nil {
		t.Fatal(err)
	}
	var d amtemplate.Data
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d.Alerts[0]
}

func alert(labels, annotations amtemplate.KV, generatorURL string) amtemplate.Alert {
	return amtemplate.Alert{Status: "firing", Labels: labels, Annotations: annotations, GeneratorURL: generatorURL}
}

func promURL(expr string) string {
	return "http://prometheus:9090/graph?g0.expr=" + url.QueryEscape(expr) + "&g0.tab=1"
}

func TestFind(t *testing.T) {
	real := realAlert(t)
	dev := alert(amtemplate.KV{"alertname": "HostMemoryLow", "instance": "dev-1:9100", "severity": "warning", "env": "dev"}, nil, "")
	tests := []struct {
		name    string
		alert   amtemplate.Alert
		want    Found
		wantErr error
	}{
		{"real payload: expression from the URL, for from the rule its labels select", real,
			Found{Expr: memProd, For: 5 * time.Minute, Origin: OriginGeneratorURL}, nil},
		{"same name, other group, no URL: the rule", dev, Found{Expr: memDev, For: 90 * time.Second, Origin: OriginRule}, nil},
		{"vmalert's default link has no expression",
			alert(dev.Labels, nil, "http://vmalert:8880/vmalert/alert?group_id=1&alert_id=2"),
			Found{Expr: memDev, For: 90 * time.Second, Origin: OriginRule}, nil},
		{"annotation overrides, with a range",
			alert(real.Labels, amtemplate.KV{"herald_query": " node_memory_MemAvailable_bytes ", "herald_range": "6h"}, real.GeneratorURL),
			Found{Expr: "node_memory_MemAvailable_bytes", For: 5 * time.Minute, Range: 6 * time.Hour, Origin: OriginAnnotation}, nil},
		{"invalid range is ignored",
			alert(real.Labels, amtemplate.KV{"herald_query": "x", "herald_range": "soon"}, ""),
			Found{Expr: "x", For: 5 * time.Minute, Origin: OriginAnnotation}, nil},
		{"range without query", alert(real.Labels, amtemplate.KV{"herald_range": "1d"}, real.GeneratorURL),
			Found{Expr: memProd, For: 5 * time.Minute, Range: 24 * time.Hour, Origin: OriginGeneratorURL}, nil},
		{"templated rule label matches any value",
			alert(amtemplate.KV{"alertname": "HighLoad", "severity": "critical", "instance": "a"}, nil, ""),
			Found{Expr: "node_load1 > 4", For: 10 * time.Minute, Origin: OriginRule}, nil},
		{"the more specific rule wins", alert(amtemplate.KV{"alertname": "HighLoad", "team": "db", "severity": "x"}, nil, ""),
			// Both match (a templated severity matches anything), but
			// team=db is a fixed value that matched.
			Found{Expr: "node_load15 > 4", For: time.Hour, Origin: OriginRule}, nil},
		{"the URL's expression decides between equal rules", alert(amtemplate.KV{"alertname": "Dup"}, nil, promURL("b > 1")),
			Found{Expr: "b > 1", For: 2 * time.Minute, Origin: OriginGeneratorURL}, nil},
		{"equal rules without URL: no guess", alert(amtemplate.KV{"alertname": "Dup"}, nil, ""), Found{}, ErrNoQuery},
		{"one rule of the name is taken whatever its labels", alert(amtemplate.KV{"alertname": "Relabelled", "team": "ops"}, nil, ""),
			Found{Expr: "c > 1", For: 3 * time.Minute, Origin: OriginRule}, nil},
		{"no labels match, the URL's expression does",
			alert(amtemplate.KV{"alertname": "HostMemoryLow", "severity": "info"}, nil, promURL(memDev)),
			Found{Expr: memDev, For: 90 * time.Second, Origin: OriginGeneratorURL}, nil},
		{"no labels match, no URL", alert(amtemplate.KV{"alertname": "HostMemoryLow", "severity": "info"}, nil, ""), Found{}, ErrNoQuery},
		{"unknown rule with URL: for unknown", alert(amtemplate.KV{"alertname": "FromElsewhere"}, nil, promURL("up == 0")),
			Found{Expr: "up == 0", Origin: OriginGeneratorURL}, nil},
		{"unknown rule without URL", alert(amtemplate.KV{"alertname": "FromElsewhere"}, nil, ""), Found{}, ErrNoQuery},
		{"no alertname, no URL", alert(amtemplate.KV{"instance": "a"}, nil, ""), Found{}, ErrNoQuery},
		{"no alertname, URL", alert(amtemplate.KV{"instance": "a"}, nil, promURL("up")), Found{Expr: "up", Origin: OriginGeneratorURL}, nil},
	}
	rc := &fakeRules{rules: testRules}
	s := New(rc, time.Minute, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Find(context.Background(), tt.alert)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("got %+v, %v\nwant %+v, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
	if n := rc.count(); n != 1 {
		t.Errorf("%d rules lookups for %d alerts, want 1", n, len(tests))
	}
}
