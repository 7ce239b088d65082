package bot_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald/internal/bot"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/telegram"
	"github.com/heraldhq/herald/internal/testutil"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

// The people and chats of the scenarios. Alice is an admin, Bob may use
// the bot, Eve is a stranger; the group is an allowed chat.
const (
	aliceID = 100
	bobID   = 200
	eveID   = 300
	robotID = 400
	groupID = -1001234567890
	// otherGroup is a group the bot is not set up for.
	otherGroup = -1005
	// botName is the fake's getMe username.
	botName = "herald_fake_bot"
)

var (
	alice = faketelegram.User{ID: aliceID, Username: "alice", FirstName: "Alice"}
	bob   = faketelegram.User{ID: bobID, Username: "bob", FirstName: "Bob"}
	eve   = faketelegram.User{ID: eveID, Username: "eve", FirstName: "Eve"}
	robot = faketelegram.User{ID: robotID, Username: "other_bot", FirstName: "Robot", IsBot: true}
)

// wait bounds every wait for the bot; the bot answers in milliseconds, so
// reaching it is a failure, not slowness.
const wait = 15 * time.Second

// env is one scenario: a fake Bot API, a store on disk, the bot's fakes
// (clock, charts, routes) and the bot itself, receiving by long polling.
type env struct {
	t      testing.TB
	tg     *faketelegram.Server
	cfg    *config.Config
	deps   bot.Deps
	clock  *clock
	charts *charts
	routes *routes
	logs   *testutil.Buffer

	dbPath string
	store  *store.Store
	client *telegram.Client
	bot    *bot.Bot
	reg    *prometheus.Registry
	stop   func()
	// subscribed counts Options.Subscribed calls.
	subscribed atomic.Int32
}

// newEnv makes a scenario with Alice as admin, Bob as allowed user and the
// group as allowed chat, charts configured, no Alertmanager and no
// Grafana. Change cfg and deps, then call start.
func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{t: t, clock: newClock(), charts: &charts{}, routes: newRoutes(), logs: &testutil.Buffer{},
		tg: faketelegram.New(t, faketelegram.Config{Limits: faketelegram.Limits{Unlimited: true}})}
	for _, u := range []faketelegram.User{alice, bob, eve, robot} {
		e.tg.AddUser(u)
		e.tg.AddChat(faketelegram.Chat{ID: u.ID})
	}
	for _, id := range []int64{groupID, otherGroup} {
		e.tg.AddChat(faketelegram.Chat{ID: id})
	}
	cfg := config.DefaultConfig()
	cfg.Telegram.BotToken = config.Secret(e.tg.Token())
	cfg.Telegram.APIURL = e.tg.URL()
	// A long poll that does not time out within a test, so that the
	// scenarios see only the polls their updates cause.
	cfg.Telegram.PollTimeout = config.Duration(50 * time.Second)
	// The client's own rate limiter would space the replies a second apart.
	cfg.Telegram.RateLimits = config.TelegramRateLimits{PerChat: 1000, PerGroupPerMinute: 100000, Global: 10000}
	cfg.Telegram.Admins = []string{"@alice"}
	cfg.Telegram.AllowedUsers = []string{strconv.Itoa(bobID)}
	cfg.Telegram.AllowedChats = []string{strconv.FormatInt(groupID, 10)}
	e.cfg = &cfg
	e.deps.Charts = e.charts
	e.dbPath = filepath.Join(t.TempDir(), "herald.db")
	e.openStore()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("bot log:\n%s", e.logs.String())
		}
	})
	return e
}

func (e *env) openStore() {
	e.t.Helper()
	st, err := store.Open(context.Background(), e.dbPath, store.Options{Synchronous: "NORMAL"}, e.logger())
	if err != nil {
		e.t.Fatal(err)
	}
	e.store = st
	e.t.Cleanup(func() { st.Close() })
}

func (e *env) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// build makes a Bot of the scenario's configuration on its store, without
// starting it.
func (e *env) build() *bot.Bot {
	e.t.Helper()
	client, err := telegram.New(e.cfg.Telegram, e.logger())
	if err != nil {
		e.t.Fatal(err)
	}
	e.client, e.reg = client, prometheus.NewRegistry()
	e.bot = bot.New(e.cfg, bot.Options{Client: client, Store: e.store, Routes: e.routes,
		Subscribed: func() { e.subscribed.Add(1) }, Logger: e.logger(), Registerer: e.reg, Now: e.clock.Now}, e.deps)
	return e.bot
}

