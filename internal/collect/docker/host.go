package docker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald/internal/config"
)

// host is one engine and what is kept of it between collections.
type host struct {
	name, url string
	timeout   time.Duration
	conc      int
	o         *options
	logger    *slog.Logger
	// secrets are redacted from every error shown or logged.
	secrets []string

	// sem holds one collection at a time, and with it the fields below.
	sem     chan struct{}
	tr      transport
	trErr   error
	version string
	prev    map[string]sample
	lastErr string
}

func newHost(cfg config.DockerHost, timeout time.Duration, conc int, o *options, logger *slog.Logger) *host {
	h := &host{name: cfg.Name, url: redactURL(cfg.URL), timeout: timeout, conc: conc, o: o, logger: logger,
		sem: make(chan struct{}, 1)}
	for _, s := range []struct {
		v    config.Secret
		file string
	}{{cfg.SSH.Password, cfg.SSH.PasswordFile}, {cfg.SSH.KeyPassphrase, cfg.SSH.KeyPassphraseFile}} {
		if v, _ := secretValue(s.v, s.file, ""); v != "" {
			h.secrets = append(h.secrets, v)
		}
	}
	h.tr, h.trErr = newTransport(cfg, conc, o)
	return h
}

// collect collects the host within its timeout. Every call inside is
// bounded by the context; the timer is a second guard, so that a call
// that ignored it still cannot hold the other hosts' results back.
func (h *host) collect(ctx context.Context) HostState {
	st := HostState{Name: h.name, URL: h.url, CollectedAt: h.o.now()}
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	res := make(chan HostState, 1)
	go func() { res <- h.run(ctx, st) }()
	timer := time.NewTimer(h.timeout + h.o.grace)
	defer timer.Stop()
	select {
	case s := <-res:
		return s
	case <-timer.C:
		st.Err = fmt.Sprintf("timed out after %s", h.timeout)
		st.Took = h.o.now().Sub(st.CollectedAt)
		return st
	}
}

func (h *host) run(ctx context.Context, st HostState) HostState {
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		st.Err = "the previous collection of this host is still running"
		return st
	}
	defer func() { <-h.sem }()
	err := h.collectInto(ctx, &st)
	st.Took = h.o.now().Sub(st.CollectedAt)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("timed out after %s: %w", h.timeout, err)
		}
		st.Up, st.Containers, st.Err = false, nil, h.redact(err.Error())
		// Negotiate again next time: the engine may have been upgraded.
		h.version = ""
		if h.tr != nil {
			h.tr.failed(err)
		}
		if st.Err != h.lastErr {
			h.logger.Warn("docker host not collected", "url", h.url, "err", st.Err)
		} else {
			h.logger.Debug("docker host still not collected", "url", h.url, "err", st.Err)
		}
		h.lastErr = st.Err
		return st
	}
	st.Up = true
	if h.lastErr != "" {
		h.logger.Info("docker host collected again", "url", h.url)
	}
	h.lastErr = ""
	h.logger.Debug("docker host collected", "containers", len(st.Containers), "took", st.Took)
	return st
}

func (h *host) collectInto(ctx context.Context, st *HostState) error {
	if h.trErr != nil {
		return h.trErr
	}
	eng, err := h.tr.client(ctx)
	if err != nil {
		return err
	}
	if h.version == "" {
		if h.version, err = eng.negotiate(ctx); err != nil {
			return err
		}
	}
	st.APIVersion = h.version
	var list []containerSummary
	if err := eng.get(ctx, h.version, "/containers/json?all=true", maxListBody, &list); err != nil {
		return err
	}
	containers, next, err := h.containers(ctx, eng, list, st.CollectedAt)
	if err != nil {
		return err
	}
	h.prev = next
	slices.SortFunc(containers, func(a, b Container) int { return strings.Compare(a.Name, b.Name) })
	st.Containers = containers
	return nil
}

