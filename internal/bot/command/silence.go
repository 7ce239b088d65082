package command

import (
	"strings"
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"
	"github.com/prometheus/common/model"
)

// Bounds of a silence's duration.
const (
	MinSilence = time.Minute
	MaxSilence = 30 * 24 * time.Hour
)

// Silence is what /silence asks for.
type Silence struct {
	// Matchers select the alerts; at least one of them needs a non-empty
	// label value, as Alertmanager requires.
	Matchers []*labels.Matcher
	// Duration is how long the silence lasts, from MinSilence to
	// MaxSilence.
	Duration time.Duration
	// Comment is the rest of the line and the lines after it; it may be
	// empty (Alertmanager's API accepts that; the bot may fill in who
	// silenced from where).
	Comment string
}

// String writes the silence as ParseSilence reads it.
func (s Silence) String() string {
	out := FormatMatchers(s.Matchers) + " " + model.Duration(s.Duration).String()
	if s.Comment != "" {
		out += " " + s.Comment
	}
	return out
}

// ParseSilence reads /silence's arguments: matchers, a duration and an
// optional comment.
//
//	/silence alertname="DiskFull", instance="db1" 2h disk replaced tomorrow
//
// The matchers are read as ParseMatchers does; they may contain spaces
// inside quotes and around commas and operators, braces and all. They end
// at the first word outside quotes that is a duration in Prometheus syntax
// (30m, 2h, 1d, 1w, 1h30m) and does not follow an operator; a value with
// spaces therefore needs quotes. The comment is everything after the
// duration, line breaks kept.
func ParseSilence(args string) (Silence, error) {
	if err := checkArgs("silence", ExampleSilence, args); err != nil {
		return Silence{}, err
	}
	fail := func(problem string) (Silence, error) {
		return Silence{}, &UsageError{Command: "silence", Problem: problem, Example: ExampleSilence}
	}
	matchersFail := func(err error) (Silence, error) {
		return Silence{}, reframe(err, "silence", ExampleSilence)
	}
	s := trim(args)
	ws := words(s)
	if len(ws) == 0 {
		return fail("Say which alerts to silence and for how long.")
	}
	word := func(i int) string { return s[ws[i].start:ws[i].end] }
	if _, err := model.ParseDuration(word(0)); err == nil {
		return fail("Say which alerts to silence first, then for how long.")
	}
	k := -1
	for i := 1; i < len(ws) && k < 0; i++ {
		prev, cur := word(i-1), word(i)
		_, err := model.ParseDuration(cur)
		switch {
		case err == nil && !endsWithOperator(prev):
			k = i
		case !continues(prev, cur):
			if _, err := parseMatchers(s[:ws[i].start]); err != nil {
				return matchersFail(err)
			}
			return fail(notDuration(cur))
		}
	}
	if k < 0 {
		if _, err := parseMatchers(s); err != nil {
			return matchersFail(err)
		}
		return fail("Say for how long: a duration such as 2h comes after the matchers.")
	}
	ms, err := parseMatchers(s[:ws[k].start])
	if err != nil {
		return matchersFail(err)
	}
	d, _ := model.ParseDuration(word(k))
	switch {
	case time.Duration(d) < MinSilence:
		return fail("A silence lasts at least " + formatDuration(MinSilence) + ", not " + quote(word(k)) + ".")
	case time.Duration(d) > MaxSilence:
		return fail("A silence lasts at most " + formatDuration(MaxSilence) + ", not " + quote(word(k)) + ".")
	}
	if matchAllEmpty(ms) {
		return fail(`At least one matcher has to require a value, like alertname="DiskFull": these also match alerts without the labels, and Alertmanager refuses such a silence.`)
	}
	return Silence{Matchers: ms, Duration: time.Duration(d), Comment: trim(s[ws[k].end:])}, nil
}

// matchAllEmpty is Alertmanager's test for a silence that is too wide
// (silence.validateSilence): every matcher matches the empty value.
func matchAllEmpty(ms []*labels.Matcher) bool {
	for _, m := range ms {
		if !m.Matches("") {
			return false
		}
	}
	return true
}

// notDuration explains a word that stands where the duration belongs.
func notDuration(w string) string {
	switch {
	case opRE.MatchString(w):
		return "Put a comma between two matchers, before " + quote(w) + "."
	case w[0] >= '0' && w[0] <= '9':
		return quote(w) + " is not a duration: write it like 30m, 2h, 1d or 1h30m."
	}
	return "After the matchers comes the duration, such as 2h, not " + quote(w) + `. A value with spaces needs quotes: alertname="Disk full".`
}

