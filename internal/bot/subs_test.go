package bot_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

func TestSubscriptions(t *testing.T) {
	t.Parallel()
	e := newEnv(t).start()
	stored := func(chat int64) []store.Subscription {
		t.Helper()
		subs, err := e.store.Subscriptions(ctx(t), chat)
		if err != nil {
			t.Fatal(err)
		}
		return subs
	}
	changes := func(want int32) {
		t.Helper()
		if got := e.subscribed.Load(); got != want {
			t.Errorf("Options.Subscribed called %d times, want %d", got, want)
		}
	}

	mustContain(t, "no subscriptions", e.ask(bobID, bob, "/subscriptions"), "no subscriptions", "/subscribe")
	mustContain(t, "matchers", e.ask(bobID, bob, `/subscribe severity="critical", job=~"node.*"`),
		"(#1)", `<code>{severity=&#34;critical&#34;, job=~&#34;node.*&#34;}</code>`)
	changes(1)
	mustContain(t, "a regexp", e.ask(bobID, bob, "/subscribe Disk"), "(#2)", "<code>Disk</code>")
	mustContain(t, "/regexp", e.ask(bobID, bob, "/regexp ^Node(Load|CPU)$"), "(#3)", "<code>^Node(Load|CPU)$</code>")
	changes(3)
	if subs := stored(bobID); len(subs) != 3 || subs[0].Kind != "matchers" || subs[1].Kind != "regexp" ||
		subs[1].Expr != "Disk" || subs[2].Kind != "regexp" || subs[0].CreatedBy != bobID {
		t.Errorf("stored %+v", subs)
	}

	for _, bad := range []string{`/subscribe severity="critical", job=~"(node"`, `/subscribe Disk, severity=critical`,
		"/regexp Disk(", "/subscribe", "/unsubscribe", "/unsubscribe two"} {
		got := e.ask(bobID, bob, bad)
		mustContain(t, bad, got, "Example: <code>/")
	}
	if got := e.ask(bobID, bob, "/subscribe Disk"); got != "This chat already has that subscription." {
		t.Errorf("duplicate: %q", got)
	}
	changes(3)
	if subs := stored(bobID); len(subs) != 3 {
		t.Errorf("refused subscriptions were stored: %+v", subs)
	}

	list := e.ask(bobID, bob, "/subscriptions")
	mustContain(t, "the list", list, "1. <code>{severity=", "2. <code>Disk</code> (regexp)", "3. <code>^Node(Load|CPU)$</code> (regexp)")
	if alias := e.ask(bobID, bob, "/list"); alias != list {
		t.Errorf("/list %q, want /subscriptions' %q", alias, list)
	}
	mustContain(t, "/start", e.ask(bobID, bob, "/start"), "3 subscription(s)")

	mustContain(t, "/unsubscribe 2", e.ask(bobID, bob, "/unsubscribe 2"), "#2")
	changes(4)
	mustContain(t, "/unsubscribe 3", e.ask(bobID, bob, "/unsubscribe 3"), "no subscription #3")
	if subs := stored(bobID); len(subs) != 2 || subs[1].Expr != "^Node(Load|CPU)$" {
		t.Errorf("after /unsubscribe 2: %+v", subs)
	}

	// Someone else's chat is not touched.
	mustContain(t, "Alice's own", e.ask(aliceID, alice, "/subscribe Disk"), "(#1)")
	changes(5)

	// In a group only admins change subscriptions; everyone may list them.
	for _, text := range []string{"/subscribe Disk", "/unsubscribe all", "/regexp Disk"} {
		if got := e.ask(groupID, bob, text); got != "Only the bot's admins can do that here." {
			t.Errorf("Bob's %q in the group: %q", text, got)
		}
	}
	if subs := stored(groupID); len(subs) != 0 {
		t.Errorf("a refused change was stored: %+v", subs)
	}
	mustContain(t, "Alice in the group", e.ask(groupID, alice, "/subscribe team=\"db\""), "(#1)")
	mustContain(t, "Bob lists the group's", e.ask(groupID, bob, "/subscriptions"), `1. <code>{team=&#34;db&#34;}</code>`)
	changes(6)

	e.restart()
	want := "<b>Subscriptions of this chat</b>\n1. <code>{severity=&#34;critical&#34;, job=~&#34;node.*&#34;}</code>\n" +
		"2. <code>^Node(Load|CPU)$</code> (regexp)"
	if got := e.ask(bobID, bob, "/subscriptions"); got != want {
		t.Errorf("after the restart: %q, want %q", got, want)
	}
	mustContain(t, "/unsubscribe all", e.ask(bobID, bob, "/unsubscribe all"), "Removed 2 subscription(s)")
	changes(7)
	if subs := stored(bobID); len(subs) != 0 {
		t.Errorf("after /unsubscribe all: %+v", subs)
	}
	if subs := stored(aliceID); len(subs) != 1 {
		t.Errorf("Bob's /unsubscribe all removed Alice's: %+v", subs)
	}
	actions, err := e.store.Actions(ctx(t), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(actions) != 7 {
		t.Errorf("%d changes recorded, want 7: %+v", len(actions), actions)
	}
}

// TestManySubscriptionsFitOneMessage: long subscriptions (a regexp may be
// 512 characters) still list in one message Telegram takes.
func TestManySubscriptionsFitOneMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t).start()
	for i := range 12 {
		long := fmt.Sprintf("^(%02d", i) + strings.Repeat("|SomeRatherLongAlertName", 20) + ")$"
		mustContain(t, "a long subscription", e.ask(bobID, bob, "/regexp "+long), fmt.Sprintf("(#%d)", i+1))
	}
	sent := only(e.say(bobID, bob, "/subscriptions"), "sendMessage")
	if len(sent) != 1 || !sent[0].OK {
		t.Fatalf("/subscriptions: %+v", sent)
	}
	text := sent[0].Params["text"]
	mustContain(t, "the list", text, "1. <code>^(00", "… +")
	if plain, err := faketelegram.ParseHTML(text); err != nil || faketelegram.UTF16Len(plain) > faketelegram.MaxTextLength {
		t.Errorf("%d characters (%v)", faketelegram.UTF16Len(plain), err)
	}
}
