package prom

import (
	"fmt"
	"io"

	"github.com/heraldhq/herald/internal/config"
)

// Caps on one answer. A query that matches tens of thousands of series (a
// rewrite that could not inject the instance label, a high-cardinality
// metric) would otherwise cost hundreds of MB to read and decode.
const (
	// DefaultMaxBytes bounds the body of a query or query_range answer:
	// 16 MiB holds some 300 series of 1,000 points, far more than a chart
	// draws.
	DefaultMaxBytes = 16 << 20
	// DefaultMaxRulesBytes bounds /api/v1/rules. Big set-ups have
	// thousands of rules, each with its firing alerts, so it gets more
	// room; a larger MaxBytes raises it too.
	DefaultMaxRulesBytes = 32 << 20
	// DefaultMaxSeries is how many series a query keeps, graph.max_series'
	// default: a chart with more lines is unreadable.
	DefaultMaxSeries = 10
	// DefaultMaxPoints is how many points a series keeps. The chart's step
	// gives at most about 600 (graph/promql.Window); more only come from a
	// server that ignores the step or from a raw range selector. Prometheus'
	// own limit is 11,000 points per series.
	DefaultMaxPoints = 1000
	// minPoints keeps the first and last point and one bucket's low and
	// high between them.
	minPoints = 4
	// errorBodyLimit bounds the body of a non-2xx answer: only its start
	// goes into the error.
	errorBodyLimit = 64 << 10
	// settingMaxBytes is the configuration key that raises the byte caps.
	settingMaxBytes = "graph.max_response_size"
)

// Limits bound what one query answer may cost. Zero fields take the
// defaults (MaxBytes the client's, see WithMaxResponseSize).
type Limits struct {
	// MaxBytes is the largest body read; past it the call fails with a
	// *TooLargeError.
	MaxBytes int64
	// MaxSeries is how many series are kept: the highest by last value,
	// the order the chart draws them in. Result.Series counts them all.
	MaxSeries int
	// MaxPoints is how many points a series keeps; a longer one is thinned
	// to the lowest and highest value of equal runs, plus its first and
	// last point.
	MaxPoints int
}

// withDefaults fills the zero fields.
func (l Limits) withDefaults(maxBytes int64) Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = maxBytes
	}
	if l.MaxSeries <= 0 {
		l.MaxSeries = DefaultMaxSeries
	}
	if l.MaxPoints <= 0 {
		l.MaxPoints = DefaultMaxPoints
	}
	l.MaxPoints = max(l.MaxPoints, minPoints)
	return l
}

// TooLargeError is an answer whose body is larger than its limit. The call
// fails as soon as the limit is passed: the rest is not read, and the
// connection is closed rather than drained.
type TooLargeError struct {
	// Limit is the number of bytes allowed.
	Limit int64
	// Raise says which setting allows more.
	Raise string
}

// Error formats as "answer larger than 16MiB; raise graph.max_response_size
// if such answers are expected".
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("answer larger than %s; raise %s if such answers are expected", config.Bytes(e.Limit), e.Raise)
}

// limitReader reads at most limit bytes and fails with a *TooLargeError
// when there is more. Its first error sticks, so that the decoder's error
// can be told from the body's.
type limitReader struct {
	r     io.Reader
	left  int64
	limit int64
	raise string
	err   error
}

func newLimitReader(r io.Reader, limit int64, raise string) *limitReader {
	return &limitReader{r: r, left: limit, limit: limit, raise: raise}
}

// Read implements io.Reader.
func (l *limitReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if l.left <= 0 {
		// One byte more tells "exactly the limit" from "over it".
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			l.err = &TooLargeError{Limit: l.limit, Raise: l.raise}
			return 0, l.err
		}
		if err != nil && err != io.EOF {
			l.err = err
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if err != nil && err != io.EOF {
		l.err = err
	}
	return n, err
}
