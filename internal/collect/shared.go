package collect

import (
	stdbytes "bytes"
	"context"
	"encoding/base64"
	"encoding/gob"
	"time"

	"github.com/heraldhq/herald/internal/collect/docker"
	"github.com/heraldhq/herald/internal/collect/exec"
)

// With several replicas one collects (the collect lease) and the bot may
// answer /containers on another: the collecting replica saves its latest
// snapshot in the store at most every shareEvery, and the others read it
// from there (at most every readEvery). Gob, because samples hold NaN,
// which JSON cannot carry.
const (
	shareEvery = 10 * time.Second
	readEvery  = 5 * time.Second
)

// sharedSnapshot is what is saved: the samples follow from it.
type sharedSnapshot struct {
	Hosts  []docker.HostState
	Checks []exec.Result
}

// shareSnapshot saves the latest snapshot for the other replicas; the
// caller holds r.sendMu.
func (r *Runner) shareSnapshot(ctx context.Context) {
	if r.opts.Leader == nil || time.Since(r.sharedAt) < shareEvery {
		return
	}
	r.mu.Lock()
	snap := r.snapshot()
	r.mu.Unlock()
	var buf stdbytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(sharedSnapshot{Hosts: snap.Hosts, Checks: snap.Checks}); err != nil {
		r.logger.Warn("cannot encode the collectors' snapshot for the other replicas", "err", err)
		return
	}
	if err := r.opts.State.SetBotState(ctx, snapshotKey, base64.StdEncoding.EncodeToString(buf.Bytes())); err != nil {
		r.logger.Warn("cannot save the collectors' snapshot for the other replicas", "err", err)
		return
	}
	r.sharedAt = time.Now()
}

// SharedSnapshot is the latest state of every collector wherever it was
// collected: this process's while it collects, otherwise the one the
// collecting replica saved in the store (empty when none did).
func (r *Runner) SharedSnapshot(ctx context.Context) Snapshot {
	r.mu.Lock()
	running := r.ctx != nil
	r.mu.Unlock()
	if running || r.opts.Leader == nil {
		return r.Snapshot()
	}
	r.sharedMu.Lock()
	defer r.sharedMu.Unlock()
	if time.Since(r.sharedRead) < readEvery {
		return r.shared
	}
	s, ok, err := r.opts.State.BotState(ctx, snapshotKey)
	if err != nil || !ok {
		if err != nil {
			r.logger.Warn("cannot read the collectors' snapshot of the collecting replica", "err", err)
		}
		return Snapshot{}
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	var saved sharedSnapshot
	if err == nil {
		err = gob.NewDecoder(stdbytes.NewReader(raw)).Decode(&saved)
	}
	if err != nil {
		r.logger.Warn("the collectors' snapshot in the store does not decode", "err", err)
		return Snapshot{}
	}
	// Only the hosts and checks of this replica's configuration.
	r.mu.Lock()
	keep := &Runner{cfg: r.cfg, hosts: saved.Hosts, checks: map[string]exec.Result{}}
	r.mu.Unlock()
	for _, c := range saved.Checks {
		keep.checks[c.Check] = c
	}
	r.shared, r.sharedRead = keep.snapshot(), time.Now()
	return r.shared
}
