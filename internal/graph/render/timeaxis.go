package render

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// timeTick is one labelled instant on the time axis.
type timeTick struct {
	t     time.Time
	label string
}

// minTickSpacing is the least room, in pixels, between two time labels; it
// fits the widest label ("Jan 2 15:04") with a gap. With the steps below
// growing by at most 2.5×, labels land every 100–250 px.
const minTickSpacing = 100

// timeSteps are the round steps of the time axis. Up to a day they divide a
// day, so that every day has the same labels (00:00, 06:00, ...); beyond a
// day they are counted in calendar days from midnight.
var timeSteps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 48 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour,
	30 * 24 * time.Hour, 91 * 24 * time.Hour, 182 * 24 * time.Hour, 365 * 24 * time.Hour,
}

// maxTimeTicks bounds the loops whatever the input.
const maxTimeTicks = 200

// seconds is b-a in seconds, without time.Duration's ±292-year saturation.
func seconds(a, b time.Time) float64 {
	return float64(b.Unix()) - float64(a.Unix()) + float64(b.Nanosecond()-a.Nanosecond())/1e9
}

// chooseStep returns the smallest round step whose labels are at least
// minTickSpacing apart on an axis px pixels wide spanning span seconds.
func chooseStep(span, px float64) time.Duration {
	need := span * minTickSpacing / math.Max(px, 1)
	for _, s := range timeSteps {
		if s.Seconds() >= need {
			return s
		}
	}
	// Centuries: whole years' worth of days, saturating rather than overflowing.
	years := math.Ceil(need / (365 * 86400))
	if years > float64(math.MaxInt64)/float64(365*24*time.Hour) {
		return math.MaxInt64
	}
	return time.Duration(years) * 365 * 24 * time.Hour
}

// timeTicks places round, labelled ticks in loc between start and end
// (start < end) on an axis px pixels wide.
func timeTicks(start, end time.Time, loc *time.Location, px float64) []timeTick {
	start, end = start.In(loc), end.In(loc)
	step := chooseStep(seconds(start, end), px)
	var ts []time.Time
	if step < 24*time.Hour {
		ts = wallTicks(start, end, loc, int(step/time.Second))
	} else {
		ts = dayTicks(start, end, loc, int(min(step/(24*time.Hour), 1<<40)))
	}
	ticks := make([]timeTick, len(ts))
	sameDay := sameDate(start, end)
	for i, t := range ts {
		var f string
		switch {
		case step < time.Minute:
			f = "15:04:05"
		case step >= 24*time.Hour && start.Year() == end.Year():
			f = "Jan 2"
		case step >= 24*time.Hour:
			f = "2006-01-02"
		case sameDay || i > 0 && sameDate(ts[i-1], t):
			f = "15:04"
		default: // the first tick and the first of each new day carry the date
			f = "Jan 2 15:04"
		}
		ticks[i] = timeTick{t: t, label: t.Format(f)}
	}
	return ticks
}

func sameDate(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// wallTicks steps through the wall clock of each day from midnight, so
// that labels stay round in loc even across DST changes and in zones with
// half-hour offsets.
func wallTicks(start, end time.Time, loc *time.Location, step int) []time.Time {
	var ts []time.Time
	y, m, d := start.Date()
	k := (start.Hour()*3600 + start.Minute()*60 + start.Second()) / step
	for iter := 0; iter < 2*maxTimeTicks && len(ts) < maxTimeTicks; iter++ {
		if k*step >= 86400 {
			y, m, d = time.Date(y, m, d+1, 12, 0, 0, 0, loc).Date()
			k = 0
		}
		t := time.Date(y, m, d, 0, 0, k*step, 0, loc)
		k++
		if t.After(end) {
			break
		}
		if !t.Before(start) && (len(ts) == 0 || t.After(ts[len(ts)-1])) {
			ts = append(ts, t)
		}
	}
	return ts
}

// dayTicks puts ticks at local midnights every days days.
func dayTicks(start, end time.Time, loc *time.Location, days int) []time.Time {
	var ts []time.Time
	y, m, d := start.Date()
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if t.Before(start) {
		t = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	}
	y, m, d = t.Date()
	for i := 0; i < maxTimeTicks && !t.After(end); i++ {
		ts = append(ts, t)
		next := time.Date(y, m, d+days, 0, 0, 0, 0, loc)
		if !next.After(t) { // days overflowed int
			break
		}
		t = next
		y, m, d = t.Date()
	}
	return ts
}

// zoneCaption names the time axis zone once, with its offset at t.
func zoneCaption(loc *time.Location, t time.Time) string {
	abbr, off := t.In(loc).Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	offset := fmt.Sprintf("UTC%c%02d:%02d", sign, off/3600, off/60%60)
	name := loc.String()
	if name == "Local" || name == "" {
		name = abbr // what the machine calls it
	}
	switch {
	case name == "UTC":
		return "Time zone: UTC"
	case name == "" || strings.HasPrefix(name, "+") || strings.HasPrefix(name, "-"):
		return "Time zone: " + offset // the zone has no name, only an offset
	default:
		return fmt.Sprintf("Time zone: %s (%s)", name, offset)
	}
}