// endsWithOperator says whether the next word is a matcher's value.
func endsWithOperator(w string) bool {
	return strings.HasSuffix(w, "=") || strings.HasSuffix(w, "~") || strings.HasSuffix(w, "!")
}

// continues says whether cur belongs to the same matchers as prev: a
// comma, a brace or an operator joins them.
func continues(prev, cur string) bool {
	return endsWithOperator(prev) || strings.HasSuffix(prev, ",") || strings.HasSuffix(prev, "{") ||
		strings.HasPrefix(cur, ",") || strings.HasPrefix(cur, "}") || strings.HasPrefix(cur, "=") ||
		strings.HasPrefix(cur, "!=") || strings.HasPrefix(cur, "!~")
}

// span is a word's place in a string, in bytes.
type span struct{ start, end int }

// words splits s at white space outside double quotes.
func words(s string) []span {
	var ws []span
	var q quoting
	start := -1
	for i, r := range s {
		if q.step(r) && isSpace(r) {
			if start >= 0 {
				ws = append(ws, span{start, i})
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		ws = append(ws, span{start, len(s)})
	}
	return ws
}

// formatDuration writes d in Prometheus syntax (1h30m, 2d, 1w).
func formatDuration(d time.Duration) string { return model.Duration(d).String() }

// SilenceID is the silence /unsilence names.
type SilenceID struct {
	// ID is lower-case: a whole UUID, or its first characters when
	// Prefix.
	ID string
	// Prefix says that ID is the start of a silence's ID, at least 8 hex
	// digits; the caller expires the silence only if exactly one matches.
	Prefix bool
}

// Matches says whether silenceID, as Alertmanager returns it, is the one
// named (or one of those starting with the prefix).
func (id SilenceID) Matches(silenceID string) bool {
	if id.ID == "" {
		return false
	}
	silenceID = strings.ToLower(silenceID)
	if id.Prefix {
		return strings.HasPrefix(silenceID, id.ID)
	}
	return silenceID == id.ID
}

// minIDPrefix is how many hex digits of an ID /unsilence needs: what
// /silences shows, and enough that two silences rarely share it.
const minIDPrefix = 8

// ParseID reads /unsilence's argument: a silence ID, which Alertmanager
// makes a UUID (3f2a1b4c-91ab-4e2f-8d1c-0a9b8c7d6e5f). It takes the whole
// UUID, with or without dashes, in any case, or its first 8 or more hex
// digits (with the dashes in their places or none), which it marks as a
// Prefix for the caller to resolve.
func ParseID(args string) (SilenceID, error) {
	fail := func(problem string) (SilenceID, error) {
		return SilenceID{}, &UsageError{Command: "unsilence", Problem: problem, Example: ExampleUnsilence}
	}
	if err := checkArgs("unsilence", ExampleUnsilence, args); err != nil {
		return SilenceID{}, err
	}
	s := strings.ToLower(trim(args))
	switch {
	case s == "":
		return fail("Say which silence: its ID, as /silences shows it.")
	case strings.IndexFunc(s, isSpace) >= 0:
		return fail("One silence at a time, please.")
	case len(s) > uuidLen:
		return fail(quote(s) + " is not a silence ID: /silences shows them.")
	}
	if !strings.Contains(s, "-") && isHex(s) && len(s) <= 32 {
		s = dashed(s)
	}
	hex := 0
	for i := 0; i < len(s); i++ {
		switch {
		case isDash(i) && s[i] == '-':
		case !isDash(i) && isHex(s[i:i+1]):
			hex++
		default:
			return fail(quote(s) + " is not a silence ID: /silences shows them.")
		}
	}
	switch {
	case len(s) == uuidLen:
		return SilenceID{ID: s}, nil
	case hex < minIDPrefix:
		return fail(quote(s) + " is too short: give at least 8 characters of the ID, as /silences shows it.")
	}
	return SilenceID{ID: s, Prefix: true}, nil
}

// uuidLen is the length of a UUID written with dashes (RFC 9562).
const uuidLen = 36

func isDash(i int) bool { return i == 8 || i == 13 || i == 18 || i == 23 }

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return s != ""
}

// dashed puts the dashes into hex digits of a UUID or of its start.
func dashed(hex string) string {
	var b strings.Builder
	for i := 0; i < len(hex); i++ {
		if isDash(b.Len()) {
			b.WriteByte('-')
		}
		b.WriteByte(hex[i])
	}
	return b.String()
}
