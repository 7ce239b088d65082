package command

import (
	"errors"
	"regexp"
	"regexp/syntax"
	"strings"

	"github.com/prometheus/alertmanager/pkg/labels"
)

// ParseMatchers reads a list of Alertmanager label matchers in the syntax
// of Alertmanager's own parser (pkg/labels.ParseMatchers, as amtool and
// the web UI take it): label=value pairs with the operators =, !=, =~ and
// !~, separated by commas, with or without braces, values quoted or not:
//
//	severity="critical", job=~"node.*"
//	{alertname="DiskFull",instance="db1"}
//	severity=critical
//
// Regular expressions are anchored, as everywhere in Alertmanager. Unicode
// spaces outside quotes count as spaces. An empty list is an error; the
// UsageError names the piece that is wrong and why, and has Command "".
func ParseMatchers(s string) ([]*labels.Matcher, error) {
	if err := checkArgs("", ExampleMatchers, s); err != nil {
		return nil, err
	}
	return parseMatchers(s)
}

// FormatMatchers writes matchers the way ParseMatchers reads them back, in
// Alertmanager's notation: {severity="critical", job=~"node.*"}.
func FormatMatchers(ms []*labels.Matcher) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.String()
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func parseMatchers(s string) ([]*labels.Matcher, error) {
	s = trim(normalizeSpaces(s))
	s = strings.TrimPrefix(s, "{")
	s = strings.TrimSuffix(s, "}")
	if trim(s) == "" {
		return nil, matchersError("There are no matchers: say which label to match, like severity=\"critical\".", nil)
	}
	pieces := splitCommas(s)
	if len(pieces) > 1 && trim(pieces[len(pieces)-1]) == "" {
		pieces = pieces[:len(pieces)-1] // a trailing comma
	}
	ms := make([]*labels.Matcher, 0, len(pieces))
	for _, p := range pieces {
		if trim(p) == "" {
			return nil, matchersError("There is an empty matcher between two commas.", nil)
		}
		m, err := labels.ParseMatcher(trim(p))
		if err != nil {
			return nil, matcherProblem(trim(p), err)
		}
		ms = append(ms, m)
	}
	return ms, nil
}

func matchersError(problem string, err error) *UsageError {
	return &UsageError{Problem: problem, Example: ExampleMatchers, Err: err}
}

var (
	// nameOpRE is how Alertmanager's parser starts a matcher.
	nameOpRE = regexp.MustCompile(`^\s*[a-zA-Z_:][a-zA-Z0-9_:]*\s*(=~|=|!=|!~)`)
	opRE     = regexp.MustCompile(`=~|!=|!~|=`)
	// bareRE is a word that was probably meant as an alert name.
	bareRE = regexp.MustCompile(`^[A-Za-z0-9_.:-]+$`)
)

// matcherProblem explains why Alertmanager's parser refused tok.
func matcherProblem(tok string, err error) *UsageError {
	loc := nameOpRE.FindStringSubmatchIndex(tok)
	if loc == nil {
		op := opRE.FindStringIndex(tok)
		switch {
		case op == nil && bareRE.MatchString(tok) && len(tok) <= 40:
			return matchersError(quote(tok)+` is not a matcher. To match an alert name, write alertname="`+tok+`".`, nil)
		case op == nil:
			return matchersError(quote(tok)+" is not a matcher: write a label name, an operator (=, !=, =~ or !~) and a value.", nil)
		case trim(tok[:op[0]]) == "":
			return matchersError(quote(tok)+" has no label name before "+tok[op[0]:op[1]]+".", nil)
		}
		return matchersError(quote(trim(tok[:op[0]]))+" is not a label name: use letters, digits, _ and :, not starting with a digit.", nil)
	}
	var se *syntax.Error
	if errors.As(err, &se) {
		// se.Expr is the anchored form NewMatcher made: show the code only.
		return matchersError("The regular expression in "+quote(tok)+" is not valid: "+string(se.Code)+".", err)
	}
	value := trim(tok[loc[1]:])
	if rest, ok := afterClosingQuote(value); ok && rest != "" {
		if opRE.MatchString(rest) {
			return matchersError("Put a comma between two matchers: "+quote(tok)+".", nil)
		}
		return matchersError("There is text after the closing quote in "+quote(tok)+".", nil)
	}
	if strings.Contains(value, `"`) {
		return matchersError("The value in "+quote(tok)+` has a double quote that is not closed or not escaped; inside quotes write \" for a quote.`, nil)
	}
	return matchersError(quote(tok)+" is not a valid matcher: "+cut(err.Error(), 120)+".", err)
}

// afterClosingQuote gives what follows the quoted string value starts
// with; ok is false when value does not start with a closed quote.
func afterClosingQuote(value string) (rest string, ok bool) {
	if !strings.HasPrefix(value, `"`) {
		return "", false
	}
	escaped := false
	for i := 1; i < len(value); i++ {
		switch {
		case escaped:
			escaped = false
		case value[i] == '\\':
			escaped = true
		case value[i] == '"':
			return trim(value[i+1:]), true
		}
	}
	return "", false
}

// quoting follows double quotes through a list of matchers the way
// Alertmanager's parser does: a backslash escapes the next character,
// inside quotes and outside.
type quoting struct{ in, escaped bool }

// step takes the next character and says whether it stands outside
// quotes (an opening quote does, a closing one does not).
func (q *quoting) step(r rune) (outside bool) {
	outside = !q.in
	switch r {
	case '"':
		if !q.escaped {
			q.in = !q.in
		}
		q.escaped = false
	case '\\':
		q.escaped = !q.escaped
	default:
		q.escaped = false
	}
	return outside
}

// normalizeSpaces turns the spaces outside quotes that Alertmanager's
// parser does not skip (\s in Go's regexp is ASCII only) into ASCII spaces;
// quoted values are left as they are.
func normalizeSpaces(s string) string {
	var b strings.Builder
	var q quoting
	changed := false
	for _, r := range s {
		if q.step(r) && isSpace(r) && !strings.ContainsRune(" \t\n\r\f", r) {
			r = ' '
			changed = true
		}
		b.WriteRune(r)
	}
	if !changed {
		return s
	}
	return b.String()
}

// splitCommas cuts s at the commas outside quotes.
func splitCommas(s string) []string {
	var pieces []string
	var q quoting
	start := 0
	for i, r := range s {
		if q.step(r) && r == ',' {
			pieces = append(pieces, s[start:i])
			start = i + 1
		}
	}
	return append(pieces, s[start:])
}
