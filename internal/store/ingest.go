package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/wait"
)

// Ingest is one received notification and where each of its alerts goes.
type Ingest struct {
	Notification *alert.Notification
	// Target is the channel named in the URL path ("" for routed ones).
	Target string
	// Targets[i] are the destinations of Notification.Alerts[i].
	Targets [][]alert.Target
	// ReceivedAt is when the webhook arrived.
	ReceivedAt time.Time
}

// IngestResult says what an ingest created.
type IngestResult struct {
	NotificationID int64
	// Deliveries is the number of new deliveries; 0 for a duplicate.
	Deliveries int
	// Channels are the channels that got new deliveries.
	Channels []string
}

// writeReq is one unit of work for the writer goroutine: an ingest or the
// record of a delivery outcome. Each runs under its own savepoint inside a
// shared transaction.
type writeReq struct {
	apply func(w *txWriter) error
	// keys are the alert episodes an ingest plans deliveries for (see
	// engine.lock).
	keys []int64
	err  error
	done chan struct{}
}

// Common is the part of a notification shared by all its alerts.
type Common struct {
	Receiver          string        `json:"receiver"`
	Status            string        `json:"status"`
	GroupLabels       amtemplate.KV `json:"groupLabels"`
	CommonLabels      amtemplate.KV `json:"commonLabels"`
	CommonAnnotations amtemplate.KV `json:"commonAnnotations"`
	ExternalURL       string        `json:"externalURL"`
	GroupKey          string        `json:"groupKey"`
}

// Ingest stores a notification, its alert events and their deliveries in one
// transaction shared with concurrent ingests (group commit). It returns only
// after the commit, so a nil error means the notification is durable.
func (s *Store) Ingest(ctx context.Context, in *Ingest) (IngestResult, error) {
	if err := s.checkDamaged(); err != nil {
		return IngestResult{}, err
	}
	var res IngestResult
	keys := make([]int64, len(in.Notification.Alerts))
	for i, a := range in.Notification.Alerts {
		h := fnv.New64a()
		h.Write([]byte(a.Fingerprint))
		keys[i] = int64(h.Sum64())
	}
	err := s.submitKeyed(ctx, keys, func(w *txWriter) (err error) {
		res, err = w.ingest(in)
		return err
	})
	if err != nil {
		return IngestResult{}, err
	}
	return res, nil
}

// submit queues fn for the writer and waits for its commit.
func (s *Store) submit(ctx context.Context, fn func(w *txWriter) error) error {
	return s.submitKeyed(ctx, nil, fn)
}

