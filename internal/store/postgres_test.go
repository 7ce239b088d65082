package store

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/testutil"
	"github.com/heraldhq/herald/internal/testutil/realpg"
)

// openPG opens a store on the PostgreSQL database of dsn.
func openPG(t *testing.T, dsn string, opts Options) *Store {
	t.Helper()
	s, err := OpenPostgres(context.Background(), dsn, opts, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// ingestOne ingests a firing notification of alerts fps to channel ops.
func ingestOne(ctx context.Context, s *Store, key string, fps ...string) error {
	var as []amtemplate.Alert
	for _, fp := range fps {
		as = append(as, mkAlert(fp, "firing", t0))
	}
	n := notification("firing", as...)
	n.GroupKey = key
	targets := make([][]alert.Target, len(as))
	for i := range targets {
		targets[i] = []alert.Target{{Channel: "ops"}}
	}
	_, err := s.Ingest(ctx, &Ingest{Notification: n, Targets: targets, ReceivedAt: t0})
	return err
}

// queryStrings runs a query of one text column on its own connection.
func queryStrings(t *testing.T, dsn, q string) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPostgresRestart stops the database under a store: ingests fail with
// an error while it is down and readiness says why, and once it is back the
// store recovers by itself with everything it acknowledged before.
func TestPostgresRestart(t *testing.T) {
	t.Parallel()
	srv := realpg.Start(t)
	dsn := srv.NewDatabase(t)
	s := openPG(t, dsn, Options{ProbeEvery: 50 * time.Millisecond})
	ctx := context.Background()
	for i := range 10 {
		if err := ingestOne(ctx, s, "before", fmt.Sprintf("before%d", i)); err != nil {
			t.Fatal(err)
		}
	}

	srv.Stop(t)
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ictx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			err := ingestOne(ictx, s, "down", fmt.Sprintf("down%d", i))
			switch {
			case err == nil:
				t.Errorf("ingest %d while the database is down acknowledged", i)
			case ictx.Err() != nil:
				t.Errorf("ingest %d while the database is down hung until its deadline: %v", i, err)
			}
		}()
	}
	wg.Wait()
	// Readiness says what is wrong, naming the database.
	err := s.Ping(ctx)
	if err == nil || !strings.Contains(err.Error(), "cannot reach the database") {
		t.Errorf("Ping while the database is down: %v, want not ready saying why", err)
	}
	t.Logf("Ping while the database is down: %v", err)

	srv.Start(t)
	testutil.Poll(t, 20*time.Second, "Ping to recover", func() bool { return s.Ping(ctx) == nil })
	for i := range 10 {
		if err := ingestOne(ctx, s, "after", fmt.Sprintf("after%d", i)); err != nil {
			t.Fatalf("ingest after the restart: %v", err)
		}
	}
	fps := queryStrings(t, dsn, `SELECT fingerprint FROM deliveries ORDER BY fingerprint`)
	var want []string
	for _, p := range []string{"after", "before"} {
		for i := range 10 {
			want = append(want, fmt.Sprintf("%s%d", p, i))
		}
	}
	if !slices.Equal(fps, want) {
		t.Fatalf("deliveries after the restart %q, want %q", fps, want)
	}
}

