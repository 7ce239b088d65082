package bot_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/config"
	tgnotify "github.com/heraldhq/herald/internal/notify/telegram"
	"github.com/heraldhq/herald/internal/telegram"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

// carol is a second admin.
var carol = faketelegram.User{ID: 150, Username: "carol", FirstName: "Carol"}

// diskFull is a firing alert of team a.
func diskFull(c *clock) amtemplate.Alert {
	return amtemplate.Alert{Status: "firing", Fingerprint: "d1sk", StartsAt: c.Now().Add(-10 * time.Minute),
		Labels:      amtemplate.KV{"alertname": "DiskFull", "instance": "db1", "team": "a", "severity": "critical"},
		Annotations: amtemplate.KV{"summary": "Disk of db1 is full"}}
}

// alertMessage sends an alert message as a Telegram channel does: the
// bot's buttons under a text, or under a chart with caption when caption
// is not empty. It returns the message id.
func (e *env) alertMessage(chat int64, channel string, a amtemplate.Alert, caption string) int64 {
	e.t.Helper()
	id := strconv.FormatInt(chat, 10)
	kb, err := e.bot.AlertKeyboard(ctx(e.t), tgnotify.KeyboardRequest{Channel: channel, ChatID: config.ChatID(id),
		Alert: a, Caption: caption, Buttons: tgnotify.DefaultButtons()})
	if err != nil || kb == nil {
		e.t.Fatalf("AlertKeyboard: %v, %v", kb, err)
	}
	var m *telegram.Message
	if caption == "" {
		m, _, err = e.client.SendMessage(ctx(e.t), &telegram.SendMessageParams{ChatID: id, ParseMode: telegram.ParseModeHTML,
			Text: "🔥 <b>DiskFull</b> db1", ReplyMarkup: kb})
	} else {
		m, _, err = e.client.SendPhoto(ctx(e.t), &telegram.SendPhotoParams{ChatID: id, ParseMode: telegram.ParseModeHTML,
			Caption: caption, ReplyMarkup: kb}, tinyPNG())
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return m.MessageID
}

// press presses the button labelled label under the bot's message and
// returns the bot's answer and the calls it made besides.
func (e *env) press(chat, msg int64, user faketelegram.User, label string) (faketelegram.CallbackAnswer, []faketelegram.Call) {
	e.t.Helper()
	n := len(e.tg.Calls())
	qid, err := e.tg.Press(chat, msg, user.ID, label)
	if err != nil {
		e.t.Fatalf("press %q: %v (keyboard %v)", label, err, e.keyboard(chat, msg))
	}
	return e.answered(qid, n)
}

// callback pushes a press with any data, forged or not.
func (e *env) callback(chat, msg int64, user faketelegram.User, data string) (faketelegram.CallbackAnswer, []faketelegram.Call) {
	e.t.Helper()
	n := len(e.tg.Calls())
	return e.answered(e.tg.PushCallback(chat, msg, user.ID, data), n)
}

func (e *env) answered(qid string, n int) (faketelegram.CallbackAnswer, []faketelegram.Call) {
	e.t.Helper()
	e.handled()
	var calls []faketelegram.Call
	for _, c := range e.since(n) {
		if c.Method != "answerCallbackQuery" {
			calls = append(calls, c)
		}
	}
	for _, a := range e.tg.CallbackAnswers() {
		if a.QueryID == qid {
			return a, calls
		}
	}
	e.t.Fatalf("the press %s was not answered; calls %+v", qid, calls)
	return faketelegram.CallbackAnswer{}, nil
}

// keyboard is the labels of a message's buttons as it stands.
func (e *env) keyboard(chat, msg int64) [][]string {
	m, ok := e.tg.Message(chat, msg)
	if !ok {
		e.t.Fatalf("no message %d in %d", msg, chat)
	}
	return m.ReplyMarkup.Buttons()
}

// data is the callback_data of a button.
func (e *env) data(chat, msg int64, label string) string {
	m, _ := e.tg.Message(chat, msg)
	b, ok := m.ReplyMarkup.Find(label)
	if !ok {
		e.t.Fatalf("no button %q in %v", label, m.ReplyMarkup.Buttons())
	}
	return b.CallbackData
}

// metric is the value of a counter of the bot's registry with labels.
func (e *env) metric(name string, labels ...string) float64 {
	e.t.Helper()
	mfs, err := e.reg.Gather()
	if err != nil {
		e.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for i := 0; i+1 < len(labels); i += 2 {
				if have[labels[i]] != labels[i+1] {
					continue metrics
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

func TestAckButton(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.cfg.Telegram.Admins = append(e.cfg.Telegram.Admins, "@carol")
	e.tg.AddUser(carol)
	e.start()
	a := diskFull(e.clock)
	msg := e.alertMessage(groupID, "ops", a, "")
	twin := e.alertMessage(groupID, "ops-pager", a, "")
	charts := []string{"📈 6h", "📈 1d", "📈 1w"}
	if got, want := e.keyboard(groupID, msg), [][]string{{"✅ Ack"}, charts}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("keyboard %v, want %v (no silence buttons without Alertmanager)", got, want)
	}
	acked := func() string {
		t.Helper()
		by, _, ok, err := e.store.Acked(ctx(t), a.Fingerprint, a.StartsAt)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return ""
		}
		return by
	}

	ans, calls := e.press(groupID, msg, bob, "✅ Ack")
	if ans.Text != "Only the bot's admins can do that here." || !ans.ShowAlert || len(calls) != 0 || acked() != "" {
		t.Errorf("Bob's ack: %+v, calls %+v, acked by %q", ans, calls, acked())
	}
	ans, calls = e.press(groupID, msg, alice, "✅ Ack")
	if ans.Text != "Acknowledged" || ans.ShowAlert || acked() != "@alice" {
		t.Errorf("Alice's ack: %+v, acked by %q", ans, acked())
	}
	if got := only(calls, "editMessageReplyMarkup"); len(got) != 1 {
		t.Errorf("the keyboard was edited %d times, want once: %+v", len(got), calls)
	}
	if got, want := e.keyboard(groupID, msg), [][]string{{"✅ @alice"}, charts}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("after the ack %v, want %v", got, want)
	}
	// The same alert on another channel: acknowledged already.
	ans, _ = e.press(groupID, twin, carol, "✅ Ack")
	if ans.Text != "Already acknowledged by @alice" || acked() != "@alice" {
		t.Errorf("Carol's ack of the twin: %+v, acked by %q", ans, acked())
	}
	if got := e.keyboard(groupID, twin); got[0][0] != "✅ @alice" {
		t.Errorf("the twin's keyboard %v, want it to show who acknowledged", got)
	}
	ans, calls = e.press(groupID, msg, carol, "✅ @alice")
	if ans.Text != "" || len(calls) != 0 {
		t.Errorf("pressing who acknowledged: %+v, calls %+v", ans, calls)
	}
	actions, _ := e.store.Actions(ctx(t), 10)
	if len(actions) != 1 || actions[0].Kind != "ack" || actions[0].User != "@alice" || actions[0].ChatID != groupID {
		t.Errorf("recorded %+v, want Alice's ack", actions)
	}
}

func TestForgedAndExpiredButtons(t *testing.T) {
	t.Parallel()
	e := newEnv(t).start()
	a := diskFull(e.clock)
	msg := e.alertMessage(groupID, "ops", a, "")
	before := e.keyboard(groupID, msg)
	ack := e.data(groupID, msg, "✅ Ack")
	parts := strings.Split(ack, ":")
	if len(parts) != 3 {
		t.Fatalf("callback data %q", ack)
	}
	flip := "A"
	if strings.HasSuffix(parts[2], "A") {
		flip = "B"
	}
	other := parts[2][:len(parts[2])-1] + flip
	forged := []string{
		parts[0] + ":" + parts[1] + ":" + other,              // signature changed
		"s0:" + parts[1] + ":" + parts[2],                    // action changed
		parts[0] + ":" + parts[1] + "0:" + parts[2],          // id changed
		parts[0] + ":" + parts[1],                            // no signature
		"", ":", "::", "a:1:" + strings.Repeat("x", 60), "é", // junk
	}
	for _, data := range forged {
		ans, calls := e.callback(groupID, msg, alice, data)
		if ans.Text != "This button is not valid." || !ans.ShowAlert || len(calls) != 0 {
			t.Errorf("data %q: %+v, calls %+v", data, ans, calls)
		}
	}
	// A real button pressed in another chat than its own.
	ans, calls := e.callback(aliceID, 1, alice, ack)
	if ans.Text != "This button has expired." || len(calls) != 0 {
		t.Errorf("a button of another chat: %+v, calls %+v", ans, calls)
	}
	if by, _, ok, _ := e.store.Acked(ctx(t), a.Fingerprint, a.StartsAt); ok {
		t.Errorf("a forged press acknowledged the alert (by %s)", by)
	}
	if got := e.keyboard(groupID, msg); !slices.EqualFunc(got, before, slices.Equal) {
		t.Errorf("keyboard changed to %v", got)
	}

	e.clock.Add(30*24*time.Hour + time.Minute)
	for _, label := range []string{"✅ Ack", "📈 6h"} {
		ans, calls := e.press(groupID, msg, alice, label)
		if ans.Text != "This button has expired." || !ans.ShowAlert || len(calls) != 0 {
			t.Errorf("%s after 30 days: %+v, calls %+v", label, ans, calls)
		}
	}
	if got := e.charts.Redraws(); len(got) != 0 {
		t.Errorf("an expired button drew %+v", got)
	}
	if got := e.metric("herald_bot_commands_total", "command", "button", "result", "usage"); got != float64(len(forged)+3) {
		t.Errorf("refused presses counted %v, want %d", got, len(forged)+3)
	}
}

func TestButtonsOfStrangers(t *testing.T) {
	t.Parallel()
	e := newEnv(t).start()
	msg := e.alertMessage(otherGroup, "ops", diskFull(e.clock), "")
	for range 2 {
		ans, calls := e.press(otherGroup, msg, eve, "✅ Ack")
		if !strings.Contains(ans.Text, "300") || !ans.ShowAlert || len(calls) != 0 {
			t.Errorf("a stranger's press: %+v, calls %+v", ans, calls)
		}
	}
	if got := e.metric("herald_bot_refused_total"); got != 2 {
		t.Errorf("refused %v, want 2", got)
	}
}

// TestPressWhileDown: a press made while Herald is down is handled by the
// next run (the buttons' key and state are in the store), although its
// query is too old to answer by then.
func TestPressWhileDown(t *testing.T) {
	t.Parallel()
	e := newEnv(t).start()
	a := diskFull(e.clock)
	msg := e.alertMessage(groupID, "ops", a, "")
	e.stop()
	qid, err := e.tg.Press(groupID, msg, aliceID, "✅ Ack")
	if err != nil {
		t.Fatal(err)
	}
	e.tg.ExpireCallbacks()
	e.restart()
	e.handled()
	if by, _, ok, err := e.store.Acked(ctx(t), a.Fingerprint, a.StartsAt); err != nil || !ok || by != "@alice" {
		t.Errorf("acked by %q (%v, %v), want @alice", by, ok, err)
	}
	if got := e.keyboard(groupID, msg); got[0][0] != "✅ @alice" {
		t.Errorf("keyboard %v", got)
	}
	answers := e.tg.Calls("answerCallbackQuery")
	if len(answers) != 1 || answers[0].OK || answers[0].Params["callback_query_id"] != qid ||
		!strings.Contains(answers[0].Description, "query is too old") {
		t.Errorf("answers %+v, want one refused as too old", answers)
	}
}
