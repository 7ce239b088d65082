package bot_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/telegram"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

// TestRestartContinuesFromTheStoredOffset stops the bot between updates:
// a new bot on the same store asks for what came after the last update
// handled, and handles nothing twice.
func TestRestartContinuesFromTheStoredOffset(t *testing.T) {
	t.Parallel()
	e := newEnv(t).start()
	e.say(bobID, bob, "/help")
	e.say(bobID, bob, "/start")
	offset, ok, err := e.store.BotState(ctx(t), "telegram.offset")
	if err != nil || !ok {
		t.Fatalf("no stored offset after two updates: %v", err)
	}
	e.stop()

	// Updates that arrive while Herald is down wait for the next run.
	first, _, err := e.tg.PushIncoming(faketelegram.Incoming{Chat: bobID, From: bob, Text: "/lang ru"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.tg.PushIncoming(faketelegram.Incoming{Chat: bobID, From: bob, Text: "/subscriptions"}); err != nil {
		t.Fatal(err)
	}
	if strconv.FormatInt(first, 10) != offset {
		t.Fatalf("stored offset %s, want the next update's id %d", offset, first)
	}
	n := len(e.tg.Calls())
	e.restart()
	e.handled()
	// Only the very first poll of the first bot starts without an offset;
	// the new bot's first asks for the stored one.
	fromStart, fromStored := 0, 0
	for _, c := range e.tg.Calls("getUpdates") {
		switch c.Params["offset"] {
		case "", "0":
			fromStart++
		case offset:
			fromStored++
		}
	}
	if fromStart != 1 || fromStored == 0 {
		t.Errorf("%d polls without an offset (want 1), %d with the stored offset %s (want some)", fromStart, fromStored, offset)
	}
	got := replies(e.since(n))
	if len(got) != 2 {
		t.Fatalf("after the restart %d replies, want 2 (the updates that came while down): %q", len(got), got)
	}
	mustContain(t, "/lang ru", got[0], "по-русски")
	sent := replies(e.tg.Calls())
	if len(sent) != 4 {
		t.Errorf("%d replies in all, want 4 (two before, two after the restart): %q", len(sent), sent)
	}

	// Telegram delivering an update again (a repeated poll after a
	// crash, a webhook retried) changes nothing.
	n = len(e.tg.Calls())
	again := telegram.Update{UpdateID: first, Message: &telegram.Message{MessageID: 1, Date: time.Now().Unix(),
		Chat: telegram.Chat{ID: bobID, Type: "private"}, From: &telegram.User{ID: bobID, Username: "bob", FirstName: "Bob"},
		Text: "/lang en"}}
	if err := e.bot.Handle(ctx(t), again); err != nil {
		t.Fatal(err)
	}
	if got := e.since(n); len(got) != 0 {
		t.Errorf("an update handled before was handled again: %+v", got)
	}
	if got := e.ask(bobID, bob, "/help"); !strings.Contains(got, "<b>Алерты</b>") {
		t.Errorf("the repeated /lang en changed the language: %q", got)
	}
}

// TestIdlePollsDoNotBackOff: a poll that times out with nothing new is
// not a failure; the bot asks again at once.
func TestIdlePollsDoNotBackOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.cfg.Telegram.PollTimeout = config.Duration(time.Second)
	e.start()
	polls, err := e.tg.WaitCalls("getUpdates", 3, wait)
	if err != nil {
		t.Fatal(err)
	}
	// Two more empty polls of a second each end about 2s after the first;
	// a backoff after each would add 1s, then 2s.
	if gap := polls[2].At.Sub(polls[0].At); gap > 3500*time.Millisecond {
		t.Errorf("two idle polls ended %v after the first, want about 2s: no backoff", gap)
	}
	if strings.Contains(e.logs.String(), "cannot record an update") {
		t.Errorf("an empty poll was taken for a failed update:\n%s", e.logs.String())
	}
	e.stop()
}

// TestUnrecordedUpdateIsAskedForAgain: when the store cannot record an
// update, the bot does not handle it and asks Telegram for it again.
func TestUnrecordedUpdateIsAskedForAgain(t *testing.T) {
	t.Parallel()
	e := newEnv(t).start()
	e.say(bobID, bob, "/help")
	polls := len(e.tg.Calls("getUpdates"))
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	update, _, err := e.tg.PushIncoming(faketelegram.Incoming{Chat: bobID, From: bob, Text: "/start"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.tg.WaitCalls("getUpdates", polls+2, wait)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range got[polls : polls+2] {
		if c.Params["offset"] != strconv.FormatInt(update, 10) {
			t.Errorf("poll with offset %s, want %d (the unrecorded update again)", c.Params["offset"], update)
		}
	}
	if sent := e.tg.Calls("sendMessage"); len(sent) != 1 {
		t.Errorf("%d replies, want only the one before the store failed", len(sent))
	}
	mustContain(t, "the log", e.logs.String(), "cannot record an update")
}
