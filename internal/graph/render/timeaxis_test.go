package render

import (
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil"
)

func labels(ts []timeTick) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.label
	}
	return out
}

func TestTimeTicks(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		testutil.Missing(t, "no tz database (tzdata): "+err.Error())
	}
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		testutil.Missing(t, "no tz database (tzdata): "+err.Error())
	}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		name       string
		start, end string
		loc        *time.Location
		px         float64
		want       []string
	}{
		{"30 minutes", "2025-03-14T14:30:00Z", "2025-03-14T15:00:00Z", time.UTC, 1100,
			[]string{"14:30", "14:35", "14:40", "14:45", "14:50", "14:55", "15:00"}},
		{"2 hours, odd start", "2025-03-14T12:58:17Z", "2025-03-14T14:58:17Z", time.UTC, 1100,
			[]string{"13:00", "13:15", "13:30", "13:45", "14:00", "14:15", "14:30", "14:45"}},
		{"narrow", "2025-03-14T13:00:00Z", "2025-03-14T15:00:00Z", time.UTC, 300,
			[]string{"13:00", "14:00", "15:00"}},
		{"across midnight", "2025-03-14T20:00:00Z", "2025-03-15T04:00:00Z", time.UTC, 1100,
			[]string{"Mar 14 20:00", "21:00", "22:00", "23:00", "Mar 15 00:00", "01:00", "02:00", "03:00", "04:00"}},
		{"in Berlin", "2025-03-14T12:00:00Z", "2025-03-14T14:00:00Z", berlin, 600,
			[]string{"13:00", "13:30", "14:00", "14:30", "15:00"}},
		{"half-hour zone", "2025-03-14T12:00:00Z", "2025-03-14T14:00:00Z", kolkata, 600,
			[]string{"17:30", "18:00", "18:30", "19:00", "19:30"}},
		// DST starts at 02:00 on 30 March 2025: the labels stay on the wall clock.
		{"DST change", "2025-03-29T23:00:00Z", "2025-03-30T05:00:00Z", berlin, 600,
			[]string{"00:00", "01:00", "03:00", "04:00", "05:00", "06:00", "07:00"}},
		{"week", "2025-03-07T15:00:00Z", "2025-03-14T15:00:00Z", time.UTC, 1100,
			[]string{"Mar 8", "Mar 9", "Mar 10", "Mar 11", "Mar 12", "Mar 13", "Mar 14"}},
		{"seconds", "2025-03-14T15:00:00Z", "2025-03-14T15:01:00Z", time.UTC, 1100,
			[]string{"15:00:00", "15:00:10", "15:00:20", "15:00:30", "15:00:40", "15:00:50", "15:01:00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start, end := at(tc.start), at(tc.end)
			ticks := timeTicks(start, end, tc.loc, tc.px)
			if got := labels(ticks); !slices.Equal(got, tc.want) {
				t.Errorf("labels %q, want %q", got, tc.want)
			}
			span := seconds(start, end)
			for i, tk := range ticks {
				if tk.t.Before(start) || tk.t.After(end) {
					t.Errorf("tick %v outside the window", tk.t)
				}
				if i > 0 {
					if gap := seconds(ticks[i-1].t, tk.t) / span * tc.px; gap < minTickSpacing*0.9 {
						t.Errorf("ticks %d and %d only %.0f px apart", i-1, i, gap)
					}
				}
			}
		})
	}
}

// TestTimeTicksExtremes: any window gives a bounded number of ticks quickly.
func TestTimeTicksExtremes(t *testing.T) {
	for _, w := range [][2]time.Time{
		{time.Unix(0, 0), time.Unix(0, 1)},
		{time.Time{}, time.Unix(1<<40, 0)},
		{time.Unix(-1<<62, 0), time.Unix(1<<62, 0)},
		{time.Unix(0, -1<<63), time.Unix(0, 1<<63-1)},
	} {
		ticks := timeTicks(w[0], w[1], time.UTC, 1100)
		if len(ticks) > maxTimeTicks {
			t.Errorf("%v: %d ticks", w, len(ticks))
		}
	}
}

func TestZoneCaption(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		testutil.Missing(t, "no tz database (tzdata): "+err.Error())
	}
	summer := time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		loc  *time.Location
		want string
	}{
		{time.UTC, "Time zone: UTC"},
		{ny, "Time zone: America/New_York (UTC-04:00)"},
		{time.FixedZone("", 5*3600+1800), "Time zone: UTC+05:30"},
		{time.FixedZone("IST", 5*3600+1800), "Time zone: IST (UTC+05:30)"},
	} {
		if got := zoneCaption(tc.loc, summer); got != tc.want {
			t.Errorf("zoneCaption(%v) = %q, want %q", tc.loc, got, tc.want)
		}
	}
}
