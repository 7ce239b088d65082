package dispatch

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/store"
)

// testPoll is the dispatchers' poll interval in tests: short, so that
// retries are picked up without waiting on the real second.
const testPoll = 20 * time.Millisecond

// scripted is a notifier whose answers the test decides.
type scripted struct {
	mu     sync.Mutex
	msgs   []*notify.Message
	answer func(n int, m *notify.Message) ([]notify.Ref, bool, error)
	got    chan struct{}
}

func (s *scripted) Notify(ctx context.Context, m *notify.Message) ([]notify.Ref, bool, error) {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	n := len(s.msgs)
	s.mu.Unlock()
	defer func() { s.got <- struct{}{} }()
	if s.answer != nil {
		return s.answer(n, m)
	}
	return []notify.Ref{{ChatID: "1", MessageID: fmt.Sprint(n)}}, false, nil
}

func (s *scripted) wait(t *testing.T, n int) []*notify.Message {
	t.Helper()
	for {
		s.mu.Lock()
		got := len(s.msgs)
		s.mu.Unlock()
		if got >= n {
			break
		}
		select {
		case <-s.got:
		case <-time.After(10 * time.Second):
			t.Fatalf("got %d messages, want %d", got, n)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*notify.Message(nil), s.msgs...)
}

type env struct {
	st   *store.Store
	d    *Dispatcher
	n    *scripted
	reg  *prometheus.Registry
	ctx  context.Context
	stop func()
	path string
}

func start(t *testing.T, path string, n *scripted, threshold int) *env {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "h.db")
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(context.Background(), path, store.Options{}, logger)
	if err != nil {
		t.Fatal(err)
	}
	n.got = make(chan struct{}, 1000)
	reg := prometheus.NewRegistry()
	d := New(st, &Setup{Channels: map[string]Channel{"ops": {Notifier: n, StormThreshold: threshold}},
		InitialBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, MaxAge: time.Hour,
		Timeout: time.Second, Secrets: []string{"s3cr3t"}}, reg, logger, WithPollInterval(testPoll))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); <-done; st.Close() }) }
	t.Cleanup(stop)
	return &env{st: st, d: d, n: n, reg: reg, ctx: ctx, stop: stop, path: path}
}

