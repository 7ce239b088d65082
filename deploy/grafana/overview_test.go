// Package grafana holds Grafana dashboards: herald-alert-dashboard.json,
// the template of the Grafana chart renderer, and herald-overview.json,
// the dashboard of Herald's own metrics. Its Go test checks that every
// query of the overview parses and names only metrics Herald exposes.
package grafana

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"github.com/heraldhq/herald/internal/testutil"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/heraldhq/herald/internal/app"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/platforms"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

// dashboard is the part of a dashboard's JSON the test reads.
type dashboard struct {
	UID        string  `json:"uid"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	Title      string      `json:"title"`
	Type       string      `json:"type"`
	Datasource *datasource `json:"datasource"`
	Targets    []struct {
		Expr       string      `json:"expr"`
		Datasource *datasource `json:"datasource"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // a collapsed row's
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// variable is a Grafana variable reference: $name, ${name} or ${name:fmt}.
var variable = regexp.MustCompile(`\$\{(\w+)(?::\w+)?\}|\$(\w+)`)

// expand gives the variables values that make a query PromQL: a range for
// the interval variables, a regexp for the label selectors.
func expand(expr string) string {
	return variable.ReplaceAllStringFunc(expr, func(v string) string {
		name := strings.Trim(v, "${}")
		name, _, _ = strings.Cut(name, ":")
		if strings.HasPrefix(name, "__") { // $__rate_interval, $__interval, $__range
			return "5m"
		}
		return ".+"
	})
}

// labelValues is the metric selector of label_values(selector, label).
var labelValues = regexp.MustCompile(`^label_values\((.+),\s*\w+\)$`)

// queries are the PromQL expressions of d, keyed by where they are.
func queries(t *testing.T, d *dashboard) map[string]string {
	t.Helper()
	out := map[string]string{}
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			walk(p.Panels)
			if p.Type == "row" {
				continue
			}
			if p.Datasource == nil || p.Datasource.UID != "${datasource}" {
				t.Errorf("panel %q does not use the datasource variable: %+v", p.Title, p.Datasource)
			}
			if len(p.Targets) == 0 {
				t.Errorf("panel %q has no query", p.Title)
			}
			for i, tg := range p.Targets {
				if tg.Datasource != nil && tg.Datasource.UID != "${datasource}" {
					t.Errorf("panel %q query %d does not use the datasource variable", p.Title, i)
				}
				out[fmt.Sprintf("panel %q query %d", p.Title, i)] = tg.Expr
			}
		}
	}
	walk(d.Panels)
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		q, _ := v.Query.(map[string]any)
		s, _ := q["query"].(string)
		m := labelValues.FindStringSubmatch(s)
		if m == nil {
			t.Errorf("variable %s: query %q is not label_values(selector, label)", v.Name, s)
			continue
		}
		out["variable "+v.Name] = m[1]
	}
	return out
}

// metricNames are the metric names expr selects.
func metricNames(expr parser.Expr) []string {
	var names []string
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		for _, m := range vs.LabelMatchers {
			if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
				names = append(names, m.Value)
			}
		}
		return nil
	})
	return names
}

// onlyWhenSet are metrics whose series appear only when set, with the
// file that defines each.
var onlyWhenSet = map[string]string{
	// Pending deliveries of a channel a reload removed.
	"herald_deliveries_unconfigured_channel": "../../internal/dispatch/metrics.go",
}

func TestOverviewQueries(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("herald-overview.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	if d.UID == "" {
		t.Error("no uid")
	}
	if !slices.ContainsFunc(d.Templating.List, func(v struct {
		Name  string `json:"name"`
		Type  string `json:"type"`
		Query any    `json:"query"`
	}) bool {
		return v.Type == "datasource" && v.Name == "datasource"
	}) {
		t.Error("no datasource variable")
	}
	exposed := exposedNames(t)
	// up is the scrape's own series, not Herald's.
	exposed["up"] = true
	// Series that exist only while something is wrong are not in a
	// healthy Herald's scrape; the name is checked in the source instead.
	for name, file := range onlyWhenSet {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(src), `"`+name+`"`) {
			t.Errorf("%s does not define %s", file, name)
		}
		exposed[name] = true
	}
	used := map[string]bool{}
	qs := queries(t, &d)
	if len(qs) < 20 {
		t.Fatalf("only %d queries found", len(qs))
	}
	for where, q := range qs {
		expr, err := parser.NewParser(parser.Options{}).ParseExpr(expand(q))
		if err != nil {
			t.Errorf("%s: %q: %v", where, q, err)
			continue
		}
		names := metricNames(expr)
		if len(names) == 0 {
			t.Errorf("%s: %q selects no metric by name", where, q)
		}
		for _, n := range names {
			used[n] = true
			if !exposed[n] {
				t.Errorf("%s: %q: Herald does not expose %s", where, q, n)
			}
		}
	}
	t.Logf("%d queries over %d metrics", len(qs), len(used))
}

// exposedNames runs a Herald with a bot, a console channel, a Docker host
// and a script check (so that every family of metrics is there), waits
// for its first collection and a counted scrape, and returns the names its /metrics shows,
// with a histogram's _bucket, _sum and _count.
func exposedNames(t *testing.T) map[string]bool {
	t.Helper()
	dir := t.TempDir()
	fake := faketelegram.New(t, faketelegram.Config{Chats: []faketelegram.Chat{{ID: 1001}}})
	cfgFile := filepath.Join(dir, "herald.yml")
	cfg := fmt.Sprintf(`data_dir: %s
telegram:
  bot_token: %s
  api_url: %s
  poll_timeout: 1s
  admins: ["@alice"]
collectors:
  interval: 1s
  docker:
    hosts:
      - {name: gone, url: "unix://%s/no.sock"}
  exec:
    - {name: ok, command: [/bin/sh, -c, "echo 'answer 42'"]}
channels:
  - {name: c, console: {}}
`, filepath.Join(dir, "data"), fake.Token(), fake.URL(), dir)
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	co, err := config.NewCoordinator(cfgFile, true, os.Getenv, logger, platforms.Configs())
	if err != nil {
		t.Fatal(err)
	}
	ready := make(chan string, 1)
	a := app.New(co, app.Options{ListenAddress: "127.0.0.1:0", Stdout: io.Discard, Logger: logger,
		Ready: func(addr string) { ready <- addr }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("herald: %v", err)
		}
	})
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("herald: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("herald did not start")
	}
	var names map[string]bool
	// The HTTP counter shows from the second scrape on, once the first has
	// been counted.
	testutil.Poll(t, 10*time.Second, "a collection on /metrics", func() bool {
		names = scrapeNames(t, "http://"+addr+"/metrics")
		return names["herald_docker_host_up"] && names["herald_check_up"] && names["herald_http_requests_total"]
	})
	return names
}

// scrapeNames reads the metric names of a text exposition from its TYPE
// lines.
func scrapeNames(t *testing.T, url string) map[string]bool {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	names := map[string]bool{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 4 || f[0] != "#" || f[1] != "TYPE" {
			continue
		}
		names[f[2]] = true
		switch f[3] {
		case "histogram":
			names[f[2]+"_bucket"], names[f[2]+"_sum"], names[f[2]+"_count"] = true, true, true
		case "summary":
			names[f[2]+"_sum"], names[f[2]+"_count"] = true, true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}
