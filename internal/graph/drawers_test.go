package graph

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/graph/source"
	"github.com/heraldhq/herald/internal/prom"
)

// recordingProm answers every query with one series and records the
// queries; a query in fail fails.
type recordingProm struct {
	mu      sync.Mutex
	queries []string
	fail    string
}

func (p *recordingProm) QueryRange(_ context.Context, q string, start, end time.Time, step time.Duration, _ prom.Limits) (prom.Result, error) {
	p.mu.Lock()
	p.queries = append(p.queries, q)
	p.mu.Unlock()
	if q == p.fail {
		return prom.Result{}, errors.New("bad query")
	}
	s := prom.Series{Labels: map[string]string{"instance": "web-1"}}
	for t := start; !t.After(end); t = t.Add(step) {
		s.Points = append(s.Points, prom.Point{T: t, V: float64(t.Unix() % 70)})
	}
	return prom.Result{Matrix: prom.Matrix{s}, Series: 1}, nil
}

// A series threshold is queried with the same window and labels as the
// chart; when only that query fails, the chart is still drawn.
func TestBuiltinQueriesSeriesThreshold(t *testing.T) {
	g := config.GraphConfig{Width: 800, Height: 400}
	r, err := NewRenderer(&g)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 3, 14, 15, 0, 0, 0, time.UTC)
	a := amtemplate.Alert{Status: "firing", Labels: amtemplate.KV{"alertname": "Hot", "instance": "web-1"}, StartsAt: now.Add(-10 * time.Minute)}
	p := MakePlan(&g, a, source.Found{Expr: `node_hwmon_temp_celsius > node_hwmon_temp_max_celsius * 0.9`, For: 5 * time.Minute}, now)
	want := []string{`node_hwmon_temp_celsius{instance="web-1"}`, `node_hwmon_temp_max_celsius{instance="web-1"} * 0.9`}
	for _, fail := range []string{"", want[1]} {
		q := &recordingProm{fail: fail}
		d, err := (&Builtin{Prom: q, Renderer: r}).Draw(context.Background(), p, a)
		if err != nil || len(d.PNG) == 0 {
			t.Fatalf("fail %q: %v", fail, err)
		}
		slices.Sort(q.queries)
		if !slices.Equal(q.queries, want) {
			t.Errorf("queried %q, want %q", q.queries, want)
		}
	}
}
