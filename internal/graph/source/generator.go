package source

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
)

// ExprFromGeneratorURL returns the PromQL expression an alert's
// generatorURL links to. Supported forms:
//
//   - Prometheus, Thanos Ruler, Mimir and Cortex rulers:
//     …/graph?g0.expr=<expr>&g0.tab=1 (the g0.expr query parameter; other
//     panels, g1 and up, are not read).
//   - vmalert with -external.alert.source pointing at VMUI:
//     …/vmui/#/?g0.expr=<expr> (g0.expr in the query part of the fragment).
//   - Links to Grafana Explore, which vmalert's documentation recommends:
//     left={"queries":[{"expr":"<expr>"}]}, the older array form
//     left=["now-1h","now","<datasource>",{"expr":"<expr>"}], and Grafana
//     10's panes={"<id>":{"queries":[{"expr":"<expr>"}]}}.
//
// vmalert's default link (/vmalert/alert?group_id=…) and Grafana-managed
// alerts carry no expression: ok is false, and the caller falls back to the
// rules API. The expression is returned with surrounding space trimmed.
func ExprFromGeneratorURL(u string) (expr string, ok bool) {
	parsed, err := url.Parse(strings.TrimSpace(u))
	if err != nil {
		return "", false
	}
	if e, ok := fromQuery(parsed.RawQuery); ok {
		return e, true
	}
	// The fragment is read escaped: url.Parse has already decoded
	// parsed.Fragment once, and decoding it again as a query would turn an
	// escaped "&" or "%" in the expression into syntax.
	if _, q, found := strings.Cut(parsed.EscapedFragment(), "?"); found {
		return fromQuery(q)
	}
	return "", false
}

// fromQuery looks for the expression in one query string.
func fromQuery(raw string) (string, bool) {
	if raw == "" {
		return "", false
	}
	q, _ := url.ParseQuery(raw) // keeps the parameters that do parse
	if e := strings.TrimSpace(q.Get("g0.expr")); e != "" {
		return e, true
	}
	if e, ok := fromExploreLeft(q.Get("left")); ok {
		return e, true
	}
	return fromExplorePanes(q.Get("panes"))
}

// exploreQuery is one query of a Grafana Explore pane. Only Prometheus-like
// data sources put PromQL in "expr"; others have no such key.
type exploreQuery struct {
	Expr string `json:"expr"`
}

// explorePane is the object form of an Explore pane.
type explorePane struct {
	Queries []exploreQuery `json:"queries"`
}

// fromExploreLeft reads Explore's left= parameter, object or legacy array.
func fromExploreLeft(s string) (string, bool) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "{"):
		var p explorePane
		if json.Unmarshal([]byte(s), &p) != nil {
			return "", false
		}
		return firstExpr(p.Queries)
	case strings.HasPrefix(s, "["):
		// [from, to, datasource, query, query, ..., {"mode":...}]
		var items []json.RawMessage
		if json.Unmarshal([]byte(s), &items) != nil {
			return "", false
		}
		var qs []exploreQuery
		for _, it := range items {
			var q exploreQuery
			if json.Unmarshal(it, &q) == nil {
				qs = append(qs, q)
			}
		}
		return firstExpr(qs)
	}
	return "", false
}

// fromExplorePanes reads Grafana 10's panes= parameter. Panes are keyed by
// random ids; they are visited in key order so that the answer is stable.
func fromExplorePanes(s string) (string, bool) {
	var panes map[string]explorePane
	if !strings.HasPrefix(strings.TrimSpace(s), "{") || json.Unmarshal([]byte(s), &panes) != nil {
		return "", false
	}
	keys := make([]string, 0, len(panes))
	for k := range panes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if e, ok := firstExpr(panes[k].Queries); ok {
			return e, true
		}
	}
	return "", false
}

// firstExpr is the first non-blank expression.
func firstExpr(qs []exploreQuery) (string, bool) {
	for _, q := range qs {
		if e := strings.TrimSpace(q.Expr); e != "" {
			return e, true
		}
	}
	return "", false
}
