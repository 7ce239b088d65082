package prom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/prometheus/common/model"
)

// dataError marks a failure inside "data", as opposed to the envelope.
type dataError struct{ err error }

func (e *dataError) Error() string { return e.err.Error() }
func (e *dataError) Unwrap() error { return e.err }

// decodeStream reads a 2xx answer from r as it arrives, handing "data" to
// data. Keys are taken in any order, so that a server writing "status"
// after "data" still works. Read errors (the byte cap, a reset) come back
// as they are, so that callers can tell them from a bad answer.
func decodeStream(code int, r *limitReader, data func(*json.Decoder) error, secrets []string) ([]string, error) {
	dec := json.NewDecoder(r)
	var env envelope
	err := object(dec, func(key string) error {
		switch key {
		case "status":
			return dec.Decode(&env.Status)
		case "errorType":
			return dec.Decode(&env.ErrorType)
		case "error":
			return dec.Decode(&env.Error)
		case "warnings":
			return dec.Decode(&env.Warnings)
		case "data":
			if err := data(dec); err != nil {
				return &dataError{err}
			}
			return nil
		}
		return skip(dec)
	})
	var de *dataError
	switch {
	case r.err != nil:
		return nil, r.err
	case err != nil && errors.As(err, &de):
		if env.Status == "error" {
			break
		}
		return nil, &APIError{StatusCode: code, Type: "bad_response", Msg: "cannot decode data: " + de.err.Error()}
	case err != nil:
		return nil, &APIError{StatusCode: code, Type: "bad_response", Msg: "invalid JSON: " + err.Error()}
	}
	switch env.Status {
	case "success":
		return env.Warnings, nil
	case "error":
		return env.Warnings, &APIError{StatusCode: code, Type: env.ErrorType, Msg: env.Error}
	}
	return nil, &APIError{StatusCode: code, Type: "bad_response", Msg: fmt.Sprintf("unexpected status %q", shorten(env.Status, secrets))}
}

// object reads one JSON object, calling field with each key while dec
// stands before its value; field must consume the value.
func object(dec *json.Decoder, field func(key string) error) error {
	if err := delim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		if err := field(key); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}

// delim reads the opening delimiter of an object or array.
func delim(dec *json.Decoder, want json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return fmt.Errorf("want %q, got %v", want, t)
	}
	return nil
}

// skip consumes one value nobody reads.
func skip(dec *json.Decoder) error {
	var v json.RawMessage
	return dec.Decode(&v)
}

// queryDecoder reads the data of /query and /query_range series by series
// and keeps only what the limits allow, so that an answer of ten thousand
// series costs the memory of MaxSeries of them plus the one being read.
type queryDecoder struct {
	lim  Limits
	kept []candidate
	res  Result
}

// candidate is a kept series with what ranks it.
type candidate struct {
	s    Series
	last float64 // last finite value, NaN when none
	idx  int     // position in the answer
}

// decode reads {"resultType": ..., "result": ...}.
func (q *queryDecoder) decode(dec *json.Decoder) error {
	var typ string
	var deferred json.RawMessage
	err := object(dec, func(key string) error {
		switch key {
		case "resultType":
			return dec.Decode(&typ)
		case "result":
			if typ == "" {
				// Every known server writes resultType first; another
				// order costs a copy of the result, within the byte cap.
				return dec.Decode(&deferred)
			}
			return q.result(dec, typ)
		}
		return skip(dec)
	})
	if err == nil && deferred != nil {
		err = q.result(json.NewDecoder(bytes.NewReader(deferred)), typ)
	}
	if err != nil {
		return err
	}
	// The answer's order, which the chart's colours follow.
	slices.SortFunc(q.kept, func(a, b candidate) int { return a.idx - b.idx })
	q.res.Matrix = make(Matrix, 0, len(q.kept))
	for _, c := range q.kept {
		q.res.Matrix = append(q.res.Matrix, c.s)
	}
	return nil
}

// result reads the result of one type.
func (q *queryDecoder) result(dec *json.Decoder, typ string) error {
	switch typ {
	case "matrix", "vector":
		return q.series(dec, typ == "vector")
	case "scalar":
		var p model.SamplePair
		if err := dec.Decode(&p); err != nil {
			return err
		}
		q.res.Series = 1
		q.kept = []candidate{{s: Series{Labels: map[string]string{}, Points: []Point{point(p)}}}}
		return nil
	}
	return fmt.Errorf("unsupported result type %q", typ)
}

// wireSeries is one element of a result: "values" in a matrix, "value" in
// a vector. model.SamplePair reads [time, "value"], NaN and ±Inf included.
// Native histogram samples ("histogram(s)") have no single value to draw
// and are left out; a series made only of them comes back without points.
type wireSeries struct {
	Metric map[string]string `json:"metric"`
	Values samples           `json:"values"`
	Value  *model.SamplePair `json:"value"`
}

