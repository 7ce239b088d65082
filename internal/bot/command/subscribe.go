package command

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/prometheus/alertmanager/pkg/labels"
)

// Kinds of subscription.
const (
	// KindMatchers selects alerts by Alertmanager label matchers.
	KindMatchers = "matchers"
	// KindRegexp selects alerts by a regular expression on the alert name.
	KindRegexp = "regexp"
)

// Subscription is what /subscribe and /regexp ask for.
type Subscription struct {
	// Kind is KindMatchers or KindRegexp.
	Kind string
	// Expr is the subscription in canonical form, at most MaxExpr
	// characters, fit for the store and for showing: the matchers as
	// FormatMatchers writes them, or the regular expression as typed.
	// Parsing Expr again gives the same Subscription.
	Expr string
	// Matchers are set for KindMatchers.
	Matchers []*labels.Matcher
	// Regexp is set for KindRegexp. It searches the alert name: it is not
	// anchored.
	Regexp *regexp.Regexp
}

// Matches says whether an alert with these labels is subscribed to. A
// missing label matches as the empty value, as in Alertmanager.
func (s Subscription) Matches(lbls map[string]string) bool {
	switch s.Kind {
	case KindMatchers:
		for _, m := range s.Matchers {
			if !m.Matches(lbls[m.Name]) {
				return false
			}
		}
		return len(s.Matchers) > 0
	case KindRegexp:
		return s.Regexp != nil && s.Regexp.MatchString(lbls["alertname"])
	}
	return false
}

// looksLikeMatchersRE finds a label name followed by a matcher's
// operator. Regular expressions on alert names have no use for that (an
// "=" after a letter), so arguments that contain it are matchers, and a
// mistake in them is reported as one: "/subscribe Disk, severity=critical"
// is told that "Disk" is not a matcher rather than taken as a regular
// expression that never matches.
var looksLikeMatchersRE = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*\s*(?:=~|!~|!=|=)`)

// ParseSubscription reads /subscribe's arguments. Arguments that contain
// a label name followed by =, !=, =~ or !~ are matchers, read as
// ParseMatchers does:
//
//	/subscribe severity="critical", job=~"node.*"
//
// Anything else is a regular expression on the alert name, as ParseRegexp
// reads it:
//
//	/subscribe Disk
func ParseSubscription(args string) (Subscription, error) {
	if err := checkArgs("subscribe", ExampleSubscribe, args); err != nil {
		return Subscription{}, err
	}
	s := trim(args)
	if n := utf8.RuneCountInString(s); n > 4*MaxExpr {
		// No canonical form of that many characters is short enough;
		// refuse before parsing thousands of matchers.
		return Subscription{}, &UsageError{Command: "subscribe", Example: ExampleSubscribe,
			Problem: "The subscription is too long: " + strconv.Itoa(n) + " characters, at most " + strconv.Itoa(MaxExpr) + "."}
	}
	if !looksLikeMatchersRE.MatchString(normalizeSpaces(s)) {
		return parseRegexp("subscribe", ExampleSubscribe, s)
	}
	ms, err := parseMatchers(s)
	if err != nil {
		return Subscription{}, reframe(err, "subscribe", ExampleSubscribe)
	}
	expr := FormatMatchers(ms)
	if n := utf8.RuneCountInString(expr); n > MaxExpr {
		return Subscription{}, &UsageError{Command: "subscribe", Example: ExampleSubscribe,
			Problem: "The matchers are too long: " + strconv.Itoa(n) + " characters, at most " + strconv.Itoa(MaxExpr) + "."}
	}
	return Subscription{Kind: KindMatchers, Expr: expr, Matchers: ms}, nil
}

// ParseRegexp reads /regexp's arguments: a regular expression in RE2
// syntax (Go's regexp; see https://github.com/google/re2/wiki/Syntax) that
// selects alerts by name. It searches the name, as the bot this one
// replaces did: "Disk" matches DiskFull and NodeDiskSlow; write
// ^DiskFull$ for the one name. It is case-sensitive unless it starts with
// (?i). The expression is taken as typed (white space cut from both ends,
// quotes are not removed), at most MaxExpr characters.
func ParseRegexp(args string) (Subscription, error) {
	if err := checkArgs("regexp", ExampleRegexp, args); err != nil {
		return Subscription{}, err
	}
	return parseRegexp("regexp", ExampleRegexp, trim(args))
}

func parseRegexp(cmd, example, expr string) (Subscription, error) {
	fail := func(problem string, err error) (Subscription, error) {
		return Subscription{}, &UsageError{Command: cmd, Problem: problem, Example: example, Err: err}
	}
	if expr == "" {
		return fail("Say which alerts: label matchers or a regular expression on the alert name.", nil)
	}
	if n := utf8.RuneCountInString(expr); n > MaxExpr {
		return fail("The regular expression is too long: "+strconv.Itoa(n)+" characters, at most "+strconv.Itoa(MaxExpr)+".", nil)
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return fail("The regular expression is not valid: "+syntaxProblem(err)+".", err)
	}
	return Subscription{Kind: KindRegexp, Expr: expr, Regexp: re}, nil
}

// maxNumber bounds the numbers /unsubscribe takes; nobody lists more
// subscriptions than that.
const maxNumber = 100000

// ParseUnsubscribe reads /unsubscribe's arguments: the number of a
// subscription as /subscriptions lists them (from 1, "#2" too), or "all"
// (or "*") for every one. Empty arguments are a UsageError; a bot that
// offers a list to pick from instead checks for them first.
func ParseUnsubscribe(args string) (n int, all bool, err error) {
	fail := func(problem string) (int, bool, error) {
		return 0, false, &UsageError{Command: "unsubscribe", Problem: problem, Example: ExampleUnsubscribe}
	}
	if err := checkArgs("unsubscribe", ExampleUnsubscribe, args); err != nil {
		return 0, false, err
	}
	s := trim(args)
	switch {
	case s == "":
		return fail("Say which subscription: its number in /subscriptions, or all.")
	case strings.EqualFold(s, "all") || s == "*":
		return 0, true, nil
	case strings.IndexFunc(s, isSpace) >= 0:
		return fail("One subscription at a time, please: its number in /subscriptions, or all.")
	}
	digits := strings.TrimPrefix(s, "#")
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return fail(quote(s) + " is not a subscription number: use the number /subscriptions shows, or all.")
	}
	if len(digits) > len(strconv.Itoa(maxNumber)) {
		return fail("There is no subscription " + quote(s) + ".")
	}
	n, _ = strconv.Atoi(digits)
	switch {
	case n < 1:
		return fail("There is no subscription " + quote(s) + ": numbers start at 1.")
	case n > maxNumber:
		return fail("There is no subscription " + quote(s) + ".")
	}
	return n, false, nil
}
