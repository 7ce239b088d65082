package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/heraldhq/herald/internal/config"
)

// storeOfHours makes a store of 2000 series (100 hosts × 20 containers of
// one metric) with days of 1-hour buckets, pruned at their end with the
// default retention. It returns the end.
func storeOfHours(b *testing.B, days int) (*Store, time.Time) {
	s := openTest(b, "")
	ctx := context.Background()
	end := h0.Add(time.Duration(days) * 24 * time.Hour)
	for _, q := range []string{
		`INSERT INTO history_series (name, key, labels)
		 SELECT 'cpu', 'cpu{container="app-' || (i % 20) || '",host="host-' || (i / 20) || '"}',
		 '{"container":"app-' || (i % 20) || '","host":"host-' || (i / 20) || '"}'
		 FROM (WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 1999) SELECT i FROM c)`,
		`INSERT INTO history_latest (series_id, t, v) SELECT id, $1, 1 FROM history_series`,
		`INSERT INTO history_1h (series_id, t, n, sum_v, min_v, max_v, first_t, first_v, last_t, last_v)
		 SELECT s.id, $1 - m.i * 3600000000000, 60, 1234.5, 0.5, 99.5, $1 - m.i * 3600000000000, 3.25,
		 $1 - m.i * 3600000000000 + 3540000000000, 7.75
		 FROM history_series s,
		 (WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $2) SELECT i FROM c) m ORDER BY 1, 2`,
		`INSERT INTO history_marks (name, t) VALUES ('rolled', $1)`,
	} {
		args := []any{end.UnixNano()}
		if strings.Contains(q, "$2") {
			args = append(args, days*24)
		}
		if _, err := s.write.ExecContext(ctx, q, args...); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.PruneHistory(ctx, end, config.DefaultCollectorsConfig().Retention); err != nil {
		b.Fatal(err)
	}
	return s, end
}

// BenchmarkQueryRangeWeek reads a week of 1-hour buckets (raw samples and
// 5-minute buckets no longer reach so far back) of 2000 series (a chart of
// one metric of every container of 100 hosts), and of 20 (one host's).
func BenchmarkQueryRangeWeek(b *testing.B) {
	s, end := storeOfHours(b, 7)
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		matchers []*labels.Matcher
		series   int
	}{
		{"2000 series", nil, 2000},
		{"20 series", []*labels.Matcher{labels.MustNewMatcher(labels.MatchEqual, "host", "host-42")}, 20},
	} {
		b.Run(tc.name, func(b *testing.B) {
			points := 0
			for b.Loop() {
				got, err := s.QueryRange(ctx, "cpu", tc.matchers, end.Add(-7*24*time.Hour), end, 500)
				if err != nil {
					b.Fatal(err)
				}
				if len(got) != tc.series || got[0].Step != time.Hour {
					b.Fatalf("%d series at %v", len(got), got[0].Step)
				}
				points = 0
				for _, g := range got {
					points += len(g.Points)
				}
			}
			b.ReportMetric(float64(points), "points/op")
		})
	}
}

// BenchmarkAggregateMonth summarises 30 days of 2000 series from their
// 1-hour buckets (5-minute buckets no longer reach so far back).
func BenchmarkAggregateMonth(b *testing.B) {
	s, end := storeOfHours(b, 30)
	ctx := context.Background()
	for b.Loop() {
		got, err := s.Aggregate(ctx, "cpu", nil, end.Add(-30*24*time.Hour), end)
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != 2000 || got[0].Count != 30*24*60 || got[0].Step != time.Hour {
			b.Fatalf("%d stats, %+v", len(got), got[0])
		}
	}
}

// BenchmarkHistoryGrowth writes a day of one host (20 containers × 15
// metrics, a sample a minute) and reports what each table grew by, from
// the pages SQLite counts (dbstat), and what the host takes once every
// resolution is kept as long as the default retention says.
func BenchmarkHistoryGrowth(b *testing.B) {
	for b.Loop() {
		s := openTest(b, "")
		ctx := context.Background()
		before := tableBytes(b, s)
		total := dbBytes(b, s)
		for m := range 24 * 60 {
			if err := s.WriteSamples(ctx, fleet(1, h0.Add(time.Duration(m)*time.Minute), m)); err != nil {
				b.Fatal(err)
			}
		}
		// The day's last hour is rolled up as the next one starts.
		if err := s.rollUp(ctx, h0.Add(24*time.Hour).UnixNano()); err != nil {
			b.Fatal(err)
		}
		after := tableBytes(b, s)
		grew := func(tables ...string) float64 {
			var n int64
			for _, t := range tables {
				n += after[t] - before[t]
			}
			return float64(n)
		}
		b.ReportMetric(float64(dbBytes(b, s)-total), "B/host/day")
		b.ReportMetric(grew("history_raw"), "raw-B/day")
		b.ReportMetric(grew("history_5m"), "5m-B/day")
		b.ReportMetric(grew("history_1h"), "1h-B/day")
		series := grew("history_series", "history_series_name", "sqlite_autoindex_history_series_1", "history_latest")
		b.ReportMetric(series, "series-B")
		ret := config.DefaultCollectorsConfig().Retention
		days := func(d config.Duration) float64 { return d.D().Hours() / 24 }
		b.ReportMetric(grew("history_raw")*days(ret.Raw)+grew("history_5m")*days(ret.FiveMin)+
			grew("history_1h")*days(ret.Hour)+series, "B/host-retained")
		s.Close()
	}
}

// tableBytes is the size of the pages of each table and index.
func tableBytes(b *testing.B, s *Store) map[string]int64 {
	rows, err := s.write.Query(`SELECT name, SUM(pgsize) FROM dbstat GROUP BY name`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			b.Fatal(err)
		}
		out[name] = n
	}
	return out
}
