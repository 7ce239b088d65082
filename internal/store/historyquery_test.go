package store

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/heraldhq/herald/internal/collect/series"
)

// monthStore holds 31 days of one-minute samples of cpu{container=web}
// (the value is the minute's index), pruned at the last one with the
// default retention. It returns the time of the last sample.
func monthStore(t *testing.T) (*Store, time.Time) {
	t.Helper()
	s := openTest(t, "")
	const day = 1440
	for d := range 31 {
		writeSamples(t, s, minutes("web", h0.Add(time.Duration(d)*24*time.Hour), day,
			func(i int) float64 { return float64(d*day + i) })...)
	}
	now := h0.Add(31*24*time.Hour - time.Minute)
	if _, err := s.PruneHistory(context.Background(), now, defaultRetention); err != nil {
		t.Fatal(err)
	}
	return s, now
}

// TestHistoryResolutionChoice checks which resolution answers a window:
// the finest that still covers its start and gives at most maxPoints.
func TestHistoryResolutionChoice(t *testing.T) {
	t.Parallel()
	s, now := monthStore(t)
	day := 24 * time.Hour
	for _, tc := range []struct {
		name      string
		window    time.Duration
		maxPoints int
		step      time.Duration
		points    int
	}{
		{"a day of samples", day, 2000, 0, 1441},
		{"no limit", day, 0, 0, 1441},
		{"a day, too many samples", day, 1000, 5 * time.Minute, 289},
		{"a day, too many 5m buckets", day, 200, time.Hour, 25},
		{"raw starts at the cut", 2 * day, 3000, 0, 2881},
		{"raw no longer covers", 3 * day, 5000, 5 * time.Minute, 865},
		{"3 days in 500 points", 3 * day, 500, time.Hour, 73},
		{"5m no longer covers", 20 * day, 10000, time.Hour, 481},
		{"1h merged into 5h", 20 * day, 100, 5 * time.Hour, 97},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := query(t, s, nil, now.Add(-tc.window), now, tc.maxPoints)
			if len(got) != 1 || got[0].Step != tc.step || len(got[0].Points) != tc.points {
				t.Fatalf("got step %v, %d points; want step %v, %d points", got[0].Step, len(got[0].Points), tc.step, tc.points)
			}
			if tc.maxPoints > 0 && len(got[0].Points) > tc.maxPoints {
				t.Fatalf("%d points, more than %d", len(got[0].Points), tc.maxPoints)
			}
		})
	}
}

