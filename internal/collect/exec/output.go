package exec

import (
	"errors"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// errTooBig fails a check that printed more than MaxOutput bytes.
var errTooBig = errors.New("output larger than 1 MiB")

// capWriter keeps stdout up to max bytes; past that it refuses the write
// (the command then gets EPIPE or SIGPIPE) and closes over, on which the
// run kills the group.
type capWriter struct {
	max  int
	over chan struct{}

	mu       sync.Mutex
	buf      []byte
	exceeded bool
}

func newCapWriter(max int) *capWriter { return &capWriter{max: max, over: make(chan struct{})} }

func (w *capWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.exceeded || len(w.buf)+len(p) > w.max {
		if !w.exceeded {
			w.exceeded = true
			close(w.over)
		}
		return 0, errTooBig
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// bytes returns what was kept and whether more came.
func (w *capWriter) bytes() ([]byte, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf, w.exceeded
}

// tailWriter keeps the last max bytes written to it, in at most 2*max of
// memory.
type tailWriter struct {
	max int

	mu  sync.Mutex
	buf []byte
	cut bool
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(p)
	if len(p) >= w.max {
		w.cut = w.cut || len(p) > w.max || len(w.buf) > 0
		w.buf = append(w.buf[:0], p[len(p)-w.max:]...)
		return n, nil
	}
	w.buf = append(w.buf, p...)
	if len(w.buf) > 2*w.max {
		w.buf = w.buf[:copy(w.buf, w.buf[len(w.buf)-w.max:])]
		w.cut = true
	}
	return n, nil
}

// String is the tail as a Result carries it: at most max bytes of valid
// UTF-8 without control characters but newline and tab, starting with
// "…" when the beginning was cut.
func (w *tailWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	b, cut := w.buf, w.cut
	if len(b) > w.max {
		b, cut = b[len(b)-w.max:], true
	}
	if cut {
		// Do not start with the rest of a rune whose beginning went.
		for i := 0; i < utf8.UTFMax-1 && len(b) > 0 && !utf8.RuneStart(b[0]); i++ {
			b = b[1:]
		}
	}
	s := strings.TrimSpace(sanitize(string(b), true))
	if !cut && len(s) <= w.max {
		return s
	}
	const mark = "…"
	return mark + keepEnd(s, w.max-len(mark))
}

// sanitize makes outside text safe to log and show: invalid UTF-8 and
// control characters (which would drive a terminal) become U+FFFD,
// carriage returns go; newline and tab stay when multiline.
func sanitize(s string, multiline bool) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return -1
		case multiline && (r == '\n' || r == '\t'):
			return r
		case unicode.IsControl(r):
			return utf8.RuneError
		}
		return r
	}, strings.ToValidUTF8(s, string(utf8.RuneError)))
}

// keepEnd is the longest end of s of at most n bytes that starts on a
// rune.
func keepEnd(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := len(s) - n
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return s[i:]
}

// lastLine is the last non-blank line of s, cut to at most n bytes on a
// rune, for a one-line error.
func lastLine(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	l := strings.TrimSpace(lines[len(lines)-1])
	if len(l) <= n {
		return l
	}
	const mark = "…"
	i := n - len(mark)
	for i > 0 && !utf8.RuneStart(l[i]) {
		i--
	}
	return l[:i] + mark
}