func (e *env) ingest(t *testing.T, status string, fps ...string) {
	t.Helper()
	n := &alert.Notification{Version: "4"}
	n.Receiver, n.Status, n.ExternalURL = "r", status, "http://am:9093"
	var targets [][]alert.Target
	for _, fp := range fps {
		n.Alerts = append(n.Alerts, amtemplate.Alert{Status: status, Fingerprint: fp,
			StartsAt: time.Unix(1000, 0), Labels: amtemplate.KV{"alertname": "A", "instance": fp}})
		targets = append(targets, []alert.Target{{Channel: "ops", SendResolved: true}})
	}
	res, err := e.st.Ingest(context.Background(), &store.Ingest{Notification: n, Targets: targets, ReceivedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	e.d.Wake(res.Channels...)
}

func (e *env) waitCounts(t *testing.T, want map[string]int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, _ := e.st.Counts(context.Background())
		if fmt.Sprint(got) == fmt.Sprint(want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("counts %v, want %v", got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestResolvedRepliesToFiring(t *testing.T) {
	e := start(t, "", &scripted{}, 10)
	e.ingest(t, "firing", "a")
	e.n.wait(t, 1)
	e.ingest(t, "resolved", "a")
	msgs := e.n.wait(t, 2)
	if msgs[0].Kind != alert.KindFiring || msgs[1].Kind != alert.KindResolved {
		t.Fatalf("kinds %s %s", msgs[0].Kind, msgs[1].Kind)
	}
	if len(msgs[1].Previous) != 1 || msgs[1].Previous[0].MessageID != "1" {
		t.Fatalf("resolved message does not reference the firing one: %+v", msgs[1].Previous)
	}
	if msgs[1].Data.Status != "resolved" || msgs[1].Data.CommonLabels["instance"] != "a" {
		t.Fatalf("data %+v", msgs[1].Data)
	}
	e.waitCounts(t, map[string]int{"sent": 2})
	if v := testutil.ToFloat64(e.d.metrics.deliveries.WithLabelValues("ops", OutcomeSuccess)); v != 2 {
		t.Fatalf("success metric %v", v)
	}
}

func TestRetryThenSuccessResumesParts(t *testing.T) {
	n := &scripted{answer: func(i int, m *notify.Message) ([]notify.Ref, bool, error) {
		switch i {
		case 1: // the first part went out, the second failed
			return []notify.Ref{{Part: 0, MessageID: "p0"}}, true, &notify.HTTPError{StatusCode: 502}
		case 2:
			return nil, true, errors.New("dial tcp: connection reset, token s3cr3t")
		}
		return []notify.Ref{{Part: m.SentParts, MessageID: "p1"}}, false, nil
	}}
	e := start(t, "", n, 10)
	e.ingest(t, "firing", "a")
	msgs := e.n.wait(t, 3)
	if msgs[1].SentParts != 1 || msgs[2].SentParts != 1 {
		t.Fatalf("retries must resume after the sent part: %d %d", msgs[1].SentParts, msgs[2].SentParts)
	}
	e.waitCounts(t, map[string]int{"sent": 1})
	if v := testutil.ToFloat64(e.d.metrics.retries.WithLabelValues("ops", ReasonServerError)); v != 1 {
		t.Fatalf("server_error retries %v", v)
	}
	if v := testutil.ToFloat64(e.d.metrics.retries.WithLabelValues("ops", ReasonNetwork)); v != 1 {
		t.Fatalf("network retries %v", v)
	}
	refs, _ := e.st.FiringRefs(context.Background(), "ops", "a", time.Unix(1000, 0))
	if len(refs) != 2 {
		t.Fatalf("refs %+v", refs)
	}
}

func TestPermanentErrorIsNotRetried(t *testing.T) {
	n := &scripted{answer: func(int, *notify.Message) ([]notify.Ref, bool, error) {
		return nil, false, errors.New("Bad Request: chat not found (token s3cr3t)")
	}}
	e := start(t, "", n, 10)
	e.ingest(t, "firing", "a")
	e.waitCounts(t, map[string]int{"failed": 1})
	time.Sleep(100 * time.Millisecond)
	if got := len(e.n.wait(t, 1)); got != 1 {
		t.Fatalf("%d attempts", got)
	}
	var last string
	if err := queryLastError(e, &last); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(last, "s3cr3t") || !strings.Contains(last, "chat not found") {
		t.Fatalf("stored error %q", last)
	}
}

func queryLastError(e *env, out *string) error {
	db, err := sql.Open("sqlite", e.path)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.QueryRow("SELECT last_error FROM deliveries").Scan(out)
}

func TestRateLimitHonoursRetryAfter(t *testing.T) {
	var first time.Time
	n := &scripted{}
	n.answer = func(i int, m *notify.Message) ([]notify.Ref, bool, error) {
		if i == 1 {
			first = time.Now()
			return nil, true, &notify.RateLimitError{RetryAfter: 300 * time.Millisecond, Err: errors.New("429")}
		}
		return []notify.Ref{{MessageID: "1"}}, false, nil
	}
	e := start(t, "", n, 10)
	e.ingest(t, "firing", "a")
	e.n.wait(t, 2)
	if gap := time.Since(first); gap < 300*time.Millisecond {
		t.Fatalf("retried after %v, before retry_after", gap)
	}
	e.waitCounts(t, map[string]int{"sent": 1})
}

func TestStormIsFolded(t *testing.T) {
	block := make(chan struct{})
	n := &scripted{}
	n.answer = func(i int, m *notify.Message) ([]notify.Ref, bool, error) {
		if i == 1 {
			<-block // hold the channel busy while the storm queues up
		}
		return []notify.Ref{{MessageID: fmt.Sprint(i), Folded: m.Folded}}, false, nil
	}
	e := start(t, "", n, 5)
	e.ingest(t, "firing", "first")
	e.n.wait(t, 0)
	time.Sleep(50 * time.Millisecond)
	var fps []string
	for i := 0; i < 30; i++ {
		fps = append(fps, fmt.Sprint("storm", i))
	}
	e.ingest(t, "firing", fps...)
	close(block)
	msgs := e.n.wait(t, 2)
	e.waitCounts(t, map[string]int{"sent": 31})
	if !msgs[1].Folded || len(msgs[1].Data.Alerts) != 30 {
		t.Fatalf("storm message folded=%v alerts=%d", msgs[1].Folded, len(msgs[1].Data.Alerts))
	}
	if len(e.n.wait(t, 2)) != 2 {
		t.Fatal("one message expected for the storm")
	}
}

func TestPendingSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	hang := &scripted{answer: func(_ int, m *notify.Message) ([]notify.Ref, bool, error) {
		return nil, true, context.DeadlineExceeded
	}}
	e := start(t, path, hang, 0)
	e.ingest(t, "firing", "a", "b", "c")
	e.n.wait(t, 1)
	e.stop() // as if killed mid-delivery

	ok := &scripted{}
	e = start(t, path, ok, 0)
	e.waitCounts(t, map[string]int{"sent": 3})
	msgs := ok.wait(t, 3)
	seen := map[string]int{}
	for _, m := range msgs {
		seen[m.Data.Alerts[0].Fingerprint]++
	}
	if len(msgs) != 3 || seen["a"] != 1 || seen["b"] != 1 || seen["c"] != 1 {
		t.Fatalf("after restart: %v", seen)
	}
}

func TestBackoff(t *testing.T) {
	for attempts, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		got := backoffFor(attempts, time.Second, time.Minute)
		if got < want*8/10 || got > want*12/10 {
			t.Errorf("attempt %d: %v, want about %v", attempts, got, want)
		}
	}
	if got := backoffFor(40, time.Second, time.Minute); got > 72*time.Second {
		t.Errorf("cap: %v", got)
	}
}

func TestThrottledIsNotAnAttempt(t *testing.T) {
	n := &scripted{}
	n.answer = func(i int, m *notify.Message) ([]notify.Ref, bool, error) {
		if i == 1 {
			return nil, true, fmt.Errorf("telegram: waiting: %w", &notify.ThrottledError{Wait: 200 * time.Millisecond})
		}
		return []notify.Ref{{MessageID: "1"}}, false, nil
	}
	e := start(t, "", n, 10)
	e.ingest(t, "firing", "a")
	msgs := e.n.wait(t, 2)
	e.waitCounts(t, map[string]int{"sent": 1})
	if v := testutil.ToFloat64(e.d.metrics.deliveries.WithLabelValues("ops", OutcomeRetry)); v != 0 {
		t.Fatalf("a throttled send counted as a retry: %v", v)
	}
	_ = msgs
	var attempts int
	db, err := sql.Open("sqlite", e.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow("SELECT attempts FROM deliveries").Scan(&attempts); err != nil || attempts != 1 {
		t.Fatalf("attempts %d (%v), want 1", attempts, err)
	}
}

// A folded message cut short after its first part is sent whole again: its
// retry may hold other alerts, so resuming by part number would skip some.
func TestPartialFoldedMessageIsResentWhole(t *testing.T) {
	block := make(chan struct{})
	n := &scripted{}
	n.answer = func(i int, m *notify.Message) ([]notify.Ref, bool, error) {
		switch i {
		case 1:
			<-block
		case 2:
			return []notify.Ref{{Part: 0, MessageID: "p0", Folded: true}}, true, &notify.HTTPError{StatusCode: 500}
		}
		return []notify.Ref{{Part: m.SentParts, MessageID: fmt.Sprint(i), Folded: m.Folded}}, false, nil
	}
	e := start(t, "", n, 3)
	e.ingest(t, "firing", "first")
	time.Sleep(50 * time.Millisecond)
	e.ingest(t, "firing", "a", "b", "c", "d", "e")
	close(block)
	e.waitCounts(t, map[string]int{"sent": 6})
	msgs := e.n.wait(t, 3)
	if len(msgs) != 3 || !msgs[2].Folded || len(msgs[2].Data.Alerts) != 5 || msgs[2].SentParts != 0 {
		t.Fatalf("retry of the folded message: %d messages, folded=%v alerts=%d sentParts=%d",
			len(msgs), msgs[2].Folded, len(msgs[2].Data.Alerts), msgs[2].SentParts)
	}
}
