package bot_test

import (
	"testing"
	"time"
)

func TestCommandAllowance(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.cfg.Telegram.CommandsPerMinute = 3
	e.start()

	for range 3 {
		mustContain(t, "a command within the allowance", e.ask(bobID, bob, "/help"), "/subscribe")
	}
	if got := e.ask(bobID, bob, "/help"); got != "Slow down, please: at most 3 commands a minute." {
		t.Errorf("the 4th command: %q", got)
	}
	for _, text := range []string{"/help", "/start", "/subscribe Disk"} {
		if got := e.say(bobID, bob, text); len(got) != 0 {
			t.Errorf("%q over the allowance was answered: %+v", text, got)
		}
	}
	if subs, _ := e.store.Subscriptions(ctx(t), bobID); len(subs) != 0 {
		t.Errorf("a command over the allowance ran: %+v", subs)
	}
	// The allowance is each user's.
	mustContain(t, "Alice meanwhile", e.ask(bobID, alice, "/help"), "/subscribe")
	// Plain text is not a command and costs nothing.
	if got := e.say(bobID, bob, "sorry"); len(got) != 0 {
		t.Errorf("plain text answered: %+v", got)
	}

	e.clock.Add(20 * time.Second) // one command back
	mustContain(t, "after 20s", e.ask(bobID, bob, "/help"), "/subscribe")
	if got := e.ask(bobID, bob, "/help"); got != "Slow down, please: at most 3 commands a minute." {
		t.Errorf("a new shortage is told once more: %q", got)
	}
	if got := e.say(bobID, bob, "/help"); len(got) != 0 {
		t.Errorf("and only once: %+v", got)
	}
	e.clock.Add(time.Minute)
	for range 3 {
		mustContain(t, "a minute later", e.ask(bobID, bob, "/help"), "/subscribe")
	}
}
