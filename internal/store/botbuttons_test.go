package store

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil"
)

func TestButtons(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "h.db")
	s := openTest(t, path)
	ctx := context.Background()
	in := Button{Kind: "alert", ChatID: -100, Data: []byte(`{"fp":"a"}`), ExpiresAt: t0.Add(time.Hour)}
	id, err := s.SaveButton(ctx, in)
	if err != nil || id <= 0 {
		t.Fatalf("save: %d %v", id, err)
	}
	other, err := s.SaveButton(ctx, Button{Kind: "page", ChatID: -100, ExpiresAt: t0.Add(time.Hour)})
	if err != nil || other == id {
		t.Fatalf("second save: %d %v", other, err)
	}
	if err := s.SetButtonMessage(ctx, []int64{id, other}, 555); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = openTest(t, path)
	got, err := s.Button(ctx, id)
	if err != nil || got.Kind != "alert" || got.ChatID != -100 || got.MessageID != 555 ||
		!bytes.Equal(got.Data, in.Data) || !got.ExpiresAt.Equal(in.ExpiresAt) {
		t.Fatalf("after reopen: %+v %v, want %+v on message 555", got, err, in)
	}
	if got, err := s.Button(ctx, other); err != nil || len(got.Data) != 0 || got.MessageID != 555 {
		t.Fatalf("button without data: %+v %v", got, err)
	}
	if _, err := s.Button(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown button: %v, want ErrNotFound", err)
	}
	// An unknown id is reported; the known ones are set all the same.
	err = s.SetButtonMessage(ctx, []int64{id, 999}, 556)
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "999") {
		t.Fatalf("SetButtonMessage with an unknown id: %v", err)
	}
	if got, _ := s.Button(ctx, id); got.MessageID != 556 {
		t.Fatalf("message id %d, want 556", got.MessageID)
	}
	if err := s.SetButtonMessage(ctx, nil, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveButton(ctx, Button{Kind: "alert"}); err == nil {
		t.Fatal("a button without expiry was saved")
	}
}

// TestButtonIDsNotReused checks that a pruned button's id is never given
// again: an old keyboard must not reach a newer button's state.
func TestButtonIDsNotReused(t *testing.T) {
	t.Parallel()
	s := openTest(t, "")
	ctx := context.Background()
	var last int64
	for range 3 {
		id, err := s.SaveButton(ctx, Button{Kind: "k", ExpiresAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		last = id
	}
	if p, err := s.prune(ctx, t0, t0.Add(ButtonGrace+time.Second)); err != nil || p.Buttons != 3 {
		t.Fatalf("pruned %+v %v, want 3 buttons", p, err)
	}
	id, err := s.SaveButton(ctx, Button{Kind: "k", ExpiresAt: t0})
	if err != nil || id <= last {
		t.Fatalf("id after pruning %d (%v), want more than %d", id, err, last)
	}
}

// TestBotWriteDiskFull checks that a bot write that meets a full disk
// makes the store not ready, like an ingest does.
func TestBotWriteDiskFull(t *testing.T) {
	dir := testutil.Tmpfs(t, 4<<20)
	s, err := Open(context.Background(), filepath.Join(dir, "herald.db"), Options{ProbeEvery: time.Nanosecond},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	free := testutil.FillDisk(t, dir)
	var saveErr error
	for i := 0; i < 50 && saveErr == nil; i++ {
		_, saveErr = s.SaveButton(ctx, Button{Kind: "k", Data: bytes.Repeat([]byte("z"), 8000), ExpiresAt: t0})
	}
	if saveErr == nil || !s.eng.fault(saveErr) || !strings.HasPrefix(saveErr.Error(), "save button: ") {
		t.Fatalf("SaveButton on a full disk: %v, want a storage fault", saveErr)
	}
	if err := s.Ping(ctx); err == nil || !strings.Contains(err.Error(), "cannot write the database") {
		t.Fatalf("Ping = %v, want not ready", err)
	}
	free()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping after space came back: %v", err)
	}
	if _, err := s.SaveButton(ctx, Button{Kind: "k", ExpiresAt: t0}); err != nil {
		t.Fatal(err)
	}
}
