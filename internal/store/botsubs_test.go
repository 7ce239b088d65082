package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func subsString(subs []Subscription) string {
	var parts []string
	for _, s := range subs {
		parts = append(parts, fmt.Sprintf("%d:%s:%s", s.ChatID, s.Kind, s.Expr))
	}
	return strings.Join(parts, " ")
}

func TestSubscriptions(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "h.db")
	s := openTest(t, path)
	ctx := context.Background()
	add := func(chat int64, kind, expr string) (Subscription, error) {
		return s.AddSubscription(ctx, Subscription{ChatID: chat, Kind: kind, Expr: expr, CreatedBy: 7, CreatedAt: t0})
	}
	first, err := add(-100, SubscriptionMatchers, `severity="critical"`)
	if err != nil || first.ID == 0 || first.CreatedBy != 7 || !first.CreatedAt.Equal(t0) {
		t.Fatalf("add: %+v %v", first, err)
	}
	for _, c := range []struct {
		chat       int64
		kind, expr string
	}{
		{-100, SubscriptionRegexp, `severity="critical"`}, // same text, other kind
		{-100, SubscriptionMatchers, `team="db"`},
		{42, SubscriptionMatchers, `severity="critical"`}, // same, other chat
	} {
		if _, err := add(c.chat, c.kind, c.expr); err != nil {
			t.Fatalf("add %+v: %v", c, err)
		}
	}
	dup, err := add(-100, SubscriptionMatchers, `severity="critical"`)
	if !errors.Is(err, ErrDuplicateSubscription) || dup.ID != first.ID {
		t.Fatalf("duplicate: %+v %v, want ErrDuplicateSubscription with subscription %d", dup, err, first.ID)
	}

	subs, err := s.Subscriptions(ctx, -100)
	want := `-100:matchers:severity="critical" -100:regexp:severity="critical" -100:matchers:team="db"`
	if err != nil || subsString(subs) != want {
		t.Fatalf("Subscriptions = %s %v, want %s in creation order", subsString(subs), err, want)
	}
	if subs, _ := s.Subscriptions(ctx, 5); len(subs) != 0 {
		t.Fatalf("a chat without subscriptions has %v", subs)
	}

	// Another chat cannot delete this chat's subscription.
	if ok, err := s.DeleteSubscription(ctx, 42, first.ID); ok || err != nil {
		t.Fatalf("delete from another chat: %v %v", ok, err)
	}
	if ok, err := s.DeleteSubscription(ctx, -100, first.ID); !ok || err != nil {
		t.Fatalf("delete: %v %v", ok, err)
	}
	if ok, _ := s.DeleteSubscription(ctx, -100, first.ID); ok {
		t.Fatal("deleted a subscription twice")
	}
	s.Close()

	s = openTest(t, path)
	all, err := s.AllSubscriptions(ctx)
	want = `-100:regexp:severity="critical" -100:matchers:team="db" 42:matchers:severity="critical"`
	if err != nil || subsString(all) != want {
		t.Fatalf("after reopen AllSubscriptions = %s %v, want %s", subsString(all), err, want)
	}
	if n, err := s.DeleteSubscriptions(ctx, -100); n != 2 || err != nil {
		t.Fatalf("DeleteSubscriptions = %d %v, want 2", n, err)
	}
	if n, _ := s.DeleteSubscriptions(ctx, -100); n != 0 {
		t.Fatalf("DeleteSubscriptions again = %d", n)
	}
	if all, _ := s.AllSubscriptions(ctx); subsString(all) != `42:matchers:severity="critical"` {
		t.Fatalf("left %s", subsString(all))
	}
}

func TestAddSubscriptionInvalid(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	for _, c := range []struct {
		sub  Subscription
		want string
	}{
		{Subscription{Kind: SubscriptionMatchers, Expr: "a=b"}, "add subscription: the chat id is missing"},
		{Subscription{ChatID: 1, Kind: "labels", Expr: "a=b"}, `add subscription: kind "labels" is neither "matchers" nor "regexp"`},
		{Subscription{ChatID: 1, Kind: SubscriptionRegexp}, "add subscription: the expression is empty"},
	} {
		t.Run(c.want, func(t *testing.T) {
			if _, err := s.AddSubscription(context.Background(), c.sub); err == nil || err.Error() != c.want {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}

func TestActions(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	ctx := context.Background()
	for i, kind := range []string{"subscribe", "silence", "ack"} {
		a := Action{At: t0.Add(time.Duration(i) * time.Minute), ChatID: -100, UserID: 7, User: "@ops", Kind: kind, Detail: "d"}
		if err := s.RecordAction(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Actions(ctx, 2)
	if err != nil || len(got) != 2 || got[0].Kind != "ack" || got[1].Kind != "silence" {
		t.Fatalf("Actions(2) = %+v %v, want ack and silence", got, err)
	}
	want := Action{At: t0.Add(2 * time.Minute), ChatID: -100, UserID: 7, User: "@ops", Kind: "ack", Detail: "d"}
	if !got[0].At.Equal(want.At) || got[0].User != want.User || got[0].ChatID != want.ChatID || got[0].UserID != want.UserID {
		t.Fatalf("got %+v, want %+v", got[0], want)
	}
	if all, _ := s.Actions(ctx, 0); len(all) != 3 {
		t.Fatalf("Actions(0) returned %d, want all 3", len(all))
	}
	// A zero time is the time of recording.
	before := time.Now()
	if err := s.RecordAction(ctx, Action{Kind: "lang"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Actions(ctx, 1); got[0].Kind != "lang" || got[0].At.Before(before) {
		t.Fatalf("newest %+v", got[0])
	}
}

// The version another replica compares changes with every add and delete,
// also when a delete and an add leave the count as it was.
func TestSubscriptionsVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openTest(t, "")
	seen := map[string]bool{}
	step := func(what string) {
		t.Helper()
		v, err := s.SubscriptionsVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if seen[v] {
			t.Fatalf("after %s the version %q was seen before", what, v)
		}
		seen[v] = true
	}
	step("nothing")
	a, err := s.AddSubscription(ctx, Subscription{ChatID: 1, Kind: SubscriptionMatchers, Expr: `a="1"`, CreatedBy: 9})
	if err != nil {
		t.Fatal(err)
	}
	step("an add")
	if _, err := s.AddSubscription(ctx, Subscription{ChatID: 1, Kind: SubscriptionMatchers, Expr: `b="2"`, CreatedBy: 9}); err != nil {
		t.Fatal(err)
	}
	step("a second add")
	if ok, err := s.DeleteSubscription(ctx, 1, a.ID); err != nil || !ok {
		t.Fatalf("delete: %v %v", ok, err)
	}
	step("a delete")
	if _, err := s.AddSubscription(ctx, Subscription{ChatID: 2, Kind: SubscriptionRegexp, Expr: "x", CreatedBy: 9}); err != nil {
		t.Fatal(err)
	}
	step("an add after a delete")
}