// submitKeyed is submit for a request that plans deliveries for the
// episodes of keys.
func (s *Store) submitKeyed(ctx context.Context, keys []int64, fn func(w *txWriter) error) error {
	req := &writeReq{apply: fn, keys: keys, done: make(chan struct{})}
	select {
	case s.ingests <- req:
	case <-s.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-req.done:
		return req.err
	case <-s.stopped:
		select {
		case <-req.done:
			return req.err
		default:
			return ErrClosed
		}
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writer is the only goroutine that ingests: whatever queued up while one
// transaction committed goes into the next, so one fsync serves many.
func (s *Store) writer() {
	defer close(s.stopped)
	for {
		select {
		case req := <-s.ingests:
			s.commitBatch(s.fill([]*writeReq{req}))
		case <-s.done:
			for {
				select {
				case req := <-s.ingests:
					s.commitBatch(s.fill([]*writeReq{req}))
				default:
					return
				}
			}
		}
	}
}

func (s *Store) fill(batch []*writeReq) []*writeReq {
	for len(batch) < s.opts.MaxBatch {
		select {
		case req := <-s.ingests:
			batch = append(batch, req)
		default:
			return batch
		}
	}
	return batch
}

func (s *Store) commitBatch(batch []*writeReq) {
	defer func() {
		s.noteBatch(batch)
		for _, r := range batch {
			close(r.done)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// On PostgreSQL a batch runs first without a savepoint per request
	// (two round trips each); when a request fails, the batch runs again
	// with them, so that the bad request fails alone. SQLite's savepoints
	// cost nothing that matters.
	isolate := !s.eng.shared()
	for attempt := 0; ; {
		switch s.runBatch(ctx, batch, attempt < maxBatchRetries, isolate) {
		case batchDone:
			return
		case batchIsolate:
			isolate = true
		case batchAgain:
			attempt++
			// Apart from the other replica's batch, which goes first.
			wait.Sleep(ctx, time.Duration(attempt)*time.Duration(5+rand.IntN(45))*time.Millisecond)
		}
		for _, r := range batch {
			r.err = nil
		}
	}
}

// maxBatchRetries bounds how often a batch runs again after a conflict
// with another replica or a broken connection.
const maxBatchRetries = 4

// batchOutcome says what became of a batch.
type batchOutcome int

const (
	// batchDone: committed, or failed for good (each request's err says).
	batchDone batchOutcome = iota
	// batchAgain: rolled back after a conflict or a broken connection;
	// run it again in a new transaction.
	batchAgain
	// batchIsolate: rolled back because a request failed while the batch
	// ran without savepoints; run it again with them.
	batchIsolate
)

// runBatch runs batch in one transaction; with isolate, a savepoint per
// request keeps one bad request from failing the rest. When retry is set
// and a request deadlocked with another replica's batch (PostgreSQL
// cancelled one statement, but this batch still holds the rows of its
// earlier requests), or the connection broke before the commit, it rolls
// the whole transaction back, so that the other batch can go on, and
// reports batchAgain. A commit that fails is not run again: it may have
// committed, and the callers hear of the error.
func (s *Store) runBatch(ctx context.Context, batch []*writeReq, retry, isolate bool) batchOutcome {
	fail := func(err error) {
		for _, r := range batch {
			if r.err == nil {
				r.err = err
			}
		}
	}
	again := func(err error) bool { return retry && ctx.Err() == nil && s.eng.retryable(err) }
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		if again(err) {
			return batchAgain
		}
		fail(fmt.Errorf("begin: %w", err))
		return batchDone
	}
	var keys []int64
	for _, r := range batch {
		keys = append(keys, r.keys...)
	}
	if err := s.eng.lock(ctx, tx, keys); err != nil {
		_ = tx.Rollback()
		if again(err) {
			return batchAgain
		}
		fail(fmt.Errorf("lock: %w", err))
		return batchDone
	}
	w := newTxWriter(ctx, tx, s.eng)
	abort := func() {
		w.close()
		_ = tx.Rollback()
	}
	for _, r := range batch {
		if !isolate {
			if err := w.run(r); err != nil {
				abort()
				if again(err) {
					return batchAgain
				}
				return batchIsolate
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, "SAVEPOINT ingest"); err != nil {
			if again(err) {
				abort()
				return batchAgain
			}
			r.err = err
			continue
		}
		if err := w.run(r); err != nil {
			if again(err) {
				abort()
				return batchAgain
			}
			r.err = err
			if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO ingest"); rerr != nil {
				abort()
				if again(rerr) {
					return batchAgain
				}
				fail(fmt.Errorf("rollback to savepoint: %w", rerr))
				return batchDone
			}
		}
		if _, err := tx.ExecContext(ctx, "RELEASE ingest"); err != nil {
			abort()
			if again(err) {
				return batchAgain
			}
			fail(fmt.Errorf("release savepoint: %w", err))
			return batchDone
		}
	}
	w.close()
	if len(w.woke) > 0 {
		if err := s.eng.notify(ctx, tx, w.woke); err != nil {
			_ = tx.Rollback()
			if again(err) {
				return batchAgain
			}
			fail(fmt.Errorf("notify: %w", err))
			return batchDone
		}
	}
	if err := tx.Commit(); err != nil {
		fail(fmt.Errorf("commit: %w", err))
	}
	return batchDone
}

// noteBatch tells the store's health what a batch's requests met: the first
// storage fault among them, or success when any request committed.
func (s *Store) noteBatch(batch []*writeReq) {
	var fault error
	ok := false
	for _, r := range batch {
		switch {
		case r.err == nil:
			ok = true
		case s.eng.fault(r.err) && fault == nil:
			fault = r.err
		}
	}
	if fault != nil {
		s.noteWrite(fault)
	} else if ok {
		s.noteWrite(nil)
	}
}

// txWriter holds the statements one batch prepares once.
type txWriter struct {
	ctx context.Context
	tx  *sql.Tx
	eng engine
	// woke are the channels that got new deliveries in this batch.
	woke                                                           []string
	insNotif, insEvent, insDelivery, resolvedExists, last, isAcked *sql.Stmt
	err                                                            error
}

func newTxWriter(ctx context.Context, tx *sql.Tx, eng engine) *txWriter {
	w := &txWriter{ctx: ctx, tx: tx, eng: eng}
	w.insNotif = w.prepare(`INSERT INTO notifications (received_at, target, receiver, status, group_key, common)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`)
	w.insEvent = w.prepare(`INSERT INTO events (notification_id, fingerprint, starts_at, status, alert)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`)
	w.insDelivery = w.prepare(`INSERT INTO deliveries (channel, fingerprint, starts_at, kind, seq, event_id, state,
		created_at, next_attempt_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7, $7)
		ON CONFLICT DO NOTHING RETURNING id`)
	w.resolvedExists = w.prepare(`SELECT COUNT(*) FROM deliveries
		WHERE channel = $1 AND fingerprint = $2 AND starts_at = $3 AND kind = 'resolved'`)
	w.last = w.prepare(`SELECT COALESCE(MAX(created_at), 0), COALESCE(MAX(seq), 0) FROM deliveries
		WHERE channel = $1 AND fingerprint = $2 AND starts_at = $3 AND kind IN ('firing', 'reminder')`)
	w.isAcked = w.prepare(`SELECT COUNT(*) FROM bot_acks WHERE fingerprint = $1 AND starts_at = $2`)
	return w
}

func (w *txWriter) prepare(q string) *sql.Stmt {
	if w.err != nil {
		return nil
	}
	st, err := w.tx.PrepareContext(w.ctx, q)
	if err != nil {
		w.err = fmt.Errorf("prepare: %w", err)
	}
	return st
}

func (w *txWriter) close() {
	for _, st := range []*sql.Stmt{w.insNotif, w.insEvent, w.insDelivery, w.resolvedExists, w.last, w.isAcked} {
		if st != nil {
			st.Close()
		}
	}
}

func (w *txWriter) run(r *writeReq) error {
	if w.err != nil {
		return w.err
	}
	return r.apply(w)
}

func (w *txWriter) ingest(in *Ingest) (IngestResult, error) {
	n := in.Notification
	if len(in.Targets) != len(n.Alerts) {
		return IngestResult{}, errors.New("ingest: one target list per alert is required")
	}
	common, err := json.Marshal(Common{Receiver: n.Receiver, Status: n.Status, GroupLabels: n.GroupLabels,
		CommonLabels: n.CommonLabels, CommonAnnotations: n.CommonAnnotations, ExternalURL: n.ExternalURL, GroupKey: n.GroupKey})
	if err != nil {
		return IngestResult{}, err
	}
	now := nanos(in.ReceivedAt)
	var nid int64
	if err := w.insNotif.QueryRowContext(w.ctx, now, in.Target, n.Receiver, n.Status, n.GroupKey, string(common)).Scan(&nid); err != nil {
		return IngestResult{}, fmt.Errorf("insert notification: %w", err)
	}
	res := IngestResult{NotificationID: nid}
	seen := map[string]bool{}
	for i := range n.Alerts {
		a := &n.Alerts[i]
		body, err := json.Marshal(a)
		if err != nil {
			return IngestResult{}, err
		}
		var eid int64
		if err := w.insEvent.QueryRowContext(w.ctx, nid, a.Fingerprint, nanos(a.StartsAt), a.Status, string(body)).Scan(&eid); err != nil {
			return IngestResult{}, fmt.Errorf("insert event: %w", err)
		}
		for _, t := range in.Targets[i] {
			created, err := w.plan(a, eid, t, in.ReceivedAt)
			if err != nil {
				return IngestResult{}, err
			}
			if created {
				res.Deliveries++
				if !seen[t.Channel] {
					seen[t.Channel] = true
					res.Channels = append(res.Channels, t.Channel)
					if !slices.Contains(w.woke, t.Channel) {
						w.woke = append(w.woke, t.Channel)
					}
				}
			}
		}
	}
	return res, nil
}

// plan creates the delivery an alert event calls for on one channel, if it
// is new: a firing episode once, its resolution once, reminders when asked
// and the episode was not acknowledged.
func (w *txWriter) plan(a *amtemplate.Alert, eventID int64, t alert.Target, now time.Time) (bool, error) {
	fp, starts := a.Fingerprint, nanos(a.StartsAt)
	insert := func(kind alert.Kind, seq int) (bool, error) {
		var id int64
		err := w.insDelivery.QueryRowContext(w.ctx, t.Channel, fp, starts, string(kind), seq, eventID, nanos(now)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("insert delivery: %w", err)
		}
		return true, nil
	}
	if a.Status == string(alert.KindResolved) {
		if !t.SendResolved {
			return false, nil
		}
		return insert(alert.KindResolved, 0)
	}
	// A firing notification after the resolution of the same episode is a
	// late retry; it must not announce the alert again.
	var resolved int
	if err := w.resolvedExists.QueryRowContext(w.ctx, t.Channel, fp, starts).Scan(&resolved); err != nil {
		return false, fmt.Errorf("check resolved: %w", err)
	}
	if resolved > 0 {
		return false, nil
	}
	created, err := insert(alert.KindFiring, 0)
	if err != nil || created || !t.Repeat {
		return created, err
	}
	var lastAt int64
	var lastSeq int
	if err := w.last.QueryRowContext(w.ctx, t.Channel, fp, starts).Scan(&lastAt, &lastSeq); err != nil {
		return false, fmt.Errorf("last reminder: %w", err)
	}
	if now.Sub(fromNanos(lastAt)) < t.RepeatInterval {
		return false, nil
	}
	if acked, err := w.acked(fp, starts); err != nil || acked {
		return false, err
	}
	return insert(alert.KindReminder, lastSeq+1)
}
