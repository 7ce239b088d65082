package prom

import (
	"bytes"
	"fmt"

	"github.com/prometheus/common/model"
)

// samples is a "values" array, [[1795320000,"0.5"],...]. It is parsed here
// rather than element by element through model.SamplePair, whose decoder
// runs a json.Unmarshal per point: that allocates for every point and made
// a 600,000-point series cost a second and 200 MB. The numbers themselves
// are still read by model.Time and model.SampleValue, so they mean what
// they meant (NaN, ±Inf, fractional seconds).
type samples []model.SamplePair

// UnmarshalJSON implements json.Unmarshaler. encoding/json has already
// checked that b is one valid JSON value; what is checked here is its shape.
// The slice's capacity is reused.
func (s *samples) UnmarshalJSON(b []byte) error {
	p := sampleParser{b: b}
	*s = (*s)[:0]
	if p.peek() == 'n' { // null: b is valid JSON
		return nil
	}
	if err := p.expect('['); err != nil {
		return err
	}
	// One '[' per pair: sizing the slice once saves the copies of growing
	// it, which for a long series cost twice its size.
	if n := bytes.Count(b, []byte{'['}) - 1; cap(*s) < n {
		*s = make(samples, 0, n)
	}
	if p.peek() == ']' {
		p.i++
		return nil
	}
	for {
		sp, err := p.pair()
		if err != nil {
			return err
		}
		*s = append(*s, sp)
		switch p.peek() {
		case ',':
			p.i++
		case ']':
			return nil
		default:
			return p.errorf("want ',' or ']'")
		}
	}
}

// sampleParser walks one values array.
type sampleParser struct {
	b []byte
	i int
}

// pair reads [time, "value"].
func (p *sampleParser) pair() (model.SamplePair, error) {
	var sp model.SamplePair
	if err := p.expect('['); err != nil {
		return sp, err
	}
	p.space()
	start := p.i
	for p.i < len(p.b) && isNumberByte(p.b[p.i]) {
		p.i++
	}
	if err := sp.Timestamp.UnmarshalJSON(p.b[start:p.i]); err != nil {
		return sp, fmt.Errorf("sample time: %w", err)
	}
	if err := p.expect(','); err != nil {
		return sp, err
	}
	p.space()
	start = p.i
	if p.i < len(p.b) && p.b[p.i] == '"' {
		p.i++
		for p.i < len(p.b) && p.b[p.i] != '"' && p.b[p.i] != '\\' {
			p.i++
		}
		if p.i < len(p.b) && p.b[p.i] == '\\' {
			return sp, p.errorf("escape in a sample value")
		}
		p.i++
	}
	if err := sp.Value.UnmarshalJSON(p.b[start:min(p.i, len(p.b))]); err != nil {
		return sp, err
	}
	return sp, p.expect(']')
}

// expect skips white space and one byte c.
func (p *sampleParser) expect(c byte) error {
	if p.peek() != c {
		return p.errorf("want %q", c)
	}
	p.i++
	return nil
}

// peek skips white space and returns the next byte, 0 at the end.
func (p *sampleParser) peek() byte {
	p.space()
	if p.i >= len(p.b) {
		return 0
	}
	return p.b[p.i]
}

func (p *sampleParser) space() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r') {
		p.i++
	}
}

func (p *sampleParser) errorf(format string, args ...any) error {
	return fmt.Errorf("values at byte %d: %w", p.i, fmt.Errorf(format, args...))
}

func isNumberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}
