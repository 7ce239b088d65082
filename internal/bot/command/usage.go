package command

import (
	"errors"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what a command may carry. They bound the work one message can
// cause and what the store keeps per subscription; anything Telegram can
// deliver fits MaxArgs.
const (
	// MaxArgs is the most bytes of arguments a Parse function looks at.
	// Telegram messages are at most 4096 UTF-16 code units (Bot API,
	// sendMessage "text"), at most 12288 bytes of UTF-8.
	MaxArgs = 16 << 10
	// MaxExpr is the most characters of a subscription's expression,
	// matchers or regular expression: it is kept in the store and
	// evaluated for every alert.
	MaxExpr = 512
)

// Examples, one per command, shown after a problem. They are valid input:
// the tests parse each of them.
const (
	ExampleSubscribe   = `/subscribe severity="critical", job=~"node.*"`
	ExampleRegexp      = `/regexp ^Disk(Full|WillFill)$`
	ExampleUnsubscribe = `/unsubscribe 2`
	ExampleSilence     = `/silence alertname="DiskFull", instance="db1" 2h disk replaced tomorrow`
	ExampleUnsilence   = `/unsilence 3f2a1b4c`
	ExampleGraph       = `/graph rate(node_cpu_seconds_total{mode!="idle"}[5m]) 6h`
	ExampleChart       = `/chart cpu day`
	ExampleMatchers    = `severity="critical", job=~"node.*"`
	ExampleRange       = `6h`
)

// UsageError says why a command's arguments were refused. Its parts are
// kept apart so that the bot can frame them in the user's language; Error
// is the English fallback. Problem may quote the user's input (cut to a
// few dozen characters): escape it before putting it into markup.
type UsageError struct {
	// Command is the command without the slash ("silence"); empty when
	// the error is about a piece that several commands share (ParseMatchers,
	// ParseRange).
	Command string
	// Problem is what is wrong, one or two short English sentences.
	Problem string
	// Example is a correct use: a whole command when Command is set,
	// otherwise the piece alone.
	Example string
	// Err is the underlying error (a PromQL or regular expression syntax
	// error), if any; Problem already includes its text.
	Err error
}

// Error is the problem followed by the example.
func (e *UsageError) Error() string {
	return e.Problem + " Example: " + e.Example
}

// Unwrap gives the underlying error, if any.
func (e *UsageError) Unwrap() error { return e.Err }

// reframe puts a shared piece's error (matchers, range) into cmd's frame.
func reframe(err error, cmd, example string) error {
	if u, ok := err.(*UsageError); ok && u.Command == "" {
		return &UsageError{Command: cmd, Problem: u.Problem, Example: example, Err: u.Err}
	}
	return err
}

// checkArgs refuses what no command accepts: more than MaxArgs bytes, or
// text that is not UTF-8 (Telegram only sends UTF-8).
func checkArgs(cmd, example, args string) error {
	if len(args) > MaxArgs {
		return &UsageError{Command: cmd, Problem: "The text is too long.", Example: example}
	}
	if !utf8.ValidString(args) {
		return &UsageError{Command: cmd, Problem: "The text is not valid UTF-8.", Example: example}
	}
	return nil
}

// quote shows a piece of the user's input in a problem, cut to a length
// that keeps the message short.
func quote(s string) string { return `“` + cut(s, 40) + `”` }

// cut shortens s to max characters, marking the cut.
func cut(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}

// syntaxProblem describes a regular expression's syntax error briefly
// (syntax.Error's text repeats the whole expression).
func syntaxProblem(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		return string(se.Code) + ": " + quote(se.Expr)
	}
	return cut(err.Error(), 120)
}

// isSpace is a separator between words. Besides Unicode white space it
// takes the zero-width characters that phone keyboards and copy and paste
// leave between words.
func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\v', '\f':
		return true
	case '\u200b', '\u2060', '\ufeff':
		return true
	}
	return r >= utf8.RuneSelf && unicode.IsSpace(r)
}

// trim cuts separators from both ends.
func trim(s string) string { return strings.TrimFunc(s, isSpace) }