// start builds the bot, starts it and, in polling mode, runs it until the
// test ends or stop is called.
func (e *env) start() *env {
	e.t.Helper()
	b := e.build()
	ctx, cancel := context.WithCancel(context.Background())
	if err := b.Start(ctx); err != nil {
		cancel()
		e.t.Fatalf("Start: %v", err)
	}
	done := make(chan struct{})
	go func() { b.Run(ctx); close(done) }()
	stopped := false
	e.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case <-done:
		case <-time.After(wait):
			e.t.Error("Run did not return after its context ended")
		}
	}
	e.t.Cleanup(e.stop)
	return e
}

// restart stops the bot, closes the store and starts a new bot on the
// store opened again, as a restart of Herald does.
func (e *env) restart() {
	e.t.Helper()
	e.stop()
	if err := e.store.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.openStore()
	e.start()
}

// handled waits until the bot has handled every update pushed so far.
// The fake drops an update when the bot polls with a later offset, which
// the bot does only after handling it; a poll that finds nothing pending
// then waits, which Polling reports. Taking Polling's channel before
// looking at what is pending makes this race-free: a confirming poll
// after the look closes the channel.
func (e *env) handled() {
	e.t.Helper()
	deadline := time.After(wait)
	for {
		ch := e.tg.Polling()
		if e.pending() == 0 {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			e.t.Fatalf("the bot did not take its %d pending updates within %v", e.pending(), wait)
		}
	}
}

// pending is how many updates the fake holds for the bot, from
// getWebhookInfo's pending_update_count, as a person would ask Telegram.
func (e *env) pending() int {
	e.t.Helper()
	resp, err := http.Post(e.tg.URL()+"/bot"+e.tg.Token()+"/getWebhookInfo", "application/json", strings.NewReader("{}"))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var info struct {
		OK     bool `json:"ok"`
		Result struct {
			Pending int `json:"pending_update_count"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil || !info.OK {
		e.t.Fatalf("getWebhookInfo: %v %+v", err, info)
	}
	return info.Result.Pending
}

// say sends text from user in chat and returns the calls the bot made
// while handling it (see since).
func (e *env) say(chat int64, from faketelegram.User, text string) []faketelegram.Call {
	e.t.Helper()
	n := len(e.tg.Calls())
	if _, _, err := e.tg.PushIncoming(faketelegram.Incoming{Chat: chat, From: from, Text: text}); err != nil {
		e.t.Fatal(err)
	}
	e.handled()
	return e.since(n)
}

// ask is say that expects exactly one text reply and returns it.
func (e *env) ask(chat int64, from faketelegram.User, text string) string {
	e.t.Helper()
	got := replies(e.say(chat, from, text))
	if len(got) != 1 {
		e.t.Fatalf("%q: %d replies, want 1: %q", text, len(got), got)
	}
	return got[0]
}

// since returns the calls after the first n, but for getUpdates and the
// harness's getWebhookInfo.
func (e *env) since(n int) []faketelegram.Call {
	var out []faketelegram.Call
	for _, c := range e.tg.Calls()[n:] {
		if c.Method != "getUpdates" && c.Method != "getWebhookInfo" {
			out = append(out, c)
		}
	}
	return out
}

// replies are the texts of the sendMessage calls among calls.
func replies(calls []faketelegram.Call) []string {
	var out []string
	for _, c := range calls {
		if c.Method == "sendMessage" {
			out = append(out, c.Params["text"])
		}
	}
	return out
}

// only returns the calls of method.
func only(calls []faketelegram.Call, method string) []faketelegram.Call {
	var out []faketelegram.Call
	for _, c := range calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// mustContain fails unless s contains every part.
func mustContain(t *testing.T, what, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("%s %q does not contain %q", what, s, p)
		}
	}
}

// ctx is a context that ends with the test.
func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), wait)
	t.Cleanup(cancel)
	return c
}
