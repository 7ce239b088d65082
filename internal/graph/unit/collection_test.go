package unit_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"

	"github.com/heraldhq/herald/internal/graph/promql"
	"github.com/heraldhq/herald/internal/graph/unit"
)

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert string `yaml:"alert"`
			Expr  string `yaml:"expr"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// TestCollection runs every rule of a public collection (see
// testdata/awesome-prometheus-alerts/README.md) through Herald's rewriter
// and the analysis: the query to chart must parse and have a unit.
func TestCollection(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/awesome-prometheus-alerts/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no rule files: %v", err)
	}
	n, rewritten := 0, 0
	ids := map[string]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rf ruleFile
		if err := yaml.Unmarshal(b, &rf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, g := range rf.Groups {
			for _, r := range g.Rules {
				n++
				if _, err := parser.NewParser(parser.Options{}).ParseExpr(r.Expr); err != nil {
					t.Errorf("%s %s: the rule does not parse: %v", f, r.Alert, err)
					continue
				}
				labels := map[string]string{"alertname": r.Alert, "instance": "host-1:9100", "job": "job-1"}
				res := promql.Rewrite(r.Expr, labels, nil)
				if res.Rewritten {
					rewritten++
				}
				expr, err := parser.NewParser(parser.Options{}).ParseExpr(res.Query)
				if err != nil {
					t.Errorf("%s %s: rewritten query %q does not parse: %v", f, r.Alert, res.Query, err)
					continue
				}
				id := unit.Of(expr)
				if canon, ok := unit.Normalize(id); !ok || canon != id {
					t.Errorf("%s %s: unit %q is not an id", f, r.Alert, id)
				}
				ids[id]++
				if testing.Verbose() {
					t.Logf("%-12s %s", id, res.Query)
				}
			}
		}
	}
	if n < 200 {
		t.Errorf("only %d rules", n)
	}
	var summary []string
	for id, c := range ids {
		summary = append(summary, id+"="+itoa(c))
	}
	sort.Strings(summary)
	t.Logf("%d rules, %d rewritten; units: %s", n, rewritten, strings.Join(summary, " "))
}

func itoa(i int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		if i /= 10; i == 0 {
			return string(b)
		}
	}
}
