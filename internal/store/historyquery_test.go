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

// monthStore holds 31 days of cpu{container=web}, a sample every 10
// minutes then every minute for the last 4 days (the value is the
// minute's index), pruned at the last one with the default retention. It
// returns the samples and the time of the last.
func monthStore(t *testing.T) (*Store, []series.Sample, time.Time) {
	t.Helper()
	s := openTest(t, "")
	var all []series.Sample
	for d := range 31 {
		every := 10
		if d >= 27 {
			every = 1
		}
		var day []series.Sample
		for i := d * 1440; i < (d+1)*1440; i += every {
			day = append(day, cpu("web", h0.Add(time.Duration(i)*time.Minute), float64(i)))
		}
		writeSamples(t, s, day...)
		all = append(all, day...)
	}
	now := all[len(all)-1].T
	if _, err := s.PruneHistory(context.Background(), now, defaultRetention); err != nil {
		t.Fatal(err)
	}
	return s, all, now
}

// TestHistoryMonth reads a month of history, pruned with the default
// retention, with QueryRange and Aggregate (one store, as it takes a while
// to write).
func TestHistoryMonth(t *testing.T) {
	t.Parallel()
	s, samples, now := monthStore(t)
	t.Run("resolution", func(t *testing.T) { testResolutionChoice(t, s, now) })
	t.Run("aggregate", func(t *testing.T) { testAggregate(t, s, samples, now) })
}

// testResolutionChoice checks which resolution answers a window: the
// finest that still covers its start and gives at most maxPoints.
func testResolutionChoice(t *testing.T, s *Store, now time.Time) {
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

// testAggregate checks summaries over windows that each resolution
// answers, and over the whole history.
func testAggregate(t *testing.T, s *Store, samples []series.Sample, now time.Time) {
	ctx := context.Background()
	day := 24 * time.Hour
	for _, tc := range []struct {
		name     string
		from, to time.Time
		// want are the samples from lo on, at step.
		lo   time.Time
		step time.Duration
	}{
		{"last hour, raw", now.Add(-59 * time.Minute), now, now.Add(-59 * time.Minute), 0},
		// 6 days and 23:59 back, rounded down to a bucket: 7 days.
		{"a week, 5m", now.Add(-7*day + time.Minute), now, now.Add(-7*day + time.Minute), 5 * time.Minute},
		{"all history", time.Time{}, time.Time{}, h0, time.Hour},
		{"since the epoch", time.Unix(0, 0), now, h0, time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Aggregate(ctx, "cpu", nil, tc.from, tc.to)
			if err != nil {
				t.Fatal(err)
			}
			want := HistoryStat{Name: "cpu", Min: math.Inf(1), Max: math.Inf(-1), Step: tc.step}
			var sum float64
			for _, sm := range samples {
				if sm.T.Before(tc.lo) {
					continue
				}
				if want.Count == 0 {
					want.First, want.FirstAt = sm.V, sm.T
				}
				want.Count++
				sum += sm.V
				want.Min, want.Max = min(want.Min, sm.V), max(want.Max, sm.V)
				want.Last, want.LastAt = sm.V, sm.T
			}
			want.Avg = sum / float64(want.Count)
			if len(got) != 1 || !sameStat(got[0], want) {
				t.Fatalf("got %+v\nwant %+v", got, want)
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
		{"!= keeps a series without the label", "cpu",
			[]*labels.Matcher{matcher(t, labels.MatchNotEqual, "container", "web")},
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
