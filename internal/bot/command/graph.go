package command

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
)

// Bounds and default of a chart's time range.
const (
	MinRange     = time.Minute
	MaxRange     = 90 * 24 * time.Hour
	DefaultRange = time.Hour
	// MaxQuery is the longest PromQL query /graph takes, in bytes.
	// Prometheus's parser takes superlinear time on deep nesting (7 ms at
	// this size, 100 ms at MaxArgs), and no one types more in a chat.
	MaxQuery = 4096
	// maxChartName is the longest name config allows for charts[].name.
	maxChartName = 32
)

// rangeWord is the range named by a word, as /hour, /day and /week do.
func rangeWord(w string) (time.Duration, bool) {
	switch strings.ToLower(w) {
	case "hour":
		return time.Hour, true
	case "day":
		return 24 * time.Hour, true
	case "week":
		return 7 * 24 * time.Hour, true
	}
	return 0, false
}

// ParseRange reads a chart's time range: hour, day or week (in any case),
// or a duration in Prometheus syntax (30m, 6h, 24h, 7d, 1w, 1h30m), from
// MinRange to MaxRange. Its UsageError has Command "".
func ParseRange(s string) (time.Duration, error) {
	fail := func(problem string) (time.Duration, error) {
		return 0, &UsageError{Problem: problem, Example: ExampleRange}
	}
	if len(s) > MaxArgs {
		return fail("The time range is too long.")
	}
	s = trim(s)
	if d, ok := rangeWord(s); ok {
		return d, nil
	}
	if s == "" {
		return fail("Say the time range: hour, day, week or a duration such as 6h.")
	}
	d, err := model.ParseDuration(s)
	switch {
	case err != nil:
		return fail(quote(s) + " is not a time range: write hour, day, week or a duration such as 30m, 6h or 7d.")
	case time.Duration(d) < MinRange:
		return fail("A chart covers at least " + formatDuration(MinRange) + ", not " + quote(s) + ".")
	case time.Duration(d) > MaxRange:
		return fail("A chart covers at most " + formatDuration(MaxRange) + ", not " + quote(s) + ".")
	}
	return time.Duration(d), nil
}

// Graph is what /graph asks for.
type Graph struct {
	// Query is a PromQL expression of an instant vector or a scalar, which
	// is what a range query can chart.
	Query string
	// Range is the window up to now, DefaultRange unless given.
	Range time.Duration
}

// String writes the graph as ParseGraph reads it.
func (g Graph) String() string { return g.Query + " " + formatDuration(g.Range) }

// ParseGraph reads /graph's arguments: a PromQL expression and an
// optional time range as ParseRange reads it.
//
//	/graph up
//	/graph rate(node_network_receive_bytes_total[5m]) 6h
//
// The last word is the range only if it reads as one, something comes
// before it, and what comes before it is valid PromQL on its own; so
// "/graph up offset 5m" charts "up offset 5m" over DefaultRange. The
// query must parse with Prometheus's parser, whose error is returned
// (through Unwrap) when it does not.
func ParseGraph(args string) (Graph, error) {
	fail := func(problem string, err error) (Graph, error) {
		return Graph{}, &UsageError{Command: "graph", Problem: problem, Example: ExampleGraph, Err: err}
	}
	if err := checkArgs("graph", ExampleGraph, args); err != nil {
		return Graph{}, err
	}
	s := trim(args)
	switch {
	case s == "":
		return fail("Say what to chart: a PromQL query, then optionally a time range.", nil)
	case len(s) > MaxQuery+32: // room for a range after the query
		return fail("The query is too long: at most "+strconv.Itoa(MaxQuery)+" bytes.", nil)
	}
	if i := strings.LastIndexFunc(s, isSpace); i >= 0 {
		query, last := trim(s[:i]), trim(s[i:])
		d, rangeErr := ParseRange(last)
		if _, err := model.ParseDuration(last); rangeErr == nil || err == nil {
			// The last word reads as a range, perhaps out of bounds.
			switch problem, err := checkQuery(query); {
			case err == nil && rangeErr != nil:
				return Graph{}, reframe(rangeErr, "graph", ExampleGraph)
			case err == nil:
				return Graph{Query: query, Range: d}, nil
			case validQuery(s):
				return Graph{Query: s, Range: DefaultRange}, nil
			default:
				// Neither reads: the error about the query without the
				// range is the one to act on.
				return fail(problem, err)
			}
		}
	}
	if problem, err := checkQuery(s); err != nil {
		return fail(problem, err)
	}
	return Graph{Query: s, Range: DefaultRange}, nil
}

func validQuery(q string) bool {
	_, err := checkQuery(q)
	return err == nil
}

// checkQuery parses q as PromQL and checks it can be charted; it says what
// is wrong in problem when it cannot.
func checkQuery(q string) (problem string, err error) {
	if len(q) > MaxQuery {
		return "The query is too long: at most " + strconv.Itoa(MaxQuery) + " bytes.", errors.New("query too long")
	}
	defer func() {
		// The parser is third-party code fed with chat input; a bug there
		// must cost the command, not the bot.
		if r := recover(); r != nil {
			problem, err = "The query cannot be read.", fmt.Errorf("promql parser panicked: %v", r)
		}
	}()
	expr, err := parser.NewParser(parser.Options{}).ParseExpr(q)
	if err != nil {
		return "The query is not valid PromQL: " + cut(err.Error(), 200), err
	}
	switch t := expr.Type(); t {
	case parser.ValueTypeVector, parser.ValueTypeScalar:
		return "", nil
	case parser.ValueTypeMatrix:
		err = fmt.Errorf("a %s cannot be charted", t)
		return "A range vector cannot be charted: wrap it in a function such as rate().", err
	default:
		err = fmt.Errorf("a %s cannot be charted", t)
		return "A " + string(t) + " cannot be charted: the query must give a number or series.", err
	}
}

// ParseChart reads /chart's arguments: the name of a chart from the
// configuration (lower-cased) and optionally a time range as ParseRange
// reads it. rng is 0 when none is given: the chart's own range applies.
//
//	/chart cpu
//	/chart cpu week
//
// Empty arguments are a UsageError; a bot that lists the charts instead
// checks for them first.
func ParseChart(args string) (name string, rng time.Duration, err error) {
	fail := func(problem string) (string, time.Duration, error) {
		return "", 0, &UsageError{Command: "chart", Problem: problem, Example: ExampleChart}
	}
	if err := checkArgs("chart", ExampleChart, args); err != nil {
		return "", 0, err
	}
	s := trim(args)
	ws := strings.FieldsFunc(s, isSpace)
	switch {
	case len(ws) == 0:
		return fail("Say which chart: its name, then optionally a time range.")
	case len(ws) > 2:
		return fail("Give a chart's name and optionally a time range, nothing more.")
	}
	name = strings.ToLower(ws[0])
	if len(name) > maxChartName || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") != "" {
		return fail(quote(ws[0]) + " is not a chart's name: names are letters, digits, _ and -.")
	}
	if len(ws) == 2 {
		if rng, err = ParseRange(ws[1]); err != nil {
			return "", 0, reframe(err, "chart", ExampleChart)
		}
	}
	return name, rng, nil
}
