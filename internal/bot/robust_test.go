package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"

	"github.com/heraldhq/herald/internal/alertmanager"
	"github.com/heraldhq/herald/internal/telegram"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

// memAM is an in-memory bot.Alertmanager, so that the robustness tests
// reach the silence and alert paths without a process.
type memAM struct {
	mu       sync.Mutex
	silences []alertmanager.Silence
}

func (m *memAM) Alerts(context.Context, alertmanager.AlertFilter) ([]alertmanager.Alert, error) {
	var out []alertmanager.Alert
	for i := range 25 {
		out = append(out, alertmanager.Alert{StartsAt: time.Now().Add(-time.Hour), Fingerprint: fmt.Sprint(i),
			Labels:      map[string]string{"alertname": fmt.Sprintf("A<%d>", i), "team": "a", "instance": "\u202e&db"},
			Annotations: map[string]string{"summary": strings.Repeat("<b>x</b>", 40)}})
	}
	return out, nil
}

func (m *memAM) Silences(context.Context, []*labels.Matcher) ([]alertmanager.Silence, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]alertmanager.Silence(nil), m.silences...), nil
}

func (m *memAM) CreateSilence(_ context.Context, s alertmanager.Silence) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s.ID = fmt.Sprintf("%08x-0000-4000-8000-%012x", len(m.silences), len(m.silences))
	s.Status.State = alertmanager.SilenceActive
	m.silences = append(m.silences, s)
	return s.ID, nil
}

func (m *memAM) ExpireSilence(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.silences {
		if m.silences[i].ID == id {
			m.silences[i].Status.State = alertmanager.SilenceExpired
			return nil
		}
	}
	return alertmanager.ErrNotFound
}

// robustEnv is a started bot (no poller: the tests call Handle) with
// every service, saved charts and an allowance that never runs out.
func robustEnv(t testing.TB) *env {
	e := newEnv(t)
	e.cfg.Charts = savedCharts
	e.cfg.Telegram.CommandsPerMinute = 1 << 30
	e.cfg.Telegram.Changes = "allowed"
	_, gc := startGrafana(t)
	e.deps.Alertmanager, e.deps.Grafana = &memAM{}, gc
	e.routes.set(groupID, "a", "ops")
	e.build()
	if err := e.bot.Start(ctx(t)); err != nil {
		t.Fatal(err)
	}
	return e
}

// handle runs u through Handle with a fresh update id, registering its
// callback query with the fake so that the answer is checked too.
func (e *env) handle(id *int64, u telegram.Update) {
	e.t.Helper()
	*id++
	u.UpdateID = *id
	// Telegram sends updates only from chats and topics that exist.
	for _, m := range []*telegram.Message{u.Message, u.EditedMessage} {
		if m != nil {
			e.knowChat(m.Chat.ID, m.MessageThreadID)
		}
	}
	if q := u.CallbackQuery; q != nil {
		e.knowChat(q.From.ID, 0)
		if q.Message != nil {
			e.knowChat(q.Message.Chat.ID, q.Message.MessageThreadID)
		}
		chat := q.From.ID
		if q.Message != nil {
			chat = q.Message.Chat.ID
		}
		q.ID = e.tg.PushCallback(chat, 1, max(q.From.ID, 1), q.Data)
	}
	if err := e.bot.Handle(ctx(e.t), u); err != nil {
		e.t.Fatalf("Handle(%s): %v", clip(u), err)
	}
}

// explained are Telegram's refusals that the random input explains: an
// edit that changes nothing, and presses that claim to be under a message
// that is not their button's (missing, a photo for a text, a text for a
// photo), which Telegram never sends.
var explained = []string{"message is not modified", "message to edit not found",
	"there is no text in the message to edit", "there is no media in the message to edit"}

// knowChat adds a chat (with a forum topic) to the fake; the chats of
// these tests hold no state that adding one again would lose.
func (e *env) knowChat(id, topic int64) {
	c := faketelegram.Chat{ID: id}
	if topic != 0 {
		c.Topics = []int64{topic}
	}
	e.tg.AddChat(c)
}

