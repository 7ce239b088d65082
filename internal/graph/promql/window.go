package promql

import (
	"math"
	"time"
)

const (
	// defaultFactor is the range factor when the caller gives none: twice the rule's `for` shows
	// as much calm before the alert as the time it took to fire.
	defaultFactor = 2
	// fallbackRange is the range when neither a `for`, an override nor bounds give one.
	fallbackRange = 30 * time.Minute
	// maxPoints bounds the samples per series: about one per two pixels of a 1200 px wide chart,
	// and far below Prometheus' limit of 11,000 points per series.
	maxPoints = 600
	// resolvedTail is the share of the range drawn after a resolved alert's endsAt, so that the
	// recovery shows.
	resolvedTail = 10
	// leadMargin is the share of the time since startsAt added before it when the window is
	// stretched to show the start of the alert, so that the start is not on the chart's edge.
	leadMargin = 20
)

// Window chooses the time range and step of an alert's chart.
//
// The range is factor × forDur (factor ≤ 0 means 2), or override when it is positive, clamped to
// [minRange, maxRange] (a bound ≤ 0 is no bound; maxRange wins if they cross). A firing alert's
// window ends now; a resolved one's ends a tenth of the range after endsAt, but not after now.
// When startsAt falls before the window and the window can grow to include it without exceeding
// maxRange, the window starts a little before startsAt, so that the whole episode is drawn. The
// step is the smallest nice step (1s, 2s, 5s, 10s, 15s, 30s, 1m, 2m, 5m, ...) giving at most 600
// points, which gives 240 to 600 points for any range of 5 minutes or more; it is never below 1s.
func Window(forDur, override time.Duration, factor float64, minRange, maxRange time.Duration,
	startsAt, endsAt, now time.Time, resolved bool) (start, end time.Time, step time.Duration) {
	rng := chartRange(forDur, override, factor, minRange, maxRange)

	end = now
	if resolved && !endsAt.IsZero() {
		if e := endsAt.Add(rng / resolvedTail); e.Before(now) {
			end = e
		}
	}
	start = end.Add(-rng)

	if !startsAt.IsZero() && startsAt.Before(start) {
		limit := maxRange
		if limit <= 0 {
			limit = math.MaxInt64
		}
		// An episode longer than the longest chart allowed keeps the recent part; the margin is
		// cut before it could push the window past the limit (or overflow).
		if lead := end.Sub(startsAt); lead <= limit {
			start = end.Add(-(lead + min(lead/leadMargin, limit-lead)))
		}
	}
	return start, end, niceStep(end.Sub(start))
}

// Step is the query step of a chart over rng: the one alert charts use.
func Step(rng time.Duration) time.Duration { return niceStep(rng) }

// chartRange computes the clamped length of the window.
func chartRange(forDur, override time.Duration, factor float64, minRange, maxRange time.Duration) time.Duration {
	rng := override
	if rng <= 0 {
		if factor <= 0 || math.IsNaN(factor) || math.IsInf(factor, 0) {
			factor = defaultFactor
		}
		// Converting an out-of-range float to an integer is implementation-defined in Go.
		f := factor * float64(forDur)
		if f >= math.MaxInt64 {
			rng = math.MaxInt64
		} else {
			rng = time.Duration(f)
		}
	}
	if minRange > 0 && rng < minRange {
		rng = minRange
	}
	if maxRange > 0 && rng > maxRange {
		rng = maxRange
	}
	if rng <= 0 {
		rng = fallbackRange
	}
	return rng
}

// niceStep is the smallest nice step that splits rng into at most maxPoints steps.
func niceStep(rng time.Duration) time.Duration {
	// Steps a person reads without arithmetic; beyond the last one, steps are whole days.
	niceSteps := [...]time.Duration{
		time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second,
		30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute,
		15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour,
		12 * time.Hour, 24 * time.Hour,
	}
	raw := rng / maxPoints
	for _, s := range niceSteps {
		if s >= raw {
			return s
		}
	}
	day := niceSteps[len(niceSteps)-1]
	return (raw + day - 1) / day * day
}
