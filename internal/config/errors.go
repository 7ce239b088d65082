package config

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Error is one problem in a configuration file. It carries the line and the
// dotted field path (channels[0].telegram.chat_id) so that the user of a long
// file goes straight to the mistake.
type Error struct {
	File  string
	Line  int // 0 when the field is not in the file (a missing key)
	Field string
	Msg   string
}

// Error formats as FILE:LINE: FIELD: message, leaving out the parts that are
// unknown.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found while loading one file. Load collects them
// all, rather than stopping at the first, so that `herald check-config` shows
// the whole list in one run.
type Errors struct {
	List []*Error
}

// Error prints one problem per line.
func (e *Errors) Error() string {
	lines := make([]string, len(e.List))
	for i, err := range e.List {
		lines[i] = err.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As reach the individual *Error values.
func (e *Errors) Unwrap() []error {
	out := make([]error, len(e.List))
	for i, err := range e.List {
		out[i] = err
	}
	return out
}

// errorf records a problem at an explicit line.
func (l *loader) errorf(field string, line int, format string, args ...any) {
	l.errs = append(l.errs, &Error{File: l.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// fieldErrorf records a problem at the line where field (or its nearest
// enclosing key) is written.
func (l *loader) fieldErrorf(field string, format string, args ...any) {
	l.errorf(field, l.lineOf(field), format, args...)
}

// fail records a decoding problem and marks the field, so that validation
// does not add a second, confusing message about the value left unset.
func (l *loader) fail(field string, line int, msg string) {
	l.failed[field] = true
	l.errorf(field, line, "%s", msg)
}

// hasFailed reports whether field or one of its parents failed to decode.
func (l *loader) hasFailed(field string) bool {
	for p := field; p != ""; p = parentPath(p) {
		if l.failed[p] {
			return true
		}
	}
	return false
}

// mayRequire reports whether an empty required field deserves an error of
// its own: not when it failed to decode, and not when its mapping holds an
// unknown key, which is most likely the same field misspelt.
func (l *loader) mayRequire(field string) bool {
	return !l.hasFailed(field) && !l.unknown[parentPath(field)]
}

// lineOf finds the line of field, or of the nearest parent that is written
// in the file, since a missing key has no line of its own.
func (l *loader) lineOf(field string) int {
	for p := field; p != ""; p = parentPath(p) {
		if line, ok := l.lines[p]; ok {
			return line
		}
	}
	return 0
}

// result returns the collected problems in file order, or nil.
func (l *loader) result() error {
	if len(l.errs) == 0 {
		return nil
	}
	// Sort by line so the list reads top to bottom; problems without a line
	// (missing keys) come last. The sort is stable so problems on one line
	// keep the order in which they were found.
	sort.SliceStable(l.errs, func(i, j int) bool {
		a, b := l.errs[i].Line, l.errs[j].Line
		if a == 0 || b == 0 {
			return a != 0 && b == 0
		}
		return a < b
	})
	return &Errors{List: l.errs}
}

// joinPath appends a key to a dotted path.
func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// channelPath is the path of the i-th channel.
func channelPath(i int) string { return "channels[" + strconv.Itoa(i) + "]" }

// indexPath appends a list index to a path.
func indexPath(parent string, i int) string { return parent + "[" + strconv.Itoa(i) + "]" }

// parentPath strips the last key or index from a path.
func parentPath(p string) string {
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndexByte(p, '['); i >= 0 {
			return p[:i]
		}
	}
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return ""
}

// lastSegment is the last key of a dotted path.
func lastSegment(p string) string {
	return p[strings.LastIndexByte(p, '.')+1:]
}

// yamlLine matches the "line N: " prefix of yaml.v3 messages.
var yamlLine = regexp.MustCompile(`^(?:yaml: )?(?:unmarshal errors:\n\s*)?line (\d+): `)

// splitYAMLError turns a yaml.v3 message into a line and a message without
// the "yaml: line N:" prefix, so it can be printed in Herald's own format.
func splitYAMLError(msg string) (line int, rest string) {
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		return line, msg[len(m[0]):]
	}
	return 0, strings.TrimPrefix(msg, "yaml: ")
}

// parserProblems are the messages of yaml.v3's parser (as opposed to its
// scanner). For these yaml.v3 prints a 0-based line number (the scanner's
// are 1-based), so Herald adds one to point at the right line.
var parserProblems = map[string]bool{
	"did not find expected <document start>": true,
	"did not find expected node content":     true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
	"found duplicate %YAML directive":        true,
	"found duplicate %TAG directive":         true,
}

// syntaxError splits a yaml.v3 parse error into a 1-based line and message.
func syntaxError(err error) (line int, msg string) {
	line, msg = splitYAMLError(err.Error())
	if line > 0 && parserProblems[msg] {
		line++
	}
	return line, msg
}
