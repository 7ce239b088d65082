package alertmanager

import (
	"cmp"
	"slices"

	"github.com/prometheus/alertmanager/pkg/labels"
)

// Matcher is one matcher of a silence, as the API v2 writes it: IsEqual
// false negates it (!= or !~), IsRegex makes Value a regular expression
// anchored at both ends.
type Matcher struct {
	Name    string
	Value   string
	IsRegex bool
	IsEqual bool
}

// MatchersFromLabels makes the matchers of a silence of exactly the
// alerts with the label set ls: one equality per label, sorted by name so
// that the same labels always give the same silence.
func MatchersFromLabels(ls map[string]string) []Matcher {
	out := make([]Matcher, 0, len(ls))
	for name, value := range ls {
		out = append(out, Matcher{Name: name, Value: value, IsEqual: true})
	}
	slices.SortFunc(out, func(a, b Matcher) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// MatchersFrom makes the matchers of a silence from matchers parsed the
// Alertmanager way (labels.ParseMatchers, amtool's syntax): = and =~
// match, != and !~ negate. Nil entries are skipped.
func MatchersFrom(ms []*labels.Matcher) []Matcher {
	out := make([]Matcher, 0, len(ms))
	for _, m := range ms {
		if m == nil {
			continue
		}
		out = append(out, Matcher{
			Name:    m.Name,
			Value:   m.Value,
			IsRegex: m.Type == labels.MatchRegexp || m.Type == labels.MatchNotRegexp,
			IsEqual: m.Type == labels.MatchEqual || m.Type == labels.MatchRegexp,
		})
	}
	return out
}

// Type is the operator of m: =, !=, =~ or !~.
func (m Matcher) Type() labels.MatchType {
	switch {
	case m.IsEqual && m.IsRegex:
		return labels.MatchRegexp
	case m.IsRegex:
		return labels.MatchNotRegexp
	case m.IsEqual:
		return labels.MatchEqual
	default:
		return labels.MatchNotEqual
	}
}

// LabelsMatcher is m as a labels.Matcher, to filter with or to match a
// label set; it fails on a regular expression that does not compile.
func (m Matcher) LabelsMatcher() (*labels.Matcher, error) {
	return labels.NewMatcher(m.Type(), m.Name, m.Value)
}

// String writes m as Alertmanager and amtool do: name=~"value".
func (m Matcher) String() string {
	lm := labels.Matcher{Type: m.Type(), Name: m.Name, Value: m.Value}
	return lm.String()
}
