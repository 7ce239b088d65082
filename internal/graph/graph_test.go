package graph

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/graph/render"
	"github.com/heraldhq/herald/internal/graph/source"
)

type fakeFinder struct {
	found source.Found
	err   error
}

func (f fakeFinder) Find(context.Context, amtemplate.Alert) (source.Found, error) {
	return f.found, f.err
}

type fakeDrawer struct {
	calls atomic.Int32
	delay time.Duration
	err   error
	plans chan Plan
}

func (d *fakeDrawer) Draw(ctx context.Context, p Plan, _ amtemplate.Alert) (Drawing, error) {
	d.calls.Add(1)
	if d.plans != nil {
		d.plans <- p
	}
	select {
	case <-time.After(d.delay):
	case <-ctx.Done():
		return Drawing{}, ctx.Err()
	}
	v := 93.25
	return Drawing{PNG: []byte("png"), Value: &v}, d.err
}

func testAlert() amtemplate.Alert {
	return amtemplate.Alert{Status: "firing", Fingerprint: "fp", StartsAt: time.Now().Add(-10 * time.Minute),
		Labels: amtemplate.KV{"alertname": "HighLoad", "instance": "web-1:9100", "job": "node"}}
}

func newTestEnricher(f Finder, d Drawer, timeout time.Duration) (*Enricher, *Metrics) {
	cfg := config.DefaultGraphConfig()
	cfg.Timeout = config.Duration(timeout)
	m := NewMetrics(prometheus.NewRegistry())
	return NewEnricher(cfg, f, d, m, slog.New(slog.NewTextHandler(io.Discard, nil))), m
}

func TestImageRenderedOncePerEvent(t *testing.T) {
	d := &fakeDrawer{delay: 50 * time.Millisecond, plans: make(chan Plan, 10)}
	e, _ := newTestEnricher(fakeFinder{found: source.Found{Expr: `node_load1 > 4`, For: 5 * time.Minute}}, d, time.Second)
	a := testAlert()
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ { // five channels of the same event at once
		wg.Go(func() {
			if img := e.Image(context.Background(), a, alert.KindFiring); img == nil || string(img.PNG) != "png" {
				t.Error("no image")
			}
		})
	}
	wg.Wait()
	if n := d.calls.Load(); n != 1 {
		t.Fatalf("%d renders for one event", n)
	}
	p := <-d.plans
	if p.Query != `node_load1{instance="web-1:9100"}` || *p.Threshold != 4 || p.Op != ">" {
		t.Fatalf("plan %+v", p)
	}
	if p.Title != "HighLoad · instance=web-1:9100" || p.End.Sub(p.Start) < 10*time.Minute {
		t.Fatalf("title %q window %v", p.Title, p.End.Sub(p.Start))
	}
	// The resolution is another event: another chart.
	e.Image(context.Background(), a, alert.KindResolved)
	if n := d.calls.Load(); n != 2 {
		t.Fatalf("%d renders after the resolution", n)
	}
}

func TestImageFailuresAreCountedNotReturned(t *testing.T) {
	cases := []struct {
		name   string
		finder Finder
		drawer *fakeDrawer
		reason string
	}{
		{"no query", fakeFinder{err: source.ErrNoQuery}, &fakeDrawer{}, ReasonNoQuery},
		{"prometheus", fakeFinder{found: source.Found{Expr: "up == 0"}}, &fakeDrawer{err: &QueryError{Err: errors.New("500")}}, ReasonPrometheus},
		{"render", fakeFinder{found: source.Found{Expr: "up == 0"}}, &fakeDrawer{err: errors.New("font")}, ReasonRender},
		{"timeout", fakeFinder{found: source.Found{Expr: "up == 0"}}, &fakeDrawer{delay: time.Hour}, ReasonTimeout},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, m := newTestEnricher(c.finder, c.drawer, 100*time.Millisecond)
			start := time.Now()
			if img := e.Image(context.Background(), testAlert(), alert.KindFiring); img != nil {
				t.Fatal("an image despite the failure")
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Fatalf("took %v with a 100ms budget", took)
			}
			if v := testutil.ToFloat64(m.failed.WithLabelValues(c.reason)); v != 1 {
				t.Fatalf("reason %s counted %v times", c.reason, v)
			}
		})
	}
}

func TestMetricNameAndTitle(t *testing.T) {
	for q, want := range map[string]string{
		`rate(node_network_receive_bytes_total{device="eth0"}[5m])`:         "node_network_receive_bytes_total",
		`node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100`: "node_memory_MemAvailable_bytes",
		`vector(1)`:  "",
		`not promql`: "",
	} {
		if got := MetricName(q); got != want {
			t.Errorf("MetricName(%s) = %q, want %q", q, got, want)
		}
	}
	a := testAlert()
	if got := Title(a, []string{"job", "instance", "missing"}); got != "HighLoad · instance=web-1:9100 job=node" {
		t.Errorf("title %q", got)
	}
}

type fakePublisher struct{ n atomic.Int32 }

func (p *fakePublisher) Publish(png []byte) (string, error) {
	p.n.Add(1)
	return "https://herald.example/images/x.png?sig=1", nil
}

func TestImagePublishedOnce(t *testing.T) {
	e, _ := newTestEnricher(fakeFinder{found: source.Found{Expr: `up == 0`}}, &fakeDrawer{}, time.Second)
	pub := &fakePublisher{}
	e.publisher = pub
	a := testAlert()
	for i := 0; i < 3; i++ {
		if img := e.Image(context.Background(), a, alert.KindFiring); img == nil || img.URL != "https://herald.example/images/x.png?sig=1" {
			t.Fatalf("image %+v", img)
		}
	}
	if pub.n.Load() != 1 {
		t.Fatalf("published %d times", pub.n.Load())
	}
}

// TestImageCarriesCurrentValue checks that the chart brings the alert's
// current value, formatted in the unit of the query.
func TestImageCarriesCurrentValue(t *testing.T) {
	d := &fakeDrawer{}
	e, _ := newTestEnricher(fakeFinder{found: source.Found{
		Expr: `100 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) * 100 > 90`, For: 5 * time.Minute}}, d, time.Second)
	img := e.Image(context.Background(), testAlert(), alert.KindFiring)
	if img == nil || img.Value == nil || *img.Value != 93.25 || img.Unit != "percent" || img.ValueText != "93.2 %" {
		t.Fatalf("image %+v", img)
	}
}

// TestCurrentValue checks which series gives the value when the query
// has several: the one furthest on the alerting side.
func TestCurrentValue(t *testing.T) {
	ser := func(vs ...float64) render.Series {
		s := render.Series{}
		for i, v := range vs {
			s.Points = append(s.Points, render.Point{T: time.Unix(int64(i), 0), V: v})
		}
		return s
	}
	ss := []render.Series{ser(1, 5), ser(9, 2), ser(), ser(3, math.NaN())}
	if v := currentValue(ss, ">"); v == nil || *v != 5 {
		t.Errorf("> gives %v, want 5", v)
	}
	if v := currentValue(ss, "<"); v == nil || *v != 2 {
		t.Errorf("< gives %v, want 2", v)
	}
	if v := currentValue(nil, ">"); v != nil {
		t.Errorf("no series gives %v", *v)
	}
}
