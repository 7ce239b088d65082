package command

import (
	"strings"
	"testing"
	"time"
)

const day = 24 * time.Hour

func TestParseRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    time.Duration
		problem string
	}{
		{in: "hour", want: time.Hour},
		{in: "Day", want: day},
		{in: " WEEK ", want: 7 * day},
		{in: "6h", want: 6 * time.Hour},
		{in: "24h", want: day},
		{in: "7d", want: 7 * day},
		{in: "1w", want: 7 * day},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "1m", want: time.Minute},
		{in: "90d", want: 90 * day},
		{in: "", problem: "Say the time range"},
		{in: "month", problem: "“month” is not a time range"},
		{in: "6H", problem: "is not a time range"},
		{in: "30s", problem: "A chart covers at least 1m, not “30s”."},
		{in: "91d", problem: "A chart covers at most 90d"},
	}
	for _, tt := range tests {
		got, err := ParseRange(tt.in)
		if tt.problem != "" {
			if u := assertUsage(t, err, ""); !strings.Contains(u.Problem, tt.problem) || u.Example != ExampleRange {
				t.Errorf("%q: %v; want it to say %q", tt.in, err, tt.problem)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q: got %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseGraph(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args  string
		query string
		rng   time.Duration
	}{
		{"up", "up", time.Hour},
		{"up 6h", "up", 6 * time.Hour},
		{"rate(x[5m]) 6h", "rate(x[5m])", 6 * time.Hour},
		{"rate(x[5m])\u00a0day", "rate(x[5m])", day},
		{`sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) week`, `sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))`, 7 * day},
		{"up offset 5m", "up offset 5m", time.Hour},   // the last word belongs to the query
		{"up offset 30s", "up offset 30s", time.Hour}, // even one too short for a range
		{"up offset 5m 2d", "up offset 5m", 2 * day},  // both
		{"x and day", "x and day", time.Hour},         // a metric called day
		{"time() - 5m", "time() - 5m", time.Hour},     // a duration as a number
		{"1", "1", time.Hour},                         // a scalar
		{"up\n  and on(job) foo\n 2h", "up\n  and on(job) foo", 2 * time.Hour},
		{`up{job="a 6h"}`, `up{job="a 6h"}`, time.Hour},
		{`  up  `, `up`, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			t.Parallel()
			g, err := ParseGraph(tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if g.Query != tt.query || g.Range != tt.rng {
				t.Errorf("got %q %v, want %q %v", g.Query, g.Range, tt.query, tt.rng)
			}
		})
	}
}

func TestParseGraphErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ args, problem string }{
		{"", "Say what to chart"},
		{"6h", "" /* a number is fine */},
		{"rate(x[5m]", "The query is not valid PromQL: 1:11: parse error: unclosed left parenthesis"},
		{"rate(x[5m] 6h", "The query is not valid PromQL: 1:11: parse error: unclosed left parenthesis"},
		{"x[5m]", "A range vector cannot be charted"},
		{"x[5m] 6h", "A range vector cannot be charted"},
		{`"text"`, "A string cannot be charted"},
		{"up 30s", "A chart covers at least 1m, not “30s”."},
		{"up 1y", "A chart covers at most 90d"},
		{"up down", "The query is not valid PromQL"},
		{strings.Repeat("(", 2000) + "1" + strings.Repeat(")", 2000), ""},
		{strings.Repeat("(", 2100) + "1" + strings.Repeat(")", 2100), "The query is too long: at most 4096 bytes."},
		{strings.Repeat("up+", 1365) + "up 6h", ""},
		{strings.Repeat("up+", 4000) + "up", "The query is too long"},
	}
	for _, tt := range tests {
		t.Run(cut(tt.args, 20), func(t *testing.T) {
			t.Parallel()
			_, err := ParseGraph(tt.args)
			if tt.problem == "" {
				if err != nil {
					assertUsage(t, err, "graph")
				}
				return
			}
			u := assertUsage(t, err, "graph")
			if !strings.Contains(u.Problem, tt.problem) {
				t.Errorf("problem %q, want it to say %q", u.Problem, tt.problem)
			}
		})
	}
}

func TestParseChart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args    string
		name    string
		rng     time.Duration
		problem string
	}{
		{args: "cpu", name: "cpu"},
		{args: "CPU day", name: "cpu", rng: day},
		{args: " disk_io-2 \u00a0 6h ", name: "disk_io-2", rng: 6 * time.Hour},
		{args: "cpu\nweek", name: "cpu", rng: 7 * day},
		{args: "", problem: "Say which chart"},
		{args: "cpu day extra", problem: "nothing more"},
		{args: "cpu soon", problem: "“soon” is not a time range"},
		{args: "cpu 10s", problem: "at least 1m"},
		{args: "процессор", problem: "“процессор” is not a chart's name"},
		{args: strings.Repeat("a", 33), problem: "is not a chart's name"},
		{args: "a.b", problem: "is not a chart's name"},
	}
	for _, tt := range tests {
		name, rng, err := ParseChart(tt.args)
		if tt.problem != "" {
			if u := assertUsage(t, err, "chart"); !strings.Contains(u.Problem, tt.problem) || u.Example != ExampleChart {
				t.Errorf("%q: %v; want it to say %q", tt.args, err, tt.problem)
			}
			continue
		}
		if err != nil || name != tt.name || rng != tt.rng {
			t.Errorf("%q: got %q %v %v; want %q %v", tt.args, name, rng, err, tt.name, tt.rng)
		}
	}
}

// FuzzParseGraph checks that a graph is refused with a usage error or has
// a valid query and range and writes back as itself.
func FuzzParseGraph(f *testing.F) {
	for _, s := range []string{"up", "up 6h", "rate(x[5m]) day", "up offset 5m", "x and day", "x[5m]", "rate(x[5m]", `"s"`,
		"up 30s", "time() - 5m", "up\n2h", `up{job="a 6h"}`, "sum(rate(x[1m])) by (job) 7d", "1 week"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, args string) {
		g, err := ParseGraph(args)
		if err != nil {
			assertUsage(t, err, "graph")
			return
		}
		if g.Range < MinRange || g.Range > MaxRange {
			t.Fatalf("range %v", g.Range)
		}
		if g.Query == "" || g.Query != trim(g.Query) || !validQuery(g.Query) {
			t.Fatalf("query %q", g.Query)
		}
		again, err := ParseGraph(g.String())
		if err != nil || again != g {
			t.Fatalf("%q reads back as %+v, %v; was %+v", g.String(), again, err, g)
		}
	})
}

// FuzzParseChart checks /chart and the ranges: refused with a usage
// error, or a name as config allows and a range that writes back as
// itself.
func FuzzParseChart(f *testing.F) {
	for _, s := range []string{"cpu", "cpu day", "CPU 6h", "cpu 1h30m", "cpu 30s", "cpu 1y", "", "a b c", "процессор", "cpu WEEK"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, args string) {
		name, rng, err := ParseChart(args)
		if err != nil {
			assertUsage(t, err, "chart")
			return
		}
		if name == "" || len(name) > maxChartName || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") != "" {
			t.Fatalf("name %q", name)
		}
		if rng == 0 {
			return
		}
		if rng < MinRange || rng > MaxRange {
			t.Fatalf("range %v", rng)
		}
		if again, err := ParseRange(formatDuration(rng)); err != nil || again != rng {
			t.Fatalf("%v reads back as %v, %v", rng, again, err)
		}
		if n, r, err := ParseChart(name + " " + formatDuration(rng)); err != nil || n != name || r != rng {
			t.Fatalf("chart reads back as %q %v %v", n, r, err)
		}
	})
}
