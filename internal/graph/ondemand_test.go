package graph

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/graph/source"
	"github.com/heraldhq/herald/internal/graph/unit"
)

func TestQueryChart(t *testing.T) {
	t.Parallel()
	d := &fakeDrawer{plans: make(chan Plan, 1)}
	e, _ := newTestEnricher(fakeFinder{}, d, time.Second)
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	e.now = func() time.Time { return now }
	png, err := e.Query(context.Background(), QueryChart{Query: `rate(node_network_receive_bytes_total[5m])`,
		Thresholds: []float64{1e6}, Range: 6 * time.Hour})
	if err != nil || string(png) != "png" {
		t.Fatalf("Query = %q, %v", png, err)
	}
	p := <-d.plans
	if !p.End.Equal(now) || p.End.Sub(p.Start) != 6*time.Hour || p.Step <= 0 {
		t.Errorf("window %v – %v step %v, want the last 6h", p.Start, p.End, p.Step)
	}
	if p.Unit != unit.BytesPerSec || p.Title != p.Query {
		t.Errorf("unit %q title %q", p.Unit, p.Title)
	}
	if len(p.Thresholds) != 1 || *p.Thresholds[0].Value != 1e6 {
		t.Errorf("thresholds %+v", p.Thresholds)
	}
	_, _ = e.Query(context.Background(), QueryChart{Title: "load", Query: `node_load1`, Unit: unit.Percent, Range: time.Hour})
	if p := <-d.plans; p.Unit != unit.Percent || p.Title != "load" {
		t.Errorf("a chart's own unit and title are not kept: %q %q", p.Unit, p.Title)
	}
}

func TestRedraw(t *testing.T) {
	t.Parallel()
	d := &fakeDrawer{plans: make(chan Plan, 1)}
	e, _ := newTestEnricher(fakeFinder{found: source.Found{Expr: `node_load1 > 4`, For: 5 * time.Minute}}, d, time.Second)
	a := testAlert()
	a.StartsAt = time.Now().Add(-3 * 24 * time.Hour) // longer than the window asked for
	if _, err := e.Redraw(context.Background(), a, 6*time.Hour); err != nil {
		t.Fatal(err)
	}
	p := <-d.plans
	if got := p.End.Sub(p.Start); got != 6*time.Hour {
		t.Errorf("window %v, want 6h whatever the episode's length", got)
	}
	if p.Query != `node_load1{instance="web-1:9100"}` {
		t.Errorf("query %q is not the alert's own series", p.Query)
	}
	e2, _ := newTestEnricher(fakeFinder{}, d, time.Second)
	if _, err := e2.Redraw(context.Background(), a, time.Hour); !errors.Is(err, ErrNoExpression) {
		t.Errorf("no expression: err = %v", err)
	}
}