// TestPostgresConnectionsCut cuts the store's connections again and again
// while ingests run: whatever was acknowledged is stored, and whatever
// failed is stored whole or not at all.
func TestPostgresConnectionsCut(t *testing.T) {
	t.Parallel()
	srv := realpg.Shared(t)
	dsn := srv.NewDatabase(t)
	s := openPG(t, dsn, Options{ProbeEvery: 50 * time.Millisecond})
	const workers, each, alerts = 8, 40, 3
	var mu sync.Mutex
	acked, failed := map[string]bool{}, map[string]bool{}
	// Where the failures were met: "begin" on a connection cut while idle,
	// "insert …", "commit" and the like inside a transaction.
	where := map[string]int{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				key := fmt.Sprintf("w%d-%d", w, i)
				var fps []string
				for a := range alerts {
					fps = append(fps, fmt.Sprintf("%s-%d", key, a))
				}
				err := ingestOne(context.Background(), s, key, fps...)
				mu.Lock()
				if err == nil {
					acked[key] = true
				} else {
					failed[key] = true
					where[strings.SplitN(err.Error(), ":", 2)[0]]++
				}
				mu.Unlock()
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	cuts, terminated := 0, 0
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
cutting:
	for {
		select {
		case <-done:
			break cutting
		case <-tick.C:
			terminated += srv.Terminate(t, dsn)
			cuts++
		}
	}
	t.Logf("%d ingests acknowledged, %d failed (%v); %d cuts ended %d connections", len(acked), len(failed), where, cuts, terminated)
	// A batch whose connection is cut runs again on another, so most
	// ingests succeed; the cuts must have hit connections in use, or the
	// test tested nothing.
	if terminated == 0 || len(acked) == 0 {
		t.Fatal("the cuts ended no connection, or no ingest succeeded: the test tested nothing")
	}

	// Every notification stored has all its events, every event its
	// delivery: a failed ingest left nothing half-written.
	if bad := queryStrings(t, dsn, `SELECT n.group_key || ': ' || COUNT(e.id) || ' events' FROM notifications n
			LEFT JOIN events e ON e.notification_id = n.id GROUP BY n.id, n.group_key
			HAVING COUNT(e.id) <> `+fmt.Sprint(alerts)); len(bad) > 0 {
		t.Errorf("notifications stored in part: %q", bad)
	}
	if bad := queryStrings(t, dsn, `SELECT e.fingerprint FROM events e
			LEFT JOIN deliveries d ON d.event_id = e.id WHERE d.id IS NULL`); len(bad) > 0 {
		t.Errorf("events stored without their delivery: %q", bad)
	}
	stored := map[string]int{}
	for _, key := range queryStrings(t, dsn, `SELECT n.group_key FROM notifications n`) {
		stored[key]++
	}
	for key, n := range stored {
		if n != 1 {
			t.Errorf("notification %s stored %d times", key, n)
		}
	}
	fps := map[string]bool{}
	for _, fp := range queryStrings(t, dsn, `SELECT fingerprint FROM deliveries`) {
		fps[fp] = true
	}
	for key := range acked {
		for a := range alerts {
			if fp := fmt.Sprintf("%s-%d", key, a); !fps[fp] {
				t.Errorf("acknowledged %s lost its delivery %s", key, fp)
			}
		}
	}
	// A failed ingest may have committed before its answer was cut off:
	// then it is there whole, as checked above.
	for key := range failed {
		if stored[key] > 0 {
			t.Logf("failed ingest %s was committed", key)
		}
	}

	// A connection the last cut ended may still wait in the writer's pool:
	// the batch that meets it runs again on another, so the first ingest
	// after the cuts succeeds.
	testutil.Poll(t, 20*time.Second, "Ping to recover", func() bool { return s.Ping(context.Background()) == nil })
	if err := ingestOne(context.Background(), s, "after", "after"); err != nil {
		t.Fatalf("the first ingest after the cuts: %v", err)
	}
}

// execPG runs statements on their own connection to dsn.
func execPG(t *testing.T, dsn string, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, q := range stmts {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestPostgresCutAtCommit cuts the connection while the server commits
// an ingest's transaction: the ingest must fail, since nothing was stored.
// A deferred trigger that sleeps holds the commit open for the cut.
func TestPostgresCutAtCommit(t *testing.T) {
	t.Parallel()
	srv := realpg.Shared(t)
	dsn := srv.NewDatabase(t)
	s := openPG(t, dsn, Options{ProbeEvery: 50 * time.Millisecond})
	execPG(t, dsn, `CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN PERFORM pg_sleep(60); RETURN NULL; END $$`,
		`CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON notifications
			DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit()`)

	errc := make(chan error, 1)
	go func() { errc <- ingestOne(context.Background(), s, "cut", "cut") }()
	testutil.Poll(t, 20*time.Second, "the commit to hold", func() bool {
		return len(queryStrings(t, dsn, `SELECT pid::text FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event = 'PgSleep'`)) == 1
	})
	srv.Terminate(t, dsn)
	select {
	case err := <-errc:
		if err == nil {
			t.Error("an ingest whose commit was cut acknowledged")
		}
		t.Logf("ingest cut at commit: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("the ingest cut at commit did not return")
	}
	if got := queryStrings(t, dsn, `SELECT fingerprint FROM events`); len(got) != 0 {
		t.Fatalf("stored after a cut commit: %q", got)
	}

	execPG(t, dsn, `DROP TRIGGER slow_commit ON notifications`)
	testutil.Poll(t, 20*time.Second, "an ingest after the cut", func() bool {
		err := ingestOne(context.Background(), s, "after", "after")
		if err != nil && !s.eng.fault(err) {
			t.Fatalf("ingest after the cut: %v", err)
		}
		return err == nil
	})
	if got := queryStrings(t, dsn, `SELECT fingerprint FROM deliveries`); !slices.Equal(got, []string{"after"}) {
		t.Fatalf("deliveries %q, want after", got)
	}
}

// TestPostgresListen checks the wake-ups between replicas: a listener
// hears the channels another replica's ingest gave new deliveries, once it
// commits, and only those; after its connection is cut it reconnects.
func TestPostgresListen(t *testing.T) {
	t.Parallel()
	srv := realpg.Shared(t)
	dsn := srv.NewDatabase(t)
	listener, ingester := openPG(t, dsn, Options{}), openPG(t, dsn, Options{})
	woke := make(chan []string, 16)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		listener.Listen(ctx, func(chs []string) {
			select {
			case woke <- chs:
			case <-ctx.Done():
			}
		})
	}()
	t.Cleanup(func() { cancel(); <-stopped })

	const bound = 5 * time.Second
	next := func(what string) []string {
		t.Helper()
		select {
		case chs := <-woke:
			return chs
		case <-time.After(bound):
			t.Fatalf("no wake-up within %v: %s", bound, what)
			return nil
		}
	}
	// Listening starts with a wake-up for what committed before.
	if chs := next("the first, on listening"); chs != nil {
		t.Fatalf("first wake-up %q, want none in particular", chs)
	}

	ingestTo := func(fp string, channels ...string) {
		t.Helper()
		var ts []alert.Target
		for _, ch := range channels {
			ts = append(ts, alert.Target{Channel: ch})
		}
		_, err := ingester.Ingest(context.Background(), &Ingest{Notification: notification("firing", mkAlert(fp, "firing", t0)),
			Targets: [][]alert.Target{ts}, ReceivedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
	}
	var lat []time.Duration
	for i := range 50 {
		ch := fmt.Sprintf("ch%02d", i)
		start := time.Now()
		ingestTo("a", ch)
		if chs := next(ch); !slices.Equal(chs, []string{ch}) {
			t.Fatalf("woken for %q, want %s", chs, ch)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	t.Logf("wake-up after an ingest on another replica (%d): median %v, max %v", len(lat), lat[len(lat)/2], lat[len(lat)-1])

	// An ingest with nothing new wakes no one; one for two channels names both.
	ingestTo("a", "ch00")
	ingestTo("b", "ops", "dev")
	if chs := next("ops and dev"); !slices.Equal(chs, []string{"ops", "dev"}) {
		t.Fatalf("woken for %q, want ops and dev (and nothing for the duplicate before)", chs)
	}

	// A cut connection is made again, with a wake-up for what was missed.
	if srv.Terminate(t, dsn) == 0 {
		t.Fatal("no connections to cut")
	}
	if chs := next("the first after reconnecting"); chs != nil {
		t.Fatalf("first wake-up after reconnecting %q, want none in particular", chs)
	}
	testutil.Poll(t, 20*time.Second, "an ingest after the cut", func() bool {
		return ingestOne(context.Background(), ingester, "late", "late") == nil
	})
	if chs := next("ops after reconnecting"); !slices.Equal(chs, []string{"ops"}) {
		t.Fatalf("woken for %q after reconnecting, want ops", chs)
	}
}

func TestPostgresRebind(t *testing.T) {
	t.Parallel()
	for q, want := range map[string]string{
		"a ? b ? c":                 "a $1 b $2 c",
		"IN (?, ?, ?)":              "IN ($1, $2, $3)",
		"SELECT 1 WHERE a = $1":     "SELECT 1 WHERE a = $1",
		"":                          "",
		"?":                         "$1",
		"x = ? AND y IN (?, ?) ? ?": "x = $1 AND y IN ($2, $3) $4 $5",
	} {
		if got := (pgEngine{}).rebind(q); got != want {
			t.Errorf("rebind(%q) = %q, want %q", q, got, want)
		}
	}
}
