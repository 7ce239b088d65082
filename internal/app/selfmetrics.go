package app

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald/internal/buildinfo"
	"github.com/heraldhq/herald/internal/store"
)

// oldestPending is what the outbox age needs from the store.
type oldestPending interface {
	OldestPending(ctx context.Context) (time.Time, bool, error)
}

// registerSelfMetrics exports which Herald runs and how far behind its
// outbox is.
func (a *App) registerSelfMetrics(st *store.Store) {
	a.reg.MustRegister(selfMetrics(buildinfo.Get(), st, time.Now)...)
}

// selfMetrics are herald_build_info, the Prometheus convention of a
// constant 1 that carries the build in its labels, and
// herald_outbox_oldest_pending_age_seconds. The age is 0 with nothing
// pending and -1 when the store cannot be read, as herald_outbox_pending.
func selfMetrics(bi buildinfo.Info, st oldestPending, now func() time.Time) []prometheus.Collector {
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "herald_build_info",
		Help:        "A metric with a constant '1' value labeled by version, revision and goversion from which Herald was built.",
		ConstLabels: prometheus.Labels{"version": bi.Version, "revision": bi.Revision, "goversion": bi.GoVersion},
	})
	info.Set(1)
	age := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "herald_outbox_oldest_pending_age_seconds",
		Help: "Age of the oldest delivery waiting to be sent or retried; 0 when none waits, -1 when the store cannot be read.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		at, ok, err := st.OldestPending(ctx)
		switch {
		case err != nil:
			return -1
		case !ok:
			return 0
		}
		// A clock stepped back must not make a negative age, which would
		// read as the store failing.
		return max(now().Sub(at).Seconds(), 0)
	})
	return []prometheus.Collector{info, age}
}
