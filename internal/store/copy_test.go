package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/realpg"
)

// TestPostgresCopyFromSQLite moves a SQLite store with pending and sent
// deliveries, bot state and history to an empty PostgreSQL database: the
// pending deliveries are ready there as they were, the notifications'
// repeats are still recognised, the bot keeps its key, subscriptions and
// acks, the history reads the same, new rows get new ids; a second copy
// into the now non-empty database is refused.
func TestPostgresCopyFromSQLite(t *testing.T) {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	src, err := Open(ctx, filepath.Join(t.TempDir(), "herald.db"), Options{}, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	ops := alert.Target{Channel: "ops", SendResolved: true}
	var notes []*alert.Notification
	for i := range 30 {
		n := notification("firing", mkAlert(fmt.Sprintf("fp%02d", i), "firing", t0))
		notes = append(notes, n)
		ingest(t, src, n, t0, ops)
	}
	// Ten are sent (one folded message), with its message references.
	sent, err := src.Ready(ctx, "ops", t0.Add(time.Hour), 10)
	if err != nil || len(sent) != 10 {
		t.Fatalf("Ready = %d, %v", len(sent), err)
	}
	if err := src.Record(ctx, Outcome{Deliveries: sent, State: StateSent, At: t0, Refs: []notify.Ref{{Part: 0, ChatID: "c", MessageID: "m1", Folded: true}}}); err != nil {
		t.Fatal(err)
	}
	sub, err := src.AddSubscription(ctx, Subscription{ChatID: -100, Kind: SubscriptionMatchers, Expr: `severity="critical"`, CreatedBy: 7})
	if err != nil {
		t.Fatal(err)
	}
	key, err := src.BotKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Ack(ctx, AckRequest{Fingerprint: "fp03", StartsAt: t0, By: "@sre"}); err != nil {
		t.Fatal(err)
	}
	if err := src.SetBotState(ctx, "offset", "42"); err != nil {
		t.Fatal(err)
	}
	writeSamples(t, src, cpu("a", t0, 1), cpu("a", t0.Add(time.Minute), 2))
	pendingBefore, err := src.Ready(ctx, "ops", t0.Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}

	dst, err := OpenPostgres(ctx, realpg.Shared(t).NewDatabase(t), Options{}, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	rep, err := src.CopyTo(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pending != 20 {
		t.Errorf("report: %d pending, want 20", rep.Pending)
	}
	rows := map[string]int64{}
	for _, r := range rep.Rows {
		rows[r.Table] = r.Rows
	}
	if rows["deliveries"] != 30 || rows["sent_messages"] != 10 || rows["bot_subscriptions"] != 1 || rows["history_raw"] != 2 {
		t.Errorf("report: %v", rows)
	}

	pending, err := dst.Ready(ctx, "ops", t0.Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != len(pendingBefore) {
		t.Fatalf("pending after the copy: %d, want %d", len(pending), len(pendingBefore))
	}
	for i := range pending {
		a, b := pending[i], pendingBefore[i]
		if a.ID != b.ID || a.Fingerprint != b.Fingerprint || !a.StartsAt.Equal(b.StartsAt) || a.Alert.Labels["instance"] != b.Alert.Labels["instance"] ||
			a.Common.Receiver != b.Common.Receiver {
			t.Errorf("pending %d: %+v, want %+v", i, a, b)
		}
	}
	refs, err := dst.FiringRefs(ctx, "ops", "fp00", t0)
	if err != nil || len(refs) != 1 || refs[0].MessageID != "m1" || !refs[0].Folded {
		t.Errorf("FiringRefs = %+v, %v", refs, err)
	}
	// A repeat of every notification is still a duplicate.
	for _, n := range notes {
		if res := ingest(t, dst, n, t0.Add(time.Minute), ops); res.Deliveries != 0 {
			t.Fatalf("a repeat after the copy created %d deliveries", res.Deliveries)
		}
	}
	// New rows get new ids.
	res := ingest(t, dst, notification("firing", mkAlert("new", "firing", t0)), t0.Add(time.Minute), ops)
	if res.Deliveries != 1 {
		t.Fatalf("a new alert after the copy: %+v", res)
	}
	subs, err := dst.AllSubscriptions(ctx)
	if err != nil || len(subs) != 1 || subs[0].ID != sub.ID || subs[0].Expr != sub.Expr {
		t.Errorf("subscriptions = %+v, %v", subs, err)
	}
	if _, err := dst.AddSubscription(ctx, Subscription{ChatID: -100, Kind: SubscriptionRegexp, Expr: "x", CreatedBy: 7}); err != nil {
		t.Errorf("a new subscription after the copy: %v", err)
	}
	if k, err := dst.BotKey(ctx); err != nil || !bytes.Equal(k, key) {
		t.Errorf("bot key changed: %v", err)
	}
	if by, _, ok, err := dst.Acked(ctx, "fp03", t0); err != nil || !ok || by != "@sre" {
		t.Errorf("ack = %q %v %v", by, ok, err)
	}
	if v, ok, err := dst.BotState(ctx, "offset"); err != nil || !ok || v != "42" {
		t.Errorf("bot state = %q %v %v", v, ok, err)
	}
	latest, err := dst.Latest(ctx, "cpu", nil)
	if err != nil || len(latest) != 1 || latest[0].V != 2 {
		t.Errorf("history latest = %+v, %v", latest, err)
	}

	if _, err := src.CopyTo(ctx, dst); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("a copy into a database with alerts: %v, want ErrNotEmpty", err)
	}
}
