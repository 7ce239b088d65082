package notify

import (
	"slices"
	"time"
)

// Rate is an allowance of Events per Per: a token bucket with a burst of
// Burst, or, with Window set, at most Events in any interval of length Per
// (the way Telegram counts messages to a group per minute), which allows a
// burst without ever going over the platform's count. A Rate with no
// Events or no Per allows everything.
//
// The two kinds count a request taken with Limiter.Acquire differently:
//
//   - A window counts it from when it is acquired until Per after it is
//     released, that is after the platform answered. Platforms that count
//     in windows count arrivals (DingTalk, WeCom, Discord, Teams, Telegram
//     groups), and an arrival is somewhere between departure and answer:
//     counting from departure lets a burst whose first requests were slow
//     (a TLS handshake, a congested link) arrive bunched into one of the
//     platform's windows. Counting from the answer is safe whatever the
//     latency and costs only the latency itself.
//   - A bucket takes its token when the request leaves. It is a pace, and
//     the platforms Herald paces with one tolerate short bursts (Telegram's
//     per-chat and overall limits, Slack's one message a second). Holding a
//     token until the answer would be safe against any latency only by
//     letting at most Burst requests be in flight at once: for a bot's
//     overall pace, one request at a time across all its chats.
type Rate struct {
	Events int
	Per    time.Duration
	Burst  int
	Window bool
}

// allowance is the state of one Rate. The Limiter's mutex guards it.
type allowance interface {
	// delay is how long from now until n more requests in a row fit,
	// counting a request in flight as answered now (the soonest it can be).
	delay(n int, now time.Time) time.Duration
	// take counts a request that leaves now.
	take(now time.Time)
	// release counts the answer to a request taken earlier.
	release(now time.Time)
	// record counts requests that left and were answered at each time of
	// at, which is sorted and holds no time after now.
	record(at []time.Time, now time.Time)
}

// allowance makes the state of r, nil when r allows everything.
func (r Rate) allowance() allowance {
	if r.Events <= 0 || r.Per <= 0 {
		return nil
	}
	if r.Window {
		return &window{n: r.Events, per: r.Per}
	}
	interval := time.Duration(float64(r.Per) / float64(r.Events))
	return &bucket{interval: interval, tolerance: time.Duration(max(r.Burst, 1)-1) * interval}
}

// window is a sliding-window allowance of n requests per per. A request
// takes a place when it leaves and keeps it until per after its answer.
type window struct {
	n   int
	per time.Duration
	// held is the number of requests in flight.
	held int
	// ends are the answers of the last per, oldest first (they are
	// appended as they come, under the Limiter's mutex).
	ends []time.Time
}

// purge drops the answers that left the window.
func (w *window) purge(now time.Time) {
	cut := 0
	for cut < len(w.ends) && now.Sub(w.ends[cut]) >= w.per {
		cut++
	}
	w.ends = w.ends[cut:]
}

func (w *window) delay(n int, now time.Time) time.Duration {
	w.purge(now)
	// The requests that must leave the window before n more fit; more than
	// one window's worth never fits at once, so n is at most w.n.
	leave := w.held + len(w.ends) + min(n, w.n) - w.n
	switch {
	case leave <= 0:
		return 0
	case leave <= len(w.ends):
		return w.ends[leave-1].Add(w.per).Sub(now)
	default:
		// A request still in flight: its answer comes now at the soonest,
		// and every answered one leaves before it.
		return w.per
	}
}

func (w *window) take(now time.Time) {
	w.purge(now)
	w.held++
}

func (w *window) release(now time.Time) {
	w.held--
	w.ends = append(w.ends, now)
}

// record adds the answers of the last per among at to ends, which stay
// sorted: the requests recorded may be older than answers already in.
func (w *window) record(at []time.Time, now time.Time) {
	for _, t := range at {
		if now.Sub(t) < w.per {
			w.ends = append(w.ends, t)
		}
	}
	slices.SortStableFunc(w.ends, time.Time.Compare)
	w.purge(now)
}

// bucket is a token-bucket allowance kept as the generic cell rate
// algorithm: tat is when the next request would be due at the steady pace
// of one per interval, and a request may go tolerance before that, which
// is a burst of tolerance/interval+1. It gives the same answers as
// golang.org/x/time/rate, which it replaces because an allowance must be
// checked and taken together with the others of a request, under one lock.
type bucket struct {
	interval, tolerance time.Duration
	tat                 time.Time
}

func (b *bucket) delay(n int, now time.Time) time.Duration {
	d := time.Duration(n-1)*b.interval - b.tolerance
	if b.tat.After(now) {
		d += b.tat.Sub(now)
	}
	return max(d, 0)
}

func (b *bucket) take(now time.Time) {
	if b.tat.Before(now) {
		b.tat = now
	}
	b.tat = b.tat.Add(b.interval)
}

// release does nothing: a bucket counts a request when it leaves (see Rate).
func (b *bucket) release(time.Time) {}

// record takes a token at each time of at, in order: tat ends where the
// requests put it had they been taken as they left. When tat already
// counts later requests (this process sent before it recorded), the
// recorded ones still push it an interval each: it may then end later
// than that order would put it, never earlier.
func (b *bucket) record(at []time.Time, _ time.Time) {
	for _, t := range at {
		b.take(t)
	}
}
