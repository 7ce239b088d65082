package bot_test

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

var (
	ivan   = faketelegram.User{ID: 201, Username: "ivan", FirstName: "Иван", LanguageCode: "ru"}
	oksana = faketelegram.User{ID: 202, FirstName: "Оксана", LanguageCode: "uk"}
	li     = faketelegram.User{ID: 203, FirstName: "李", LanguageCode: "zh-hans"}
	hans   = faketelegram.User{ID: 204, FirstName: "Hans", LanguageCode: "de"}
	nolang = faketelegram.User{ID: 205, FirstName: "Nobody", LanguageCode: "-"}
)

func TestLanguages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.cfg.Telegram.AllowedUsers = append(e.cfg.Telegram.AllowedUsers, "201", "202", "203", "204", "205")
	e.start()

	for _, c := range []struct {
		user faketelegram.User
		help string
	}{{ivan, "<b>Алерты</b>"}, {oksana, "<b>Алерти</b>"}, {li, "<b>告警</b>"}, {hans, "<b>Alerts</b>"}, {nolang, "<b>Alerts</b>"}} {
		got := e.ask(c.user.ID, c.user, "/help")
		if !strings.HasPrefix(got, c.help) {
			t.Errorf("%s (%q): /help %.40q, want it to start with %q", c.user.FirstName, c.user.LanguageCode, got, c.help)
		}
	}
	mustContain(t, "Ivan's /start", e.ask(ivan.ID, ivan, "/start"), "Привет", "<code>201</code>")

	if got := e.ask(ivan.ID, ivan, "/lang zh"); got != "我将在本聊天中使用简体中文。" {
		t.Errorf("/lang zh: %q", got)
	}
	if got := e.ask(ivan.ID, ivan, "/help"); !strings.HasPrefix(got, "<b>告警</b>") {
		t.Errorf("after /lang zh: %.40q", got)
	}
	if got := e.ask(ivan.ID, ivan, "/lang auto"); got != "В этом чате я буду говорить по-русски." {
		t.Errorf("/lang auto: %q", got)
	}
	if got := e.ask(ivan.ID, ivan, "/help"); !strings.HasPrefix(got, "<b>Алерты</b>") {
		t.Errorf("after /lang auto: %.40q", got)
	}
	for _, bad := range []string{"/lang de", "/lang zh-tw", "/lang", "/lang en ru"} {
		if got := e.ask(ivan.ID, ivan, bad); got != "Языки: en, ru, uk, zh или auto (у каждого пользователя — язык его Telegram)." {
			t.Errorf("%s: %q", bad, got)
		}
	}

	// A group's language is a change: admins only; then everyone gets it.
	if got := e.ask(groupID, bob, "/lang ru"); got != "Only the bot's admins can do that here." {
		t.Errorf("Bob's /lang in the group: %q", got)
	}
	if got := e.ask(groupID, alice, "/lang uk"); got != "У цьому чаті я говоритиму українською." {
		t.Errorf("Alice's /lang uk: %q", got)
	}
	for _, u := range []faketelegram.User{bob, ivan, li} {
		if got := e.ask(groupID, u, "/help"); !strings.HasPrefix(got, "<b>Алерти</b>") {
			t.Errorf("%s in the group: %.40q", u.FirstName, got)
		}
	}
	// The alert buttons of that chat speak its language.
	msg := e.alertMessage(groupID, "ops", diskFull(e.clock), "")
	if got := e.keyboard(groupID, msg); !slices.Contains(got[0], "✅ Підтвердити") {
		t.Errorf("keyboard %v", got)
	}
	ans, _ := e.press(groupID, msg, bob, "✅ Підтвердити")
	if ans.Text != "Тут це можуть робити лише адміністратори бота." {
		t.Errorf("Bob's ack in Ukrainian: %q", ans.Text)
	}
	// The group's language does not leak into private chats.
	if got := e.ask(bobID, bob, "/help"); !strings.HasPrefix(got, "<b>Alerts</b>") {
		t.Errorf("Bob in private: %.40q", got)
	}
}

func TestDefaultLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.cfg.Telegram.Language = "zh"
	e.cfg.Telegram.AllowedUsers = append(e.cfg.Telegram.AllowedUsers, "204", "201")
	e.start()
	if got := e.ask(hans.ID, hans, "/help"); !strings.HasPrefix(got, "<b>告警</b>") {
		t.Errorf("a German speaker with telegram.language zh: %.40q", got)
	}
	if got := e.ask(ivan.ID, ivan, "/help"); !strings.HasPrefix(got, "<b>Алерты</b>") {
		t.Errorf("a Russian speaker: %.40q", got)
	}
}

// TestButtonAnswersInEveryLanguage: a button's answer is plain text of at
// most 200 characters; the refusal, the longest, arrives whole and valid
// in every language.
func TestButtonAnswersInEveryLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t).start()
	msg := e.alertMessage(otherGroup, "ops", diskFull(e.clock), "")
	want := map[string]string{
		"en": "Sorry, this bot only answers the people it was set up for. Your Telegram user id is 31: an admin can add it to telegram.allowed_users.",
		"ru": "Извините, этот бот отвечает только тем, для кого он настроен. Ваш Telegram user id: 31. Администратор может добавить его в telegram.allowed_users.",
		"uk": "Вибачте, цей бот відповідає лише тим, для кого його налаштовано. Ваш Telegram user id: 31. Адміністратор може додати його до telegram.allowed_users.",
		"zh": "抱歉，此机器人只回复为其配置的用户。你的 Telegram 用户 ID 是 31，管理员可将其加入 telegram.allowed_users。",
	}
	for lang, text := range want {
		stranger := faketelegram.User{ID: 31, FirstName: "Stranger", LanguageCode: lang}
		e.tg.AddUser(stranger)
		ans, _ := e.press(otherGroup, msg, stranger, "✅ Ack")
		if ans.Text != text || !utf8.ValidString(ans.Text) || !ans.ShowAlert {
			t.Errorf("%s: %q, want %q", lang, ans.Text, text)
		}
	}
}
