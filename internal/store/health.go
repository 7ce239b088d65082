package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrDamaged is returned by every call once the database was found damaged:
// nothing more is accepted into a file that loses what it is given.
var ErrDamaged = errors.New("the database is damaged")

// health remembers whether the database could be read and written lately,
// so that readiness says "not ready" while it cannot, and not only after a
// webhook failed. A failed read or write marks the store unhealthy until a
// probe (or the next real operation of the same kind) succeeds; damage is
// final until Herald is restarted on a repaired file.
type health struct {
	mu       sync.Mutex
	readErr  error
	writeErr error
	damaged  error
	probedAt time.Time
}

// noteRead records the result of a read; only storage faults count.
func (s *Store) noteRead(err error) {
	s.note(err, &s.health.readErr)
}

// noteWrite records the result of a write; only storage faults count.
func (s *Store) noteWrite(err error) {
	s.note(err, &s.health.writeErr)
}

func (s *Store) note(err error, slot *error) {
	h := &s.health
	if err != nil && !s.eng.fault(err) {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil && s.eng.damaged(err) && h.damaged == nil {
		h.damaged = err
		s.logger.Error("the database is damaged: Herald answers 503 and reports not ready until it is repaired; "+
			"restart Herald to see what to do",
			"path", s.path, "err", err)
	}
	*slot = err
}

// checkDamaged returns ErrDamaged (with the original error) once the
// database was found damaged.
func (s *Store) checkDamaged() error {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	if s.health.damaged != nil {
		return fmt.Errorf("%w: %v", ErrDamaged, s.health.damaged)
	}
	return nil
}

// Ping checks that the database can be read and written; /-/ready uses it.
// A store that failed to read or write lately is probed again (at most every
// Options.ProbeEvery, so that a polling load balancer cannot turn a full disk
// into a write storm) and stays not ready until the probe succeeds.
func (s *Store) Ping(ctx context.Context) error {
	select {
	case <-s.done:
		return ErrClosed
	default:
	}
	if err := s.checkDamaged(); err != nil {
		return err
	}
	if err := s.read.PingContext(ctx); err != nil {
		return fmt.Errorf("cannot reach the database %s: %w", s.path, err)
	}
	h := &s.health
	h.mu.Lock()
	readErr, writeErr := h.readErr, h.writeErr
	probe := (readErr != nil || writeErr != nil) && time.Since(h.probedAt) >= s.opts.ProbeEvery
	if probe {
		h.probedAt = time.Now()
	}
	h.mu.Unlock()
	if !probe {
		if readErr != nil {
			return fmt.Errorf("cannot read the database: %w", readErr)
		}
		if writeErr != nil {
			return fmt.Errorf("cannot write the database: %w", writeErr)
		}
		return nil
	}
	if readErr != nil {
		if _, err := s.PendingChannels(ctx); err != nil {
			return fmt.Errorf("cannot read the database: %w", err)
		}
	}
	if writeErr != nil {
		if err := s.probeWrite(ctx); err != nil {
			return fmt.Errorf("cannot write the database: %w", err)
		}
	}
	return s.checkDamaged()
}

// probeWrite commits one small write through the writer, the same way an
// ingest would.
func (s *Store) probeWrite(ctx context.Context) error {
	return s.submit(ctx, func(w *txWriter) error {
		_, err := w.tx.ExecContext(w.ctx, `INSERT INTO health (id, checked_at) VALUES (1, $1)
			ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at`, time.Now().UnixNano())
		return err
	})
}
