package prom

import (
	"encoding/json"
	"testing"

	"github.com/prometheus/common/model"
)

// FuzzSamples checks the values parser against model.SamplePair's own
// decoder: whatever it accepts, that decoder reads the same way. It may
// refuse what that decoder lets through (a pair of three elements, an
// escaped digit), never the other way round for Prometheus' own output.
func FuzzSamples(f *testing.F) {
	for _, s := range []string{
		`[[1795320000,"0.5"],[1795320015.5,"NaN"],[1795320030,"+Inf"],[1795320045,"-Inf"]]`,
		`[]`, `null`, ` [ [ 1 , "1e3" ] ] `, `[[-1.25,"-0"]]`, `[[1,"x"]]`, `[[1,"2",3]]`, `[[1]]`, `[[1,2]]`,
		`[[1.123456,"1"]]`, `[[1,"\u0031"]]`, `{}`, `[[1,"1"],]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if !json.Valid([]byte(in)) {
			return // encoding/json never hands an invalid value to UnmarshalJSON
		}
		var got samples
		err := got.UnmarshalJSON([]byte(in))
		var want []model.SamplePair
		werr := json.Unmarshal([]byte(in), &want)
		if err != nil {
			return
		}
		if werr != nil {
			t.Fatalf("%s: accepted, model refuses: %v", in, werr)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d samples, model %d", in, len(got), len(want))
		}
		for i := range got {
			if !got[i].Equal(&want[i]) {
				t.Fatalf("%s: sample %d = %v, model %v", in, i, got[i], want[i])
			}
		}
	})
}

// TestSamplesReal checks Prometheus' own output and the errors callers see.
func TestSamplesReal(t *testing.T) {
	var s samples
	if err := s.UnmarshalJSON([]byte(`[[1795320000,"0.5"],[1795320015.5,"NaN"]]`)); err != nil || len(s) != 2 ||
		s[1].Timestamp != 1795320015500 || s[0].Value != 0.5 {
		t.Errorf("got %v, %v", s, err)
	}
	for _, in := range []string{`[[1,"x"]]`, `[[1,"2",3]]`, `[[1]]`, `{}`, `[[1,"\u0031"]]`} {
		if err := s.UnmarshalJSON([]byte(in)); err == nil {
			t.Errorf("%s accepted: %v", in, s)
		}
	}
}
