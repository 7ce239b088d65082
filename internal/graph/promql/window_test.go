package promql

import (
	"testing"
	"time"
)

func TestWindow(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	const (
		m = time.Minute
		h = time.Hour
	)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	for _, tc := range []struct {
		name           string
		forDur, over   time.Duration
		factor         float64
		minR, maxR     time.Duration
		starts, ends   time.Time
		resolved       bool
		start, end     time.Time
		step           time.Duration
		skipPointCheck bool
	}{
		{name: "firing, short for clamped up to min", forDur: 5 * m, factor: 2, minR: 30 * m, maxR: 24 * h,
			starts: ago(6 * m), start: ago(30 * m), end: now, step: 5 * time.Second},
		{name: "firing, 2 x for", forDur: h, factor: 2, minR: 30 * m, maxR: 24 * h,
			starts: ago(10 * m), start: ago(2 * h), end: now, step: 15 * time.Second},
		{name: "factor 0 means 2", forDur: h, minR: 30 * m, maxR: 24 * h,
			start: ago(2 * h), end: now, step: 15 * time.Second},
		{name: "factor 3", forDur: h, factor: 3, minR: 30 * m, maxR: 24 * h,
			start: ago(3 * h), end: now, step: 30 * time.Second},
		{name: "clamped down to max", forDur: 24 * h, factor: 2, minR: 30 * m, maxR: 24 * h,
			start: ago(24 * h), end: now, step: 5 * m},
		{name: "override wins", forDur: h, over: 6 * h, factor: 2, minR: 30 * m, maxR: 24 * h,
			start: ago(6 * h), end: now, step: m},
		{name: "override clamped too", forDur: h, over: 10 * m, factor: 2, minR: 30 * m, maxR: 24 * h,
			start: ago(30 * m), end: now, step: 5 * time.Second},
		{name: "started before the window: stretched a little before startsAt", forDur: h, factor: 2, minR: 30 * m, maxR: 24 * h,
			starts: ago(3 * h), start: ago(3*h + 9*m), end: now, step: 30 * time.Second},
		{name: "stretch cut at max", forDur: h, factor: 2, minR: 30 * m, maxR: 24 * h,
			starts: ago(23*h + 30*m), start: ago(24 * h), end: now, step: 5 * m},
		{name: "episode longer than max keeps the recent part", forDur: h, factor: 2, minR: 30 * m, maxR: 24 * h,
			starts: ago(30 * h), start: ago(2 * h), end: now, step: 15 * time.Second},
		{name: "resolved: ends a tenth after endsAt", forDur: 10 * m, factor: 2, minR: 30 * m, maxR: 24 * h,
			starts: ago(80 * m), ends: ago(h), resolved: true, start: ago(87 * m), end: ago(57 * m), step: 5 * time.Second},
		{name: "resolved just now: not after now", forDur: 10 * m, factor: 2, minR: 30 * m, maxR: 24 * h,
			starts: ago(20 * m), ends: ago(m), resolved: true, start: ago(30 * m), end: now, step: 5 * time.Second},
		{name: "resolved without endsAt ends now", forDur: 10 * m, factor: 2, minR: 30 * m, maxR: 24 * h,
			resolved: true, start: ago(30 * m), end: now, step: 5 * time.Second},
		{name: "firing ignores endsAt", forDur: 10 * m, factor: 2, minR: 30 * m, maxR: 24 * h,
			ends: now.Add(4 * m), start: ago(30 * m), end: now, step: 5 * time.Second},
		{name: "no for, no bounds: fallback", start: ago(30 * m), end: now, step: 5 * time.Second},
		{name: "tiny range: step never below 1s", over: m, start: ago(m), end: now, step: time.Second, skipPointCheck: true},
		{name: "months without max: whole days", forDur: 500 * 24 * h, factor: 2, start: ago(1000 * 24 * h), end: now,
			step: 2 * 24 * h},
		{name: "crossed bounds: max wins", forDur: h, factor: 2, minR: 48 * h, maxR: 24 * h,
			start: ago(24 * h), end: now, step: 5 * m},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start, end, step := Window(tc.forDur, tc.over, tc.factor, tc.minR, tc.maxR, tc.starts, tc.ends, now, tc.resolved)
			if !start.Equal(tc.start) || !end.Equal(tc.end) || step != tc.step {
				t.Errorf("got %s .. %s step %s\nwant %s .. %s step %s",
					now.Sub(start), now.Sub(end), step, now.Sub(tc.start), now.Sub(tc.end), tc.step)
			}
			if !tc.starts.IsZero() && tc.maxR > 0 && end.Sub(tc.starts) <= tc.maxR && tc.starts.Before(start) {
				t.Errorf("startsAt %s is outside the window", now.Sub(tc.starts))
			}
			if p := int(end.Sub(start) / step); !tc.skipPointCheck && (p < 240 || p > 600) {
				t.Errorf("%d points", p)
			}
		})
	}
}

// TestNiceStepPoints sweeps ranges from 5 minutes to 30 days: the step is nice and the chart gets
// between 240 and 600 points.
func TestNiceStepPoints(t *testing.T) {
	for rng := 5 * time.Minute; rng <= 30*24*time.Hour; rng += rng / 17 {
		step := niceStep(rng)
		if p := rng / step; p < 240 || p > 600 {
			t.Errorf("range %s: step %s gives %d points", rng, step, p)
		}
	}
}
