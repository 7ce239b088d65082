package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/prometheus/common/model"
)

// promDuration is a duration flag in Prometheus' notation, as rules and
// Herald's config write them ("1w", "7d", "1d12h", "90s"); Go's own forms
// ("1.5h", "300ms") are accepted too.
type promDuration struct{ d *time.Duration }

func (p promDuration) String() string {
	if p.d == nil {
		return "0s" // the zero value, so that flag's help leaves out "(default 0s)"
	}
	return model.Duration(*p.d).String()
}

func (p promDuration) Set(s string) error {
	if d, err := model.ParseDuration(s); err == nil {
		*p.d = time.Duration(d)
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return fmt.Errorf("invalid duration %q (write it as Prometheus does: 30s, 5m, 1h30m, 1d, 1w)", s)
	}
	*p.d = d
	return nil
}

// durationFlag defines a flag like fs.Duration that reads Prometheus
// durations.
func durationFlag(fs *flag.FlagSet, name string, value time.Duration, usage string) *time.Duration {
	d := value
	fs.Var(promDuration{&d}, name, usage+" (e.g. 30s, 5m, 1d, 1w)")
	return &d
}
