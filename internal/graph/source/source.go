// Package source finds the PromQL expression behind an alert, and the
// rule's `for`, so that the chart shows what the rule evaluates.
package source

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"
	"github.com/prometheus/common/model"

	"github.com/heraldhq/herald/internal/prom"
)

// Annotations a rule may set to choose its chart.
const (
	// AnnotationQuery replaces the rule's expression on the chart.
	AnnotationQuery = "herald_query"
	// AnnotationRange sets the chart's window (a Prometheus duration).
	AnnotationRange = "herald_range"
)

// Values of Found.Origin.
const (
	OriginAnnotation   = "annotation"
	OriginGeneratorURL = "generator_url"
	OriginRule         = "rule"
)

// ErrNoQuery is returned (wrapped) when an alert has no herald_query, no
// expression in its generatorURL, and no rule of its name and labels.
var ErrNoQuery = errors.New("no query for the alert")

// RulesClient lists alerting rules; *prom.Client is one.
type RulesClient interface {
	AlertingRules(ctx context.Context) ([]prom.Rule, error)
}

// Found is the expression to chart for an alert.
type Found struct {
	// Expr is the expression, comparison still in it.
	Expr string
	// For is the rule's `for` (0 when the rule is unknown or not found in
	// time).
	For time.Duration
	// Range is the herald_range annotation, 0 when not set or invalid.
	Range time.Duration
	// Origin says where Expr came from: OriginAnnotation,
	// OriginGeneratorURL or OriginRule.
	Origin string
}

// Find returns the expression of a, in this order: the herald_query
// annotation; the expression in a's generatorURL; the expression of the
// rule named by a's alertname. The rule, looked up whatever the origin,
// gives For.
//
// When the expression is known before the rule is, a slow or failing rules
// lookup must not eat the chart's budget: Find then waits at most half of
// the time left before ctx's deadline and returns with For 0. Only when
// the rule is the last resort does its failure become Find's error.
func (s *Source) Find(ctx context.Context, a amtemplate.Alert) (Found, error) {
	name := a.Labels["alertname"]
	urlExpr, _ := ExprFromGeneratorURL(a.GeneratorURL)
	f := Found{Range: parseRange(a.Annotations[AnnotationRange])}
	switch q := strings.TrimSpace(a.Annotations[AnnotationQuery]); {
	case q != "":
		f.Expr, f.Origin = q, OriginAnnotation
	case urlExpr != "":
		f.Expr, f.Origin = urlExpr, OriginGeneratorURL
	}
	if f.Expr != "" {
		if name != "" {
			wctx, cancel := halfBudget(ctx)
			rules, err := s.rulesFor(wctx, name)
			cancel()
			if r, ok := pick(rules, a.Labels, urlExpr); err == nil && ok {
				f.For = r.For
			}
		}
		return f, nil
	}
	if name == "" {
		return Found{}, fmt.Errorf("%w: no alertname label and no expression in the generatorURL", ErrNoQuery)
	}
	rules, err := s.rulesFor(ctx, name)
	if err != nil {
		return Found{}, fmt.Errorf("look up rule %q: %w", name, err)
	}
	r, ok := pick(rules, a.Labels, "")
	if !ok {
		return Found{}, fmt.Errorf("%w: no alerting rule %q matches the alert's labels (%d rules of that name)", ErrNoQuery, name, len(rules))
	}
	f.Expr, f.For, f.Origin = r.Query, r.For, OriginRule
	return f, nil
}

// halfBudget bounds a wait to half of the time left, so that the query and
// the render keep the other half.
func halfBudget(ctx context.Context) (context.Context, context.CancelFunc) {
	if d, ok := ctx.Deadline(); ok {
		return context.WithTimeout(ctx, time.Until(d)/2)
	}
	return context.WithCancel(ctx)
}

// parseRange reads herald_range. A bad value is ignored rather than
// failing the chart: the window falls back to the rule's.
func parseRange(s string) time.Duration {
	d, err := model.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0
	}
	return time.Duration(d)
}

// pick chooses the rule of an alert among the rules of its name. One rule
// is the answer whatever its labels (Alertmanager relabelling may have
// changed the alert's). Among several (the same alert in two groups, with
// different thresholds), the rules whose labels all equal the alert's
// remain, the most specific first (most labels with a fixed value); expr,
// the expression of the alert's generatorURL, decides between those left,
// or between all of them when no labels match. A tie nothing decides is no
// answer: the chart of another rule's expression would mislead.
func pick(rules []prom.Rule, labels amtemplate.KV, expr string) (prom.Rule, bool) {
	switch len(rules) {
	case 0:
		return prom.Rule{}, false
	case 1:
		return rules[0], true
	}
	var best []prom.Rule
	bestScore := -1
	for _, r := range rules {
		switch score := matchScore(r.Labels, labels); {
		case score > bestScore:
			best, bestScore = []prom.Rule{r}, score
		case score == bestScore && score >= 0:
			best = append(best, r)
		}
	}
	if len(best) == 1 {
		return best[0], true
	}
	if len(best) == 0 {
		best = rules
	}
	for _, r := range best {
		if expr != "" && strings.TrimSpace(r.Query) == expr {
			return r, true
		}
	}
	return prom.Rule{}, false
}

// matchScore is the number of a rule's labels that have the same value on
// the alert, or -1 when one differs. A templated value ({{ if ... }}) is
// only known after evaluation, so it matches anything but scores nothing.
func matchScore(rule map[string]string, alert amtemplate.KV) int {
	n := 0
	for k, v := range rule {
		if strings.Contains(v, "{{") {
			continue
		}
		if got, ok := alert[k]; !ok || got != v {
			return -1
		}
		n++
	}
	return n
}
