package store

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
)

func TestBotState(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "h.db")
	s := openTest(t, path)
	ctx := context.Background()
	if v, ok, err := s.BotState(ctx, "telegram.offset"); v != "" || ok || err != nil {
		t.Fatalf("unset key: %q %v %v", v, ok, err)
	}
	for _, v := range []string{"100", "101"} {
		if err := s.SetBotState(ctx, "telegram.offset", v); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetBotState(ctx, "", "x"); err == nil {
		t.Fatal("an empty key was accepted")
	}
	s.Close()
	s = openTest(t, path)
	if v, ok, err := s.BotState(ctx, "telegram.offset"); v != "101" || !ok || err != nil {
		t.Fatalf("after reopen: %q %v %v, want the last value", v, ok, err)
	}
}

// TestMarkUpdate checks that an update is handled once, even when the same
// update arrives on several connections at the same moment.
func TestMarkUpdate(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	ctx := context.Background()
	var wg sync.WaitGroup
	firsts := make(chan int64, 100)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := int64(1000 + i%10)
			first, err := s.MarkUpdate(ctx, id)
			if err != nil {
				t.Error(err)
			}
			if first {
				firsts <- id
			}
		}()
	}
	wg.Wait()
	close(firsts)
	seen := map[int64]bool{}
	for id := range firsts {
		if seen[id] {
			t.Errorf("update %d was first twice", id)
		}
		seen[id] = true
	}
	if len(seen) != 10 {
		t.Fatalf("%d updates were first, want 10", len(seen))
	}
	if first, _ := s.MarkUpdate(ctx, 1000); first {
		t.Fatal("a redelivered update was first")
	}
}

func TestBotKey(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "h.db")
	s := openTest(t, path)
	ctx := context.Background()
	keys := make([][]byte, 20)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if keys[i], err = s.BotKey(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	k := keys[0]
	if len(k) != BotKeySize || bytes.Equal(k, make([]byte, BotKeySize)) {
		t.Fatalf("key %x", k)
	}
	for _, o := range keys {
		if !bytes.Equal(o, k) {
			t.Fatalf("concurrent first calls got different keys: %x and %x", k, o)
		}
	}
	s.Close()
	s = openTest(t, path)
	if again, err := s.BotKey(ctx); err != nil || !bytes.Equal(again, k) {
		t.Fatalf("after reopen: %x %v, want the same key", again, err)
	}
	if other, _ := openTest(t, "").BotKey(ctx); bytes.Equal(other, k) {
		t.Fatal("two databases made the same key")
	}
}

func TestChatLanguage(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	ctx := context.Background()
	if l, ok, err := s.ChatLanguage(ctx, -100); l != "" || ok || err != nil {
		t.Fatalf("unset: %q %v %v", l, ok, err)
	}
	for _, l := range []string{"ru", "uk"} {
		if err := s.SetChatLanguage(ctx, -100, l); err != nil {
			t.Fatal(err)
		}
	}
	if l, ok, _ := s.ChatLanguage(ctx, -100); l != "uk" || !ok {
		t.Fatalf("got %q %v, want uk", l, ok)
	}
	if l, ok, _ := s.ChatLanguage(ctx, 42); ok {
		t.Fatalf("another chat has %q", l)
	}
	if err := s.SetChatLanguage(ctx, -100, ""); err != nil {
		t.Fatal(err)
	}
	if l, ok, _ := s.ChatLanguage(ctx, -100); ok {
		t.Fatalf("after clearing: %q", l)
	}
}

// TestBotWritesRefusedWhenDamaged checks that bot writes take the store's
// write path: refused once the file is known damaged.
func TestBotWritesRefusedWhenDamaged(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	s.health.mu.Lock()
	s.health.damaged = errors.New("database disk image is malformed")
	s.health.mu.Unlock()
	ctx := context.Background()
	for name, err := range map[string]error{
		"MarkUpdate":   func() error { _, err := s.MarkUpdate(ctx, 1); return err }(),
		"SetBotState":  s.SetBotState(ctx, "k", "v"),
		"SaveButton":   func() error { _, err := s.SaveButton(ctx, Button{ExpiresAt: t0}); return err }(),
		"RecordAction": s.RecordAction(ctx, Action{Kind: "x"}),
		"Ack":          func() error { _, err := s.Ack(ctx, AckRequest{Fingerprint: "a", StartsAt: t0, By: "@x"}); return err }(),
		"SetChatLang":  s.SetChatLanguage(ctx, 1, "en"),
		"AddSubscribe": func() error {
			_, err := s.AddSubscription(ctx, Subscription{ChatID: 1, Kind: "regexp", Expr: "x"})
			return err
		}(),
		"DeleteSubscrs": func() error { _, err := s.DeleteSubscriptions(ctx, 1); return err }(),
	} {
		if !errors.Is(err, ErrDamaged) {
			t.Errorf("%s: %v, want ErrDamaged", name, err)
		}
	}
}