// containers reads every listed container, at most h.conc at once; the
// first error stops the rest. A container that went away meanwhile is
// left out.
func (h *host) containers(ctx context.Context, eng *engine, list []containerSummary, now time.Time) ([]Container, map[string]sample, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	type result struct {
		c    Container
		s    *sample
		gone bool
	}
	results := make([]result, len(list))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(h.conc, len(list)) {
		wg.Go(func() {
			for i := range work {
				var prev *sample
				if p, ok := h.prev[list[i].ID]; ok {
					prev = &p
				}
				c, s, err := h.container(ctx, eng, list[i], prev, now)
				switch {
				case errors.Is(err, errNotFound):
					results[i].gone = true
				case err != nil:
					cancel(err)
				default:
					results[i] = result{c: c, s: s}
				}
			}
		})
	}
feed:
	for i := range list {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, nil, err
	}
	out := make([]Container, 0, len(list))
	next := make(map[string]sample, len(list))
	for i, r := range results {
		if r.gone {
			continue
		}
		out = append(out, r.c)
		if r.s != nil {
			next[list[i].ID] = *r.s
		}
	}
	return out, next, nil
}

// container reads one container: its inspect answer and, when it runs or
// is paused, its statistics.
func (h *host) container(ctx context.Context, eng *engine, cs containerSummary, prev *sample, now time.Time) (Container, *sample, error) {
	id := url.PathEscape(cs.ID)
	var in containerInspect
	if err := eng.get(ctx, h.version, "/containers/"+id+"/json", maxObjectBody, &in); err != nil {
		return Container{}, nil, err
	}
	c := Container{ID: cs.ID, Name: containerName(cs, in), Image: cs.Image, State: in.State.Status,
		Restarts: in.RestartCount, CPUPercent: math.NaN(), RxRate: math.NaN(), TxRate: math.NaN()}
	if c.State == "" {
		c.State = cs.State
	}
	if in.State.Health != nil {
		c.Health = in.State.Health.Status
	}
	if t, err := time.Parse(time.RFC3339Nano, in.State.StartedAt); err == nil && t.Year() > 1 {
		c.StartedAt = t
	}
	if c.State == "running" && !c.StartedAt.IsZero() {
		c.Uptime = max(0, now.Sub(c.StartedAt))
	}
	if c.State != "running" && c.State != "paused" {
		return c, nil, nil
	}
	q := "?stream=false"
	if !versionLess(h.version, oneShotVersion) {
		q += "&one-shot=true"
	}
	var s statsAnswer
	if err := eng.get(ctx, h.version, "/containers/"+id+"/stats"+q, maxObjectBody, &s); err != nil {
		return Container{}, nil, err
	}
	f := compute(&s, prev, now)
	c.HasStats = true
	c.CPUPercent, c.MemUsed, c.MemLimit = f.cpuPercent, f.memUsed, f.memLimit
	c.RxBytes, c.TxBytes, c.RxRate, c.TxRate = f.rx, f.tx, f.rxRate, f.txRate
	c.BlkRead, c.BlkWrite = f.blkRead, f.blkWrite
	return c, &f.next, nil
}

// containerName is the name without Docker's leading slash; the short ID
// when the engine gives none.
func containerName(cs containerSummary, in containerInspect) string {
	n := in.Name
	if n == "" && len(cs.Names) > 0 {
		n = cs.Names[0]
	}
	n = strings.TrimPrefix(n, "/")
	if n == "" {
		n = cs.ID[:min(12, len(cs.ID))]
	}
	return cleanText(n, 256)
}

// redact hides the host's secrets in an error text.
func (h *host) redact(s string) string {
	for _, x := range h.secrets {
		s = strings.ReplaceAll(s, x, "<secret>")
	}
	return s
}

// close drops the connection; a collection still running fails.
func (h *host) close() {
	if h.tr != nil {
		h.tr.close()
	}
}
