package bot_test

import (
	"slices"
	"strconv"
	"testing"

	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

// commandMenu is the menu's order, as the bot registers it.
var commandMenu = []string{"alerts", "subscribe", "subscriptions", "unsubscribe", "silence", "silences", "unsilence",
	"graph", "chart", "hour", "day", "week", "dashboards", "containers", "lang", "help", "start"}

func TestStartRegistersTheBot(t *testing.T) {
	t.Parallel()
	e := newEnv(t).start()

	if got := e.tg.Calls("getMe"); len(got) != 1 || !got[0].OK {
		t.Errorf("getMe calls %+v, want one that worked", got)
	}
	if got := e.tg.Calls("deleteWebhook"); len(got) != 1 || got[0].Params["drop_pending_updates"] == "true" {
		t.Errorf("deleteWebhook calls %+v, want one that keeps pending updates", got)
	}
	set := e.tg.Calls("setMyCommands")
	if len(set) != 4 {
		t.Fatalf("%d setMyCommands calls, want 4 (en, ru, uk, zh)", len(set))
	}
	if _, ok := set[0].Params["language_code"]; ok || !set[0].OK {
		t.Errorf("the English menu is everyone's: want no language_code, got %+v", set[0])
	}
	en := e.tg.Commands(faketelegram.CommandScope{Type: "default"})
	if names := commandNames(en); !slices.Equal(names, commandMenu) {
		t.Errorf("English menu %v, want %v", names, commandMenu)
	}
	for i, lang := range []string{"ru", "uk", "zh"} {
		if got := set[i+1].Params["language_code"]; got != lang || !set[i+1].OK {
			t.Errorf("setMyCommands %d: language_code %q (ok %v), want %q", i+1, got, set[i+1].OK, lang)
		}
		menu := e.tg.Commands(faketelegram.CommandScope{Type: "default", Language: lang})
		if names := commandNames(menu); !slices.Equal(names, commandMenu) {
			t.Errorf("%s menu %v, want %v", lang, names, commandMenu)
		}
		for j := range menu {
			if menu[j].Description == en[j].Description {
				t.Errorf("%s menu: /%s is described in English: %q", lang, menu[j].Command, menu[j].Description)
			}
		}
	}
}

func commandNames(cmds []faketelegram.BotCommand) []string {
	var out []string
	for _, c := range cmds {
		out = append(out, c.Command)
	}
	return out
}

func TestStartHelpAndUnknownCommands(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.routes.set(groupID, "a", "ops", "ops-critical")
	e.start()

	private := e.ask(bobID, bob, "/start")
	mustContain(t, "/start in private", private, "Herald", "<code>200</code>", "nothing yet")
	group := e.ask(groupID, bob, "/start")
	mustContain(t, "/start in the group", group, "<code>"+strconv.FormatInt(groupID, 10)+"</code>", "the channels ops, ops-critical")

	help := e.ask(bobID, bob, "/help")
	mustContain(t, "/help", help, "/subscribe", "/silence", "/graph", "/dashboards", "/lang", "<code>/silence alertname=")
	if upper := e.ask(bobID, bob, "/HELP"); upper != help {
		t.Errorf("/HELP %q, want the help", upper)
	}
	unknown := e.ask(bobID, bob, "/frobnicate now")
	mustContain(t, "an unknown command", unknown, "/help")
	if len(unknown) > 200 {
		t.Errorf("the answer to an unknown command is not short: %q", unknown)
	}
	if got := e.say(bobID, bob, "hello, bot"); len(got) != 0 {
		t.Errorf("plain text answered with %+v", got)
	}
}

func TestEditedCommandRuns(t *testing.T) {
	t.Parallel()
	e := newEnv(t).start()
	n := len(e.tg.Calls())
	_, msg, err := e.tg.PushIncoming(faketelegram.Incoming{Chat: bobID, From: bob, Text: "/hlep"})
	if err != nil {
		t.Fatal(err)
	}
	e.handled()
	mustContain(t, "the typo", replies(e.since(n))[0], "I do not know that command")
	n = len(e.tg.Calls())
	if _, err := e.tg.PushEdited(bobID, msg, "/help"); err != nil {
		t.Fatal(err)
	}
	e.handled()
	got := replies(e.since(n))
	if len(got) != 1 {
		t.Fatalf("the edited command got %d replies, want 1: %q", len(got), got)
	}
	mustContain(t, "the edited command", got[0], "/subscribe", "/silence")
}

func TestStrangersGetOneRefusal(t *testing.T) {
	t.Parallel()
	e := newEnv(t).start()

	refusal := e.ask(eveID, eve, "/start")
	mustContain(t, "the refusal", refusal, "<code>300</code>", "allowed_users")
	for _, text := range []string{"/help", "/start", "/subscribe Disk"} {
		if got := e.say(eveID, eve, text); len(got) != 0 {
			t.Errorf("the stranger's second %q was answered: %+v", text, got)
		}
	}
	e.restart()
	if got := e.say(eveID, eve, "/start"); len(got) != 0 {
		t.Errorf("after a restart the stranger was answered again: %+v", got)
	}
	// Everyone in an allowed chat may use the bot there.
	mustContain(t, "the stranger in the allowed group", e.ask(groupID, eve, "/help"), "/subscribe")
	// In a group the bot is not set up for, it is the person who counts.
	mustContain(t, "Bob in another group", e.ask(otherGroup, bob, "/help"), "/subscribe")
	refusal = e.ask(otherGroup, faketelegram.User{ID: 301, FirstName: "Mallory"}, "/alerts")
	mustContain(t, "a second stranger", refusal, "<code>301</code>")
}

func TestBotsAndOtherBotsCommandsAreIgnored(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.cfg.Telegram.Admins = append(e.cfg.Telegram.Admins, strconv.Itoa(robotID))
	e.start()

	// Another bot, even one on the admin list, is never answered.
	for _, text := range []string{"/start", "/help", "/alerts"} {
		if got := e.say(groupID, robot, text); len(got) != 0 {
			t.Errorf("a bot's %q was answered: %+v", text, got)
		}
	}
	if got := e.say(groupID, bob, "/start@OtherBot"); len(got) != 0 {
		t.Errorf("a command for another bot was answered: %+v", got)
	}
	if got := e.say(groupID, eve, "/help@OtherBot"); len(got) != 0 {
		t.Errorf("a stranger's command for another bot was answered: %+v", got)
	}
	mustContain(t, "a command with the bot's name", e.ask(groupID, bob, "/help@"+botName), "/subscribe")
	mustContain(t, "the bot's name in other case", e.ask(groupID, bob, "/help@Herald_Fake_Bot"), "/subscribe")
}
