package command

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/prometheus/prometheus/promql/parser"
)

// assertUsage checks what every refusal promises: a *UsageError in cmd's
// frame with a short problem and an example.
func assertUsage(t *testing.T, err error, cmd string) *UsageError {
	t.Helper()
	var u *UsageError
	if !errors.As(err, &u) {
		t.Fatalf("error %v (%T) is not a *UsageError", err, err)
	}
	if u.Command != cmd {
		t.Fatalf("Command %q, want %q (%v)", u.Command, cmd, err)
	}
	if u.Problem == "" || u.Example == "" {
		t.Fatalf("problem %q, example %q", u.Problem, u.Example)
	}
	if cmd != "" && !strings.HasPrefix(u.Example, "/"+cmd+" ") {
		t.Fatalf("example %q is not of /%s", u.Example, cmd)
	}
	if n := utf8.RuneCountInString(u.Problem); n > 400 {
		t.Fatalf("problem of %d characters: %q", n, u.Problem)
	}
	if !utf8.ValidString(u.Problem) {
		t.Fatalf("problem not UTF-8: %q", u.Problem)
	}
	if want := u.Problem + " Example: " + u.Example; err.Error() != want {
		t.Fatalf("Error() = %q, want %q", err.Error(), want)
	}
	return u
}

// TestExamples parses every example the errors show: an example that does
// not work is worse than none.
func TestExamples(t *testing.T) {
	t.Parallel()
	run := map[string]func(args string) error{
		"subscribe":   func(a string) error { _, err := ParseSubscription(a); return err },
		"regexp":      func(a string) error { _, err := ParseRegexp(a); return err },
		"unsubscribe": func(a string) error { _, _, err := ParseUnsubscribe(a); return err },
		"silence":     func(a string) error { _, err := ParseSilence(a); return err },
		"unsilence":   func(a string) error { _, err := ParseID(a); return err },
		"graph":       func(a string) error { _, err := ParseGraph(a); return err },
		"chart":       func(a string) error { _, _, err := ParseChart(a); return err },
	}
	for _, ex := range []string{ExampleSubscribe, ExampleRegexp, ExampleUnsubscribe, ExampleSilence, ExampleUnsilence, ExampleGraph, ExampleChart} {
		c, ok := Parse(ex, "")
		if !ok {
			t.Fatalf("%q is not a command", ex)
		}
		if err := run[c.Name](c.Args); err != nil {
			t.Errorf("%q: %v", ex, err)
		}
	}
	if _, err := ParseMatchers(ExampleMatchers); err != nil {
		t.Errorf("%q: %v", ExampleMatchers, err)
	}
	if _, err := ParseRange(ExampleRange); err != nil {
		t.Errorf("%q: %v", ExampleRange, err)
	}
}

func TestUsageError(t *testing.T) {
	t.Parallel()
	_, err := ParseGraph("rate(x[5m]")
	u := assertUsage(t, err, "graph")
	if !errors.As(err, new(parser.ParseErrors)) {
		t.Errorf("the PromQL error is not kept: %#v", u)
	}
	if got := err.Error(); !strings.HasPrefix(got, "The query is not valid PromQL: ") || !strings.HasSuffix(got, " Example: "+ExampleGraph) {
		t.Errorf("Error() = %q", got)
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("a", MaxArgs+1)
	for name, err := range map[string]error{
		"subscribe": second(ParseSubscription(huge)),
		"silence":   second(ParseSilence(huge)),
		"graph":     second(ParseGraph(huge)),
		"unsilence": second(ParseID(huge)),
	} {
		assertUsage(t, err, name)
	}
	_, err := ParseMatchers(huge)
	assertUsage(t, err, "")
	_, err = ParseRegexp("a\xffb")
	if u := assertUsage(t, err, "regexp"); u.Problem != "The text is not valid UTF-8." {
		t.Errorf("problem %q", u.Problem)
	}
}

func second[T any](_ T, err error) error { return err }

func itoa(n int) string { return strconv.Itoa(n) }
