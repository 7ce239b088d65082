package command

import (
	"strings"
	"testing"
)

func TestParseSubscription(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args, kind, expr string
	}{
		{`severity="critical", job=~"node.*"`, KindMatchers, `{severity="critical", job=~"node.*"}`},
		{`{severity="critical"}`, KindMatchers, `{severity="critical"}`},
		{`severity = critical`, KindMatchers, `{severity="critical"}`},
		{`job!~"db.*"`, KindMatchers, `{job!~"db.*"}`},
		{"\u00a0severity=critical\u00a0", KindMatchers, `{severity="critical"}`},
		{`Disk`, KindRegexp, `Disk`},
		{`^Disk(Full|WillFill)$`, KindRegexp, `^Disk(Full|WillFill)$`},
		{`(?i)disk.*full`, KindRegexp, `(?i)disk.*full`},
		{`  Node.*Down  `, KindRegexp, `Node.*Down`},
		{`Диск`, KindRegexp, `Диск`},
		{`.*`, KindRegexp, `.*`},
		{`x{2}=`, KindRegexp, `x{2}=`},
		{`\d+==`, KindRegexp, `\d+==`},
		{`"Disk"`, KindRegexp, `"Disk"`},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			t.Parallel()
			s, err := ParseSubscription(tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if s.Kind != tt.kind || s.Expr != tt.expr {
				t.Errorf("got %s %q, want %s %q", s.Kind, s.Expr, tt.kind, tt.expr)
			}
			if (s.Kind == KindMatchers) != (len(s.Matchers) > 0) || (s.Kind == KindRegexp) != (s.Regexp != nil) {
				t.Errorf("fields do not fit the kind: %+v", s)
			}
		})
	}
}

func TestParseSubscriptionErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ args, problem string }{
		{"", "Say which alerts"},
		{" \u00a0\n", "Say which alerts"},
		{`Disk(`, "The regular expression is not valid: missing closing ): “Disk(”."},
		{`*Disk`, "missing argument to repetition operator"},
		{`severity="critical" job="x"`, "Put a comma between two matchers"},
		{`Disk, severity=critical`, `“Disk” is not a matcher. To match an alert name, write alertname="Disk".`},
		{`(Disk|job="x")`, `“(Disk|job” is not a label name`},
		{`severity=~"(crit"`, "The regular expression in “severity=~\"(crit\"” is not valid"},
		{strings.Repeat("a", MaxExpr+1), "The regular expression is too long: 513 characters, at most 512."},
		{`a="` + strings.Repeat("b", MaxExpr) + `"`, "The matchers are too long"},
		{strings.Repeat("(", 1000) + strings.Repeat(")", 1000), "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			t.Parallel()
			_, err := ParseSubscription(tt.args)
			u := assertUsage(t, err, "subscribe")
			if !strings.Contains(u.Problem, tt.problem) {
				t.Errorf("problem %q, want it to say %q", u.Problem, tt.problem)
			}
		})
	}
}

func TestParseRegexp(t *testing.T) {
	t.Parallel()
	// /regexp never reads matchers: what it gets is a regular expression.
	s, err := ParseRegexp(` severity="critical" `)
	if err != nil || s.Kind != KindRegexp || s.Expr != `severity="critical"` {
		t.Errorf("got %+v, %v", s, err)
	}
	_, err = ParseRegexp("")
	assertUsage(t, err, "regexp")
	_, err = ParseRegexp("a)")
	if u := assertUsage(t, err, "regexp"); u.Err == nil {
		t.Error("the syntax error is not kept")
	}
}

func TestSubscriptionMatches(t *testing.T) {
	t.Parallel()
	alert := map[string]string{"alertname": "NodeDiskFull", "severity": "critical", "job": "node"}
	tests := []struct {
		args string
		want bool
	}{
		{`Disk`, true}, // a search, not anchored
		{`^Disk`, false},
		{`^NodeDiskFull$`, true},
		{`disk`, false},
		{`(?i)disk`, true},
		{`severity="critical"`, true},
		{`severity="critical", job=~"no"`, false}, // matchers are anchored
		{`severity="critical", job=~"no.*"`, true},
		{`team=""`, true}, // a missing label is empty
		{`team!=""`, false},
	}
	for _, tt := range tests {
		s, err := ParseSubscription(tt.args)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Matches(alert); got != tt.want {
			t.Errorf("%s matches: %v, want %v", tt.args, got, tt.want)
		}
	}
	if (Subscription{}).Matches(alert) {
		t.Error("the zero Subscription matches")
	}
}

