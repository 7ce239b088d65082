package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
	"github.com/heraldhq/herald/internal/testutil/realpg"
	"github.com/heraldhq/herald/internal/testutil/realproc"
)

// The group chats of the replica tests; each test has a fake of its own.
const replicaChat = int64(-1004445556667)

// leaseDuration is the replicas' storage.lease_duration in these tests.
const leaseDuration = 3 * time.Second

// groupPerMinute is the group chat's limit in the storm test, in the fake
// Telegram and in Herald's telegram.rate_limits.
const groupPerMinute = 10

// failoverBound is how soon a live replica must hold a lease whose holder
// died: 1.25 lease durations (the lease's own bound) plus room for the
// look-ups of /metrics.
const failoverBound = 2 * leaseDuration

// TestReplicasStormExactlyOnce: three replicas on one database behind a
// round-robin proxy take a storm of 1,000 alerts from a real Alertmanager
// HA pair; the replica that dispatches is killed (kill -9) while messages
// go out and the last 200 alerts come in (their webhooks that meet the
// dead replica get a 502 and are retried). Every alert reaches the chat
// exactly once, no message twice, the
// fake Telegram never has to answer 429 (the replica taking over counts
// the messages the dead one sent in the group's minute), and the
// dispatcher, the bot's poller and the collectors run again on a live
// replica within 1.25 lease durations.
func TestReplicasStormExactlyOnce(t *testing.T) {
	t.Parallel()
	realproc.Binary(t, "prometheus-alertmanager", "alertmanager")
	pg := realpg.Start(t)
	dsn := pg.NewDatabase(t)
	bin := buildHerald(t)
	// Telegram's limits (1 message/s per chat, 30/s overall) with the
	// group's scaled from 20 to 10 a minute, in the fake and in Herald's
	// configuration alike: the storm's dozen messages then fill the group's
	// minute, so that the replica taking over must count what the dead one
	// sent in it, or exceed it.
	fake := faketelegram.New(t, faketelegram.Config{Chats: []faketelegram.Chat{{ID: replicaChat}},
		Limits: faketelegram.Limits{GroupMessages: groupPerMinute}})
	limits := fmt.Sprintf("  rate_limits: {per_group_per_minute: %d}\n", groupPerMinute)

	var reps []*replica
	for i := range 3 {
		cfg := replicaConfig(t, t.TempDir(), fake, replicaChat, dsn, limits)
		reps = append(reps, startReplica(t, bin, cfg, fmt.Sprintf("r%d", i+1)))
	}
	proxy := newRRProxy(t, reps)
	am1 := realproc.StartAlertmanager(t, proxy.URL+"/api/v1/alerts")
	am2 := realproc.StartAlertmanager(t, proxy.URL+"/api/v1/alerts")

	const total = 1000
	// Both peers must agree on startsAt, as peers fed by one Prometheus do:
	// the episode (fingerprint + startsAt) is what is delivered once.
	starts := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	alerts := make([]realproc.PostableAlert, total)
	want := make([]string, total)
	for i := range alerts {
		want[i] = fmt.Sprintf("r%04d.storm", i)
		// Short lines: a folded list of 100 fits in one Telegram message,
		// so that a replica between two messages is not in the middle of
		// one (a folded message is recorded once all its parts are sent).
		alerts[i] = realproc.PostableAlert{
			Labels:   map[string]string{"alertname": "Storm", "instance": want[i]},
			StartsAt: starts,
		}
	}
	inst := regexp.MustCompile(`r\d{4}\.storm`)
	// The last alerts reach Alertmanager as the replica dies, so that its
	// webhooks meet the dead replica behind the proxy and are retried.
	const late = 200
	begin := time.Now()
	am1.Post(t, alerts[:total-late]...)
	am2.Post(t, alerts[:total-late]...)

	// Kill the dispatching replica while the storm goes out, between two
	// messages: once the last message's outcome is recorded (the store is
	// all a replica taking over knows) and the replica waits for the rate
	// limit, not in the middle of a send.
	if _, err := fake.WaitMessages(2, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	before, sentBefore, lag := idleHolder(t, fake, reps, inst)
	victim := before["dispatch"][0]
	killed := time.Now()
	victim.kill()
	am1.Post(t, alerts[total-late:]...)
	am2.Post(t, alerts[total-late:]...)
	t.Logf("killed replica %s (dispatch holder) %v into the storm, after %d messages (the last one's outcome recorded %v after it arrived)",
		victim.name, killed.Sub(begin).Round(time.Millisecond), sentBefore, lag.Round(time.Millisecond))

	live := others(reps, victim)
	watched := []string{"dispatch", "telegram_poller", "collect"}
	failover := map[string]time.Duration{}
	after := map[string]*replica{}
	testutil.Until(time.Until(killed.Add(failoverBound+5*time.Second)), func() bool {
		hs := holders(live)
		for _, l := range watched {
			if _, done := failover[l]; !done && len(hs[l]) == 1 {
				failover[l], after[l] = time.Since(killed), hs[l][0]
			}
		}
		return len(failover) == len(watched)
	})
	for _, l := range watched {
		was := "none"
		if len(before[l]) > 0 {
			was = before[l][0].name
		}
		d, ok := failover[l]
		switch {
		case !ok:
			t.Errorf("lease %s (held by %s before the kill): no live replica holds it %v after the kill",
				l, was, failoverBound+5*time.Second)
		case d > failoverBound:
			t.Errorf("lease %s (held by %s before the kill): held by %s only %v after the kill, want within %v",
				l, was, after[l].name, d.Round(time.Millisecond), failoverBound)
		default:
			t.Logf("lease %s: held by %s before the kill, by %s %v after it", l, was, after[l].name, d.Round(time.Millisecond))
		}
	}

	waitAlerts(t, fake, inst, want, 150*time.Second)
	took := time.Since(begin)
	testutil.Poll(t, 20*time.Second, "an empty outbox", func() bool { return live[0].metric("herald_outbox_pending") == 0 })
	settle()
	msgs := fake.Messages()
	checkExactlyOnce(t, msgs, inst, want)
	st := fake.Stats()
	folded := 0
	for _, m := range msgs {
		if strings.Contains(m.Plain, "alerts firing") {
			folded++
		}
	}
	t.Logf("storm: %d alerts in %d messages (%d folded lists) in %v; %d after the kill; "+
		"429 answers %d; proxy 502 answers %d", total, len(msgs), folded, took.Round(time.Millisecond),
		len(msgs)-sentBefore, st.TooManyRequests, proxy.Errors.Load())
	if st.TooManyRequests != 0 {
		t.Errorf("the fake Telegram answered 429 %d times: a limit of the group chat was exceeded", st.TooManyRequests)
	}
	if proxy.Errors.Load() == 0 {
		t.Error("no webhook met the dead replica: the proxy never answered 502")
	}
}

// TestReplicaPausedPastItsLease: the dispatching replica is paused
// (SIGSTOP) past its lease; the other takes over and delivers what it is
// given meanwhile. Resumed, the paused one says it lost the lease, sends
// nothing and does not take the lease back while the other holds it; what
// is posted to it afterwards is delivered by the other. Each alert once.
func TestReplicaPausedPastItsLease(t *testing.T) {
	t.Parallel()
	pg := realpg.Start(t)
	dsn := pg.NewDatabase(t)
	bin := buildHerald(t)
	fake := faketelegram.New(t, faketelegram.Config{Chats: []faketelegram.Chat{{ID: replicaChat}}})
	a := startReplica(t, bin, replicaConfig(t, t.TempDir(), fake, replicaChat, dsn, ""), "a")
	b := startReplica(t, bin, replicaConfig(t, t.TempDir(), fake, replicaChat, dsn, ""), "b")
	reps := []*replica{a, b}
	paused := waitHolder(t, reps, "dispatch", 10*time.Second)
	other := others(reps, paused)[0]
	inst := regexp.MustCompile(`p\d\.paused:9100`)
	batch := func(from, to int) []string {
		var out []string
		for i := from; i < to; i++ {
			out = append(out, fmt.Sprintf("p%d.paused:9100", i))
		}
		return out
	}
	postAll := func(r *replica, insts []string) {
		t.Helper()
		for _, in := range insts {
			if code, body := r.post("/api/v1/alerts", firingPayload(t, in)); code != 200 {
				t.Fatalf("replica %s: %s: %d %s", r.name, in, code, body)
			}
		}
	}

	// Idle: nothing was posted yet.
	paused.signal(t, syscall.SIGSTOP)
	stopped := time.Now()
	first := batch(0, 4)
	postAll(other, first)
	waitHolder(t, []*replica{other}, "dispatch", failoverBound+5*time.Second)
	t.Logf("replica %s paused; %s took the dispatch lease %v later", paused.name, other.name,
		time.Since(stopped).Round(time.Millisecond))
	waitAlerts(t, fake, inst, first, 20*time.Second)

	paused.signal(t, syscall.SIGCONT)
	testutil.Poll(t, 10*time.Second, "the resumed replica saying it lost the dispatch lease", func() bool {
		return strings.Contains(paused.Log.String(), `msg="lost the lease; stopped" lease=dispatch`)
	})
	// Posted to the resumed replica: the other is woken and sends; the
	// first batch again changes nothing.
	second := batch(4, 8)
	postAll(paused, second)
	postAll(paused, first)
	waitAlerts(t, fake, inst, second, 20*time.Second)

	// The resumed replica, campaigning every quarter of a lease, does not
	// take the lease back while the other holds it (only if the other
	// released it), over eight of the other's renewals: two lease
	// durations.
	ends := leaseEnds(t, dsn, "dispatch")
	renewals := map[int64]bool{}
	testutil.Poll(t, 4*leaseDuration, "eight renewals of the dispatch lease", func() bool {
		for _, h := range holders(reps)["dispatch"] {
			if h == paused && !strings.Contains(other.Log.String(), `msg="released the lease" lease=dispatch`) {
				t.Fatalf("the resumed replica %s holds the dispatch lease again though %s did not release it", paused.name, other.name)
			}
		}
		renewals[ends()] = true
		return len(renewals) > 8
	})
	settle()
	checkExactlyOnce(t, fake.Messages(), inst, append(first, second...))
	if st := fake.Stats(); st.TooManyRequests != 0 {
		t.Errorf("the fake Telegram answered 429 %d times", st.TooManyRequests)
	}
}

// TestReplicasSurviveDatabaseRestart: while PostgreSQL is down, both
// replicas report not ready and refuse webhooks with 5xx (Alertmanager
// retries), never 200; once it is back they are ready again, and every
// alert accepted with 200 is delivered exactly once.
func TestReplicasSurviveDatabaseRestart(t *testing.T) {
	t.Parallel()
	pg := realpg.Start(t)
	dsn := pg.NewDatabase(t)
	bin := buildHerald(t)
	fake := faketelegram.New(t, faketelegram.Config{Chats: []faketelegram.Chat{{ID: replicaChat}}})
	reps := []*replica{
		startReplica(t, bin, replicaConfig(t, t.TempDir(), fake, replicaChat, dsn, ""), "a"),
		startReplica(t, bin, replicaConfig(t, t.TempDir(), fake, replicaChat, dsn, ""), "b"),
	}
	inst := regexp.MustCompile(`d\d+\.restart:9100`)
	name := func(i int) string { return fmt.Sprintf("d%d.restart:9100", i) }
	var accepted []string
	// post sends alert i to a replica, as Alertmanager would, and returns
	// the status code; accepted alerts must be delivered.
	post := func(i int) int {
		code, _ := reps[i%2].post("/api/v1/alerts", firingPayload(t, name(i)))
		if code == 200 {
			accepted = append(accepted, name(i))
		}
		return code
	}
	// Three alerts before, three refused while the database is down and
	// three more after: nine messages, within half of the group's 20 a
	// minute.
	const n = 3
	for i := range n {
		if code := post(i); code != 200 {
			t.Fatalf("alert %d: %d", i, code)
		}
	}
	waitAlerts(t, fake, inst, accepted, 20*time.Second)
	testutil.Poll(t, 10*time.Second, "an empty outbox", func() bool { return reps[0].metric("herald_outbox_pending") == 0 })

	down := time.Now()
	pg.Stop(t)
	testutil.Poll(t, 15*time.Second, "both replicas not ready", func() bool { return !reps[0].ready() && !reps[1].ready() })
	t.Logf("both replicas not ready %v after the database stopped", time.Since(down).Round(time.Millisecond))
	for i := n; i < 2*n; i++ {
		switch code := post(i); {
		case code == 200:
			t.Errorf("alert %d accepted with 200 while the database is down", i)
		case code < 500:
			t.Errorf("alert %d answered %d while the database is down, want 5xx so that Alertmanager retries", i, code)
		}
	}
	// Down until every lease has run out: no replica may act on one.
	testutil.Poll(t, leaseDuration+5*time.Second, "both replicas giving up their leases", func() bool {
		for _, r := range reps {
			held, ok := r.leases()
			if !ok {
				return false
			}
			for _, h := range held {
				if h {
					return false
				}
			}
		}
		return true
	})
	if reps[0].ready() || reps[1].ready() {
		t.Error("a replica says it is ready while the database is down")
	}

	up := time.Now()
	pg.Start(t)
	testutil.Poll(t, 30*time.Second, "both replicas ready again", func() bool { return reps[0].ready() && reps[1].ready() })
	t.Logf("both replicas ready %v after the database started again (down for %v)",
		time.Since(up).Round(time.Millisecond), up.Sub(down).Round(time.Millisecond))
	// Alertmanager's retries of what was refused, and new alerts.
	for i := n; i < 3*n; i++ {
		testutil.Poll(t, 10*time.Second, fmt.Sprintf("alert %d accepted", i), func() bool { return post(i) == 200 })
	}
	h := waitHolder(t, reps, "dispatch", failoverBound+5*time.Second)
	t.Logf("replica %s dispatches %v after the database started again", h.name, time.Since(up).Round(time.Millisecond))
	waitAlerts(t, fake, inst, accepted, 30*time.Second)
	testutil.Poll(t, 10*time.Second, "an empty outbox", func() bool { return reps[0].metric("herald_outbox_pending") == 0 })
	settle()
	checkExactlyOnce(t, fake.Messages(), inst, dedup(accepted))
	if st := fake.Stats(); st.TooManyRequests != 0 {
		t.Errorf("the fake Telegram answered 429 %d times", st.TooManyRequests)
	}
}

// dedup is xs without repeats, in order.
func dedup(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// TestMigrateStoreKeepsPending: a Herald on SQLite whose chat keeps
// failing (500: retried) holds 20 pending deliveries when it stops; `herald
// migrate-store` copies them into PostgreSQL and says so, and a Herald on
// PostgreSQL delivers each of them exactly once.
func TestMigrateStoreKeepsPending(t *testing.T) {
	t.Parallel()
	pg := realpg.Start(t)
	dsn := pg.NewDatabase(t)
	bin := buildHerald(t)
	broken := faketelegram.New(t, faketelegram.Config{Chats: []faketelegram.Chat{{ID: replicaChat}}})
	broken.FailChat(replicaChat, faketelegram.FaultInternal)
	dir := t.TempDir()
	channel := fmt.Sprintf(`channels:
  - name: ops
    telegram:
      chat_id: %d
`, replicaChat)
	cfg := writeConfig(t, dir, "127.0.0.1:0", "5s", fmt.Sprintf("telegram:\n  bot_token: %s\n  api_url: %s\n  mode: off\n%s",
		broken.Token(), broken.URL(), channel))
	old := startReplica(t, bin, cfg, "sqlite")
	inst := regexp.MustCompile(`m\d+\.migrate:9100`)
	var want []string
	for i := range 20 {
		want = append(want, fmt.Sprintf("m%d.migrate:9100", i))
		if code, body := old.post("/api/v1/alerts", firingPayload(t, want[i])); code != 200 {
			t.Fatalf("alert %d: %d %s", i, code, body)
		}
	}
	testutil.Poll(t, 10*time.Second, "failed attempts at the broken chat", func() bool { return broken.Stats().Injected >= 2 })
	old.signal(t, syscall.SIGTERM)
	select {
	case <-old.exited:
	case <-time.After(15 * time.Second):
		t.Fatal("Herald did not stop in 15s on SIGTERM")
	}
	if code := old.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("Herald exited with %d on SIGTERM", code)
	}

	dsnFile := filepath.Join(t.TempDir(), "dsn")
	if err := os.WriteFile(dsnFile, []byte(dsn+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "migrate-store", "--from", "sqlite:"+filepath.Join(dir, "data", "herald.db"),
		"--to-file", dsnFile).CombinedOutput()
	if err != nil {
		t.Fatalf("migrate-store: %v\n%s", err, out)
	}
	t.Logf("migrate-store:\n%s", out)
	if !strings.Contains(string(out), ": 20 pending deliveries will be sent") {
		t.Fatalf("migrate-store does not name 20 pending deliveries:\n%s", out)
	}

	working := faketelegram.New(t, faketelegram.Config{Chats: []faketelegram.Chat{{ID: replicaChat}}})
	pgCfg := writeConfig(t, t.TempDir(), "127.0.0.1:0", "5s", fmt.Sprintf(`storage:
  driver: postgres
  dsn: %q
  lease_duration: 3s
telegram:
  bot_token: %s
  api_url: %s
  mode: off
%s`, dsn, working.Token(), working.URL(), channel))
	startReplica(t, bin, pgCfg, "postgres")
	waitAlerts(t, working, inst, want, 60*time.Second)
	settle()
	checkExactlyOnce(t, working.Messages(), inst, want)
	if n := len(broken.Messages()); n != 0 {
		t.Errorf("the broken chat has %d messages", n)
	}
}
