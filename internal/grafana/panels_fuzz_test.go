package grafana

import (
	"encoding/json"
	"testing"
)

// FuzzFlatten feeds flatten any dashboard model: it never fails, and
// lists only panels a render can name, each once.
func FuzzFlatten(f *testing.F) {
	for _, seed := range []string{
		`{"panels":[{"id":1,"type":"timeseries","title":"A","gridPos":{"x":0,"y":0}}]}`,
		`{"panels":[{"id":9,"type":"row","title":"R","collapsed":true,"panels":[{"id":2,"title":"B","gridPos":{"x":0,"y":1}},` +
			`{"type":"row","panels":[{"id":3}]}]},{"id":2,"title":"dup","gridPos":{"y":-1}}]}`,
		`{"panels":[{"id":1.5},{"id":"1"},{"id":1e300},null,7,{"libraryPanel":{"uid":"u","name":"n"},"id":4}]}`,
		`{"rows":[{"title":"T","showTitle":true,"panels":[{"id":1},{"id":1},"x"]},null,{"panels":null}]}`,
		`{"panels":{"id":1},"rows":"no"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var model map[string]any
		if json.Unmarshal(b, &model) != nil {
			return
		}
		panels, skipped := flatten(model)
		seen := map[int]bool{}
		for _, p := range panels {
			if p.ID <= 0 || seen[p.ID] || p.Type == "row" {
				t.Fatalf("panel %+v in %s", p, b)
			}
			seen[p.ID] = true
		}
		if skipped < 0 {
			t.Fatalf("skipped %d", skipped)
		}
	})
}