func TestParseUnsubscribe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args    string
		n       int
		all     bool
		problem string
	}{
		{args: "2", n: 2},
		{args: " #12 ", n: 12},
		{args: "007", n: 7},
		{args: "all", all: true},
		{args: "ALL", all: true},
		{args: "*", all: true},
		{args: "", problem: "Say which subscription"},
		{args: "0", problem: "numbers start at 1"},
		{args: "-1", problem: "is not a subscription number"},
		{args: "1 2", problem: "One subscription at a time"},
		{args: "two", problem: "“two” is not a subscription number"},
		{args: "#", problem: "is not a subscription number"},
		{args: "1.5", problem: "is not a subscription number"},
		{args: "١", problem: "is not a subscription number"},
		{args: "100001", problem: "There is no subscription “100001”."},
		{args: strings.Repeat("9", 40), problem: "There is no subscription"},
	}
	for _, tt := range tests {
		n, all, err := ParseUnsubscribe(tt.args)
		if tt.problem != "" {
			if u := assertUsage(t, err, "unsubscribe"); !strings.Contains(u.Problem, tt.problem) {
				t.Errorf("%q: problem %q, want it to say %q", tt.args, u.Problem, tt.problem)
			}
			continue
		}
		if err != nil || n != tt.n || all != tt.all {
			t.Errorf("%q: got %d, %v, %v; want %d, %v", tt.args, n, all, err, tt.n, tt.all)
		}
	}
}

// FuzzParseSubscription checks that a subscription is refused with a
// usage error or reads back from its Expr as the same subscription.
func FuzzParseSubscription(f *testing.F) {
	for _, s := range []string{`severity="critical", job=~"node.*"`, `Disk`, `^Disk$`, `(?i)x`, `a=b`, `{a="b"}`, `x{2}=`,
		`a=~"("`, `(`, "", "\u00a0a=b", `"quoted"`, strings.Repeat("x", MaxExpr+1)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, args string) {
		s, err := ParseSubscription(args)
		if err != nil {
			assertUsage(t, err, "subscribe")
			return
		}
		switch {
		case s.Kind == KindMatchers && len(s.Matchers) > 0 && s.Regexp == nil:
		case s.Kind == KindRegexp && s.Regexp != nil && s.Matchers == nil:
		default:
			t.Fatalf("inconsistent: %+v", s)
		}
		if s.Expr == "" || len([]rune(s.Expr)) > MaxExpr {
			t.Fatalf("expr %q", s.Expr)
		}
		again, err := ParseSubscription(s.Expr)
		if err != nil {
			t.Fatalf("%q does not read back: %v", s.Expr, err)
		}
		if again.Kind != s.Kind || again.Expr != s.Expr || !sameMatchers(again.Matchers, s.Matchers) {
			t.Fatalf("%q reads back as %+v, was %+v", s.Expr, again, s)
		}
		if s.Kind == KindRegexp {
			if r, err := ParseRegexp(s.Expr); err != nil || r.Expr != s.Expr {
				t.Fatalf("/regexp %q: %+v, %v", s.Expr, r, err)
			}
		}
	})
}

// FuzzParseUnsubscribe checks that /unsubscribe gives a number that
// writes back as itself, all, or a usage error.
func FuzzParseUnsubscribe(f *testing.F) {
	for _, s := range []string{"1", "#2", "all", "*", "0", "-1", "1 2", "", "99999999999999999999", "０"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, args string) {
		n, all, err := ParseUnsubscribe(args)
		switch {
		case err != nil:
			assertUsage(t, err, "unsubscribe")
		case all:
			if n != 0 {
				t.Fatalf("all and %d", n)
			}
		case n < 1 || n > maxNumber:
			t.Fatalf("n = %d", n)
		default:
			if m, all, err := ParseUnsubscribe(strings.Repeat(" ", len(args)%3) + "#" + itoa(n)); err != nil || all || m != n {
				t.Fatalf("%d reads back as %d, %v, %v", n, m, all, err)
			}
		}
	})
}