// series reads a result array one element at a time.
func (q *queryDecoder) series(dec *json.Decoder, vector bool) error {
	if err := delim(dec, '['); err != nil {
		return err
	}
	var w wireSeries
	for dec.More() {
		// The values buffer is reused; the map is not (Decode would add
		// to it).
		w.Metric, w.Value, w.Values = nil, nil, w.Values[:0]
		if err := dec.Decode(&w); err != nil {
			return err
		}
		if w.Value != nil {
			w.Values = append(w.Values, *w.Value)
		}
		if vector && len(w.Values) == 0 {
			continue // a histogram sample
		}
		q.offer(&w)
	}
	_, err := dec.Token()
	return err
}

// offer keeps w when it ranks among the MaxSeries highest by last value,
// the order in which the renderer picks the series it draws: series with a
// value before those without, then the highest, then the earliest.
func (q *queryDecoder) offer(w *wireSeries) {
	idx := q.res.Series
	q.res.Series++
	last := lastFinite(w.Values)
	if len(q.kept) < q.lim.MaxSeries {
		q.kept = append(q.kept, q.candidate(w, last, idx))
		return
	}
	worst := 0
	for i := 1; i < len(q.kept); i++ {
		if outranks(q.kept[worst], q.kept[i]) {
			worst = i
		}
	}
	if outranks(candidate{last: last, idx: idx}, q.kept[worst]) {
		q.kept[worst] = q.candidate(w, last, idx)
	}
}

// outranks reports whether a is drawn before b.
func outranks(a, b candidate) bool {
	an, bn := math.IsNaN(a.last), math.IsNaN(b.last)
	switch {
	case an != bn:
		return bn
	case !an && a.last != b.last:
		return a.last > b.last
	}
	return a.idx < b.idx
}

// candidate copies w out of the reused buffers, thinned to MaxPoints.
func (q *queryDecoder) candidate(w *wireSeries, last float64, idx int) candidate {
	pts := thin(w.Values, q.lim.MaxPoints)
	if len(pts) < len(w.Values) {
		q.res.Thinned++
	}
	return candidate{s: Series{Labels: nonNil(w.Metric), Points: pts}, last: last, idx: idx}
}

func lastFinite(ps []model.SamplePair) float64 {
	for i := len(ps) - 1; i >= 0; i-- {
		if v := float64(ps[i].Value); !math.IsNaN(v) && !math.IsInf(v, 0) {
			return v
		}
	}
	return math.NaN()
}

// thin converts at most limit points of ps (limit ≥ 4): all of them when they
// fit; otherwise the first and the last, and between them the lowest and
// the highest finite value of each of (max-2)/2 equal runs, in time order.
// Spikes and dips survive, and so do the legend's min, max and last. A run
// without a finite value keeps its first point, so a gap stays a gap.
func thin(ps []model.SamplePair, limit int) []Point {
	n := len(ps)
	if n <= limit {
		out := make([]Point, n)
		for i, p := range ps {
			out[i] = point(p)
		}
		return out
	}
	out := make([]Point, 0, limit)
	out = append(out, point(ps[0]))
	inner := ps[1 : n-1]
	runs := (limit - 2) / 2
	for r := 0; r < runs; r++ {
		run := inner[r*len(inner)/runs : (r+1)*len(inner)/runs]
		lo, hi := -1, -1
		for i, p := range run {
			v := float64(p.Value)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			if lo < 0 || v < float64(run[lo].Value) {
				lo = i
			}
			if hi < 0 || v > float64(run[hi].Value) {
				hi = i
			}
		}
		switch {
		case lo < 0:
			out = append(out, point(run[0]))
		case lo == hi:
			out = append(out, point(run[lo]))
		default:
			a, b := min(lo, hi), max(lo, hi)
			out = append(out, point(run[a]), point(run[b]))
		}
	}
	return append(out, point(ps[n-1]))
}

func point(p model.SamplePair) Point {
	return Point{T: p.Timestamp.Time().UTC(), V: float64(p.Value)}
}

// rulesResult is the data of /api/v1/rules. Unknown keys (each rule's
// alerts, which can be most of the answer) are skipped by the decoder
// without being kept.
type rulesResult struct {
	Groups []struct {
		Name  string `json:"name"`
		Rules []struct {
			Type        string            `json:"type"`
			Name        string            `json:"name"`
			Query       string            `json:"query"`
			Duration    float64           `json:"duration"`
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
		} `json:"rules"`
	} `json:"groups"`
}