// TestHistoryAggregate checks summaries over windows that each resolution
// answers, and over the whole history.
func TestHistoryAggregate(t *testing.T) {
	t.Parallel()
	s, now := monthStore(t)
	ctx := context.Background()
	last := float64(31*1440 - 1)
	at := func(i int) time.Time { return h0.Add(time.Duration(i) * time.Minute) }
	for _, tc := range []struct {
		name     string
		from, to time.Time
		want     HistoryStat
	}{
		{"last hour, raw", now.Add(-59 * time.Minute), now,
			HistoryStat{Avg: last - 29.5, Min: last - 59, Max: last, First: last - 59, Last: last, Count: 60,
				FirstAt: now.Add(-59 * time.Minute), LastAt: now}},
		{"a week, 5m", now.Add(-7 * 24 * time.Hour).Add(time.Minute), now,
			HistoryStat{Avg: last - (7*1440-1)/2.0, Min: last - (7*1440 - 1), Max: last, First: last - (7*1440 - 1),
				Last: last, Count: 7 * 1440, FirstAt: at(24 * 1440), LastAt: now, Step: 5 * time.Minute}},
		{"all history", time.Time{}, time.Time{},
			HistoryStat{Avg: last / 2, Min: 0, Max: last, First: 0, Last: last, Count: 31 * 1440,
				FirstAt: h0, LastAt: now, Step: time.Hour}},
		{"since the epoch", time.Unix(0, 0), now,
			HistoryStat{Avg: last / 2, Min: 0, Max: last, First: 0, Last: last, Count: 31 * 1440,
				FirstAt: h0, LastAt: now, Step: time.Hour}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Aggregate(ctx, "cpu", nil, tc.from, tc.to)
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Name = "cpu"
			if len(got) != 1 || !sameStat(got[0], tc.want) {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestHistoryMatchers checks the label matchers of every kind, a missing
// label matching as "", and __name__ when no name is given.
func TestHistoryMatchers(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	ctx := context.Background()
	sample := func(name string, ls ...string) series.Sample {
		m := map[string]string{}
		for i := 0; i < len(ls); i += 2 {
			m[ls[i]] = ls[i+1]
		}
		return series.Sample{Name: name, Labels: m, T: h0, V: 1}
	}
	writeSamples(t, s,
		sample("cpu", "host", "h1", "container", "web"),
		sample("cpu", "host", "h1", "container", "db"),
		sample("cpu", "host", "h2", "container", "web"),
		sample("cpu", "host", "h2"),
		sample("mem", "host", "h1", "container", "web"),
	)
	for _, tc := range []struct {
		name     string
		metric   string
		matchers []*labels.Matcher
		want     []string
	}{
		{"all", "cpu", nil, []string{`cpu{container="db",host="h1"}`, `cpu{container="web",host="h1"}`,
			`cpu{container="web",host="h2"}`, `cpu{host="h2"}`}},
		{"=", "cpu", []*labels.Matcher{matcher(t, labels.MatchEqual, "container", "web")},
			[]string{`cpu{container="web",host="h1"}`, `cpu{container="web",host="h2"}`}},
		{"!= keeps a series without the label", "cpu", []*labels.Matcher{matcher(t, labels.MatchNotEqual, "container", "web")},
			[]string{`cpu{container="db",host="h1"}`, `cpu{host="h2"}`}},
		{"=~ is anchored", "cpu", []*labels.Matcher{matcher(t, labels.MatchRegexp, "container", "w|d.*")},
			[]string{`cpu{container="db",host="h1"}`}},
		{"!~", "cpu", []*labels.Matcher{matcher(t, labels.MatchNotRegexp, "container", "w.*")},
			[]string{`cpu{container="db",host="h1"}`, `cpu{host="h2"}`}},
		{`="" is a missing label`, "cpu", []*labels.Matcher{matcher(t, labels.MatchEqual, "container", "")},
			[]string{`cpu{host="h2"}`}},
		{"several", "cpu", []*labels.Matcher{matcher(t, labels.MatchEqual, "host", "h1"),
			matcher(t, labels.MatchRegexp, "container", "web|db")},
			[]string{`cpu{container="db",host="h1"}`, `cpu{container="web",host="h1"}`}},
		{"__name__ without a name", "", []*labels.Matcher{matcher(t, labels.MatchRegexp, labels.MetricName, "cpu|mem"),
			matcher(t, labels.MatchEqual, "container", "web")},
			[]string{`cpu{container="web",host="h1"}`, `cpu{container="web",host="h2"}`, `mem{container="web",host="h1"}`}},
		{"no such name", "disk", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Latest(ctx, tc.metric, tc.matchers)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, g := range got {
				keys = append(keys, g.Key())
			}
			slices.Sort(keys)
			if !slices.Equal(keys, tc.want) {
				t.Fatalf("got %q, want %q", keys, tc.want)
			}
		})
	}
}

// TestHistoryLatest checks the last value of each series: NaN when the
// last sample had none, the rollups' last value once raw samples are gone.
func TestHistoryLatest(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	ctx := context.Background()
	now := h0.Add(10 * 24 * time.Hour)
	writeSamples(t, s, cpu("gone", h0, 5), cpu("gone", h0.Add(time.Minute), 6),
		cpu("none", now.Add(-2*time.Minute), 1), cpu("none", now.Add(-time.Minute), math.NaN()),
		cpu("live", now.Add(-time.Minute), 2), cpu("live", now, 3))
	if _, err := s.PruneHistory(ctx, now, defaultRetention); err != nil {
		t.Fatal(err)
	}
	got, err := s.Latest(ctx, "cpu", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]series.Sample{
		"gone": cpu("gone", h0.Add(time.Minute), 6),
		"live": cpu("live", now, 3),
		"none": cpu("none", now.Add(-time.Minute), math.NaN()),
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for _, g := range got {
		w := want[g.Labels["container"]]
		if g.Key() != w.Key() || !g.T.Equal(w.T) || !sameFloat(g.V, w.V) {
			t.Errorf("got %+v, want %+v", g, w)
		}
	}
}
