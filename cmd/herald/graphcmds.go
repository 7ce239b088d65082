package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/heraldhq/herald/internal/platforms"
	"io"
	"os"
	"strings"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/graph"
	"github.com/heraldhq/herald/internal/graph/promql"
	"github.com/heraldhq/herald/internal/graph/source"
	"github.com/heraldhq/herald/internal/graph/unit"
	"github.com/heraldhq/herald/internal/prom"
)

// labelsFlag collects --labels name=value,name2=value2 (repeatable).
type labelsFlag map[string]string

func (l labelsFlag) String() string { return fmt.Sprint(map[string]string(l)) }

func (l labelsFlag) Set(s string) error {
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("%q is not name=value", kv)
		}
		l[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	return nil
}

// explainOut is the JSON of `herald explain --format json`.
type explainOut struct {
	Query     string   `json:"query"`
	Unit      string   `json:"unit"` // the Grafana unit id of the chart
	Threshold *float64 `json:"threshold"`
	Op        *string  `json:"op"`
	Range     string   `json:"range"`
	// Thresholds are all the lines drawn: {"op":">","value":90} or, for a
	// series threshold, {"op":">","query":"..."}; [] when none.
	Thresholds []promql.Threshold `json:"thresholds"`
}

func explain(args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlags("explain", stdout, "")
	c.register(fs)
	expr := fs.String("expr", "", "alerting rule expression (required)")
	labels := labelsFlag{}
	fs.Var(labels, "labels", "labels of the alert, e.g. instance=web-1,job=node")
	forDur := durationFlag(fs.FlagSet, "for", 0, "the rule's for duration")
	rng := durationFlag(fs.FlagSet, "range", 0, "chart range (overrides range_factor × for)")
	format := fs.String("format", "text", "output: text or json")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if *expr == "" {
		return usagef("--expr is required")
	}
	cfg, err := config.Resolve(c.config, c.explicit, os.Getenv, platforms.Configs())
	if err != nil {
		return err
	}
	p := graph.Explain(&cfg.Graph, *expr, labels, *forDur, *rng, time.Now())
	span := p.End.Sub(p.Start)
	switch *format {
	case "json":
		out := explainOut{Query: p.Query, Unit: p.Unit, Threshold: p.Threshold, Range: span.String(),
			Thresholds: append([]promql.Threshold{}, p.Thresholds...)}
		if p.Op != "" {
			out.Op = &p.Op
		}
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	case "text":
		fmt.Fprintf(stdout, "query:     %s\n", p.Query)
		fmt.Fprintf(stdout, "unit:      %s\n", p.Unit)
		for _, t := range p.Thresholds {
			if t.Value != nil {
				fmt.Fprintf(stdout, "threshold: %s %g\n", t.Op, *t.Value)
			} else {
				fmt.Fprintf(stdout, "threshold: %s series %s\n", t.Op, t.Query)
			}
		}
		if len(p.Thresholds) == 0 {
			fmt.Fprintln(stdout, "threshold: none")
		}
		fmt.Fprintf(stdout, "range:     %s (step %s)\n", span, p.Step)
		if len(p.Rewrite.Injected) > 0 {
			fmt.Fprintf(stdout, "injected:  %s\n", strings.Join(p.Rewrite.Injected, ", "))
		}
		if !p.Rewrite.Rewritten {
			fmt.Fprintf(stdout, "charted as it is: %s\n", p.Rewrite.Reason)
		}
		return nil
	}
	return usagef("--format must be text or json")
}

func renderCmd(args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlags("render", stdout, "")
	c.register(fs)
	expr := fs.String("expr", "", "expression to chart (or use --alert-file)")
	alertFile := fs.String("alert-file", "", "an Alertmanager webhook payload; its first alert is charted")
	labels := labelsFlag{}
	fs.Var(labels, "labels", "labels of the alert, e.g. instance=web-1")
	rng := durationFlag(fs.FlagSet, "range", time.Hour, "chart range for --expr")
	out := fs.String("o", "chart.png", "output PNG file")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if (*expr == "") == (*alertFile == "") {
		return usagef("give exactly one of --expr and --alert-file")
	}
	cfg, err := config.Resolve(c.config, c.explicit, os.Getenv, platforms.Configs())
	if err != nil {
		return err
	}
	if cfg.Prometheus.URL == "" {
		return errors.New("prometheus.url is not configured")
	}
	logger, err := c.logger(stderr)
	if err != nil {
		return err
	}
	pc, err := prom.New(cfg.Prometheus, logger)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	now := time.Now()
	var a amtemplate.Alert
	var found source.Found
	if *alertFile != "" {
		if a, err = firstAlert(*alertFile); err != nil {
			return err
		}
		if found, err = source.New(pc, time.Minute, time.Now).Find(ctx, a); err != nil {
			return err
		}
	} else {
		// A preview of an expression, not of an alert: no start, so no
		// firing band and no "FIRING since"; the labels only select series.
		a = amtemplate.Alert{Status: "firing", Labels: amtemplate.KV(labels)}
		found = source.Found{Expr: *expr, Range: *rng, Origin: "command line"}
	}
	p := graph.MakePlan(&cfg.Graph, a, found, now)
	if *expr != "" && a.Labels["alertname"] == "" {
		p.Title = *expr
	}
	drawer, err := graph.NewDrawer(cfg, pc, logger)
	if err != nil {
		return err
	}
	d, err := drawer.Draw(ctx, p, a)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, d.PNG, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes): %s over %s\n", *out, len(d.PNG), p.Query, p.End.Sub(p.Start))
	if d.Value != nil {
		fmt.Fprintf(stdout, "current value: %s\n", unit.Format(p.Unit, *d.Value))
	}
	return nil
}

func firstAlert(path string) (amtemplate.Alert, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return amtemplate.Alert{}, err
	}
	n, err := alert.Decode(b)
	if err != nil {
		return amtemplate.Alert{}, fmt.Errorf("%s: %w", path, err)
	}
	return n.Alerts[0], nil
}