// checkCalls fails on any call of the bot Telegram refused, but for the
// explained ones, and on any failure inside the bot.
func (e *env) checkCalls() {
	e.t.Helper()
	for _, c := range e.tg.Calls() {
		if c.OK || slices.ContainsFunc(explained, func(s string) bool { return strings.Contains(c.Description, s) }) {
			continue
		}
		e.t.Errorf("Telegram refused %s %.300v: %s", c.Method, c.Params, c.Description)
	}
	if got := e.metric("herald_bot_updates_total", "kind", "failed"); got != 0 {
		e.t.Errorf("%v updates failed inside the bot (a panic, recovered):\n%s", got, e.logs.String())
	}
}

func clip(u telegram.Update) string {
	b, _ := json.Marshal(u)
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

var (
	commandWords = []string{"/start", "/help", "/subscribe", "/regexp", "/unsubscribe", "/subscriptions", "/list", "/alerts",
		"/silence", "/silences", "/unsilence", "/graph", "/chart", "/hour", "/day", "/week", "/dashboards", "/lang",
		"/nosuch", "/start@" + botName, "/help@OtherBot", "/", "/@", "/start@", "//", "/a@b@c", " /help", "/HELP", "/lang@" + botName}
	argPieces = []string{"", " ", "all", "1", "0", "-1", "99999999999999999999", `alertname="DiskFull"`, `a=~"("`, `team="a"`,
		"2h", "0s", "30d", "31d", "en", "zh", "auto", "\xff\xfe", "<b>", "</code>", "&amp;", "&", "\u202e", "🔥", "ж", "\n", "\t",
		"{", "}", `"`, "'", "rate(up[5m])", "up offset 5m", "load", "cpu", "day", "week", "deadbeef", "00000000",
		"00000000-0000-4000-8000-000000000000", "^Disk$", "(?i)", "Node", "\x00", strings.Repeat("x", 600), strings.Repeat("ж", 3000)}
)

// randomText is a command-like text from pieces, sometimes huge.
func randomText(r *rand.Rand) string {
	switch r.IntN(20) {
	case 0:
		return ""
	case 1:
		return strings.Repeat(commandWords[r.IntN(len(commandWords))]+" ", 1+r.IntN(20000))
	case 2:
		b := make([]byte, r.IntN(300))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return string(b)
	}
	var sb strings.Builder
	sb.WriteString(commandWords[r.IntN(len(commandWords))])
	for range r.IntN(5) {
		sb.WriteString(" " + argPieces[r.IntN(len(argPieces))])
	}
	return sb.String()
}

var robustChats = []telegram.Chat{{ID: groupID, Type: "supergroup", Title: "Ops"}, {ID: aliceID, Type: "private"},
	{ID: bobID, Type: "private"}, {ID: otherGroup, Type: "group"}, {ID: eveID, Type: "private"}}

var robustUsers = []*telegram.User{nil, {}, {ID: aliceID, Username: "alice"}, {ID: bobID, LanguageCode: "ru"},
	{ID: eveID, LanguageCode: "zh-hans"}, {ID: robotID, IsBot: true}, {ID: aliceID, Username: "alice", LanguageCode: "uk"}}

// randomUpdate is an update of any kind, well-formed or not.
func randomUpdate(r *rand.Rand, data []string) telegram.Update {
	chat := robustChats[r.IntN(len(robustChats))]
	from := robustUsers[r.IntN(len(robustUsers))]
	msg := &telegram.Message{MessageID: int64(r.IntN(5)), Chat: chat, From: from, Date: time.Now().Unix(), Text: randomText(r)}
	switch r.IntN(6) {
	case 0, 1, 2:
		return telegram.Update{Message: msg}
	case 3:
		return telegram.Update{EditedMessage: msg}
	case 4:
		q := &telegram.CallbackQuery{Message: msg, Data: data[r.IntN(len(data))]}
		if from != nil {
			q.From = *from
		}
		switch r.IntN(4) {
		case 0:
			q.Message = nil
		case 1:
			q.Data = mutate(r, q.Data)
		}
		return telegram.Update{CallbackQuery: q}
	}
	return telegram.Update{}
}

// mutate changes a byte of s, or cuts it.
func mutate(r *rand.Rand, s string) string {
	if s == "" || r.IntN(2) == 0 {
		return s[:r.IntN(len(s)+1)]
	}
	b := []byte(s)
	b[r.IntN(len(b))] = byte(r.IntN(256))
	return string(b)
}

// buttonData are the callback data of real keyboards: alert buttons, a
// page of alerts and Grafana's dashboards, and some that are not.
func (e *env) buttonData(id *int64) []string {
	data := []string{"", ":", "::", "a:1:", "zz:zz:zz", strings.Repeat("a", 64), "p1:1:AAAAAAAAAAAA"}
	kb := func(raw string) {
		var m telegram.InlineKeyboardMarkup
		if json.Unmarshal([]byte(raw), &m) == nil {
			for _, row := range m.InlineKeyboard {
				for _, b := range row {
					data = append(data, b.CallbackData)
				}
			}
		}
	}
	e.alertMessage(groupID, "ops", diskFull(e.clock), "🔥 <b>DiskFull</b>")
	for _, text := range []string{"/alerts", "/alerts all", "/dashboards", "/dashboards node"} {
		e.handle(id, telegram.Update{Message: &telegram.Message{MessageID: 1, Chat: robustChats[0],
			From: &telegram.User{ID: aliceID, Username: "alice"}, Date: time.Now().Unix(), Text: text}})
	}
	for _, c := range e.tg.Calls() {
		if raw, ok := c.Params["reply_markup"]; ok {
			kb(raw)
		}
	}
	return data
}

func TestHandleSurvivesMalformedUpdates(t *testing.T) {
	t.Parallel()
	e := robustEnv(t)
	var id int64
	data := e.buttonData(&id)
	r := rand.New(rand.NewPCG(1, 2))
	for range 400 {
		e.handle(&id, randomUpdate(r, data))
	}
	e.checkCalls()
}

// FuzzHandle feeds updates as Telegram's JSON: whatever decodes is
// handled without a failure inside the bot and without a reply Telegram
// refuses.
func FuzzHandle(f *testing.F) {
	for _, seed := range []string{
		`{"message": {"message_id": 1, "date": 1, "chat": {"id": -1001234567890, "type": "supergroup"}, "from": {"id": 100, "username": "alice"}, "text": "/silence a=\"b\" 2h x"}}`,
		`{"message": {"message_id": 1, "date": 1, "chat": {"id": 200, "type": "private"}, "text": "/start"}}`,
		`{"edited_message": {"message_id": 1, "date": 1, "chat": {"id": 200, "type": "private"}, "from": {"id": 200}, "text": "/day \u00ff"}}`,
		`{"callback_query": {"id": "x", "from": {"id": 100, "username": "alice"}, "data": ""}}`,
		`{"callback_query": {"id": "x", "from": {"id": 100}, "message": {"message_id": 1, "date": 0, "chat": {"id": -1005, "type": "group"}}, "data": "a:1:AAAAAAAAAAAA"}}`,
		`{"my_chat_member": {"chat": {"id": 1, "type": "private"}}}`,
		`{"message": {"from": {}, "text": "/00"}}`,
		`{"message": {"message_id": 1, "message_thread_id": 7, "chat": {"id": -1001234567890, "type": "supergroup"}, "from": {"id": 200}, "text": "/alerts"}}`,
		`{}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var u telegram.Update
		if json.Unmarshal(raw, &u) != nil {
			return
		}
		e := robustEnv(t)
		var id int64
		e.handle(&id, u)
		e.checkCalls()
	})
}
