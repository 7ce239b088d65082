package telegram

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

// nasty label values: HTML specials, Markdown specials, emoji, CJK.
var nasty = amtemplate.KV{
	"alertname": `Disk <90% & "low"`,
	"instance":  "db_01:9100",
	"severity":  "critical",
	"summary":   "🔥 磁盘空间不足 on *db_01* <b>",
}

func TestNotifyEscapesThroughHTMLTemplate(t *testing.T) {
	fake := newFake(t, faketelegram.Limits{Unlimited: true})
	cfg := channelConfig(userChat)
	cfg.Message = `<b>{{ .CommonLabels.alertname }}</b> {{ .CommonLabels.instance }}{{ "\n" }}<i>{{ .CommonLabels.summary }}</i>`
	n := newNotifier(t, mustBot(t, botConfig(fake), nil), cfg, nil)
	refs, _, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, nasty))
	if err != nil {
		t.Fatal(err)
	}
	m, ok := fake.Message(userChat, 1)
	want := "Disk <90% & \"low\" db_01:9100\n🔥 磁盘空间不足 on *db_01* <b>"
	if !ok || m.Plain != want {
		t.Fatalf("Telegram shows %q, want %q", m.Plain, want)
	}
	if m.ParseMode != "HTML" || !m.LinkPreviewDisabled || m.DisableNotification {
		t.Errorf("options: %+v", m)
	}
	if len(refs) != 1 || refs[0] != (notify.Ref{Part: 0, ChatID: "111", MessageID: "1"}) {
		t.Errorf("refs = %+v", refs)
	}
}

func TestNotifyDefaultTemplate(t *testing.T) {
	fake := newFake(t, faketelegram.Limits{Unlimited: true})
	n := newNotifier(t, mustBot(t, botConfig(fake), nil), channelConfig(groupChat), nil)
	for _, m := range []*notify.Message{
		message(alert.KindFiring, nasty),
		message(alert.KindFiring, nasty, amtemplate.KV{"alertname": "Load_High", "instance": "web&1", "severity": "info"}),
	} {
		if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), m); err != nil {
			t.Fatal(err)
		}
	}
	msgs := fake.Messages()
	for _, m := range msgs {
		if !strings.Contains(m.Plain, nasty["alertname"]) {
			t.Errorf("the default template lost the alert name: %q", m.Plain)
		}
	}
	if len(msgs) != 2 || !strings.Contains(msgs[1].Plain, "Load_High") {
		t.Errorf("messages = %+v", msgs)
	}
}

func TestNotifyThread(t *testing.T) {
	fake := newFake(t, faketelegram.Limits{Unlimited: true})
	bot := mustBot(t, botConfig(fake), nil)
	cfg := channelConfig(forumChat)
	cfg.MessageThreadID = topic
	refs, _, err := fixed(newNotifier(t, bot, cfg, nil), "in a topic").Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, nasty))
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := fake.Message(forumChat, 1); m.ThreadID != topic || refs[0].ThreadID != "7" {
		t.Errorf("message %+v, refs %+v", m, refs)
	}
	cfg = channelConfig(forumChat)
	cfg.MessageThreadID = 8
	_, retry, err := fixed(newNotifier(t, bot, cfg, nil), "x").Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, nasty))
	if retry || err == nil || !strings.Contains(err.Error(), "message thread not found") {
		t.Errorf("unknown topic: retry=%v err=%v", retry, err)
	}
}

func TestNotifySilentSeverities(t *testing.T) {
	fake := newFake(t, faketelegram.Limits{Unlimited: true})
	bot := mustBot(t, botConfig(fake), nil)
	sev := func(s ...string) []amtemplate.KV {
		var out []amtemplate.KV
		for i, v := range s {
			out = append(out, amtemplate.KV{"alertname": "A" + string(rune('a'+i)), "severity": v})
		}
		return out
	}
	tests := []struct {
		name    string
		alerts  []amtemplate.KV
		always  bool
		silent  bool
		noLabel bool
	}{
		{name: "info", alerts: sev("info"), silent: true},
		{name: "none", alerts: sev("none"), silent: true},
		{name: "critical", alerts: sev("critical")},
		{name: "all silent", alerts: sev("info", "none", "info"), silent: true},
		{name: "one loud among silent", alerts: sev("info", "critical")},
		{name: "no severity", alerts: []amtemplate.KV{{"alertname": "X"}}},
		{name: "channel always silent", alerts: sev("critical"), always: true, silent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := channelConfig(userChat)
			cfg.DisableNotification = tt.always
			n := fixed(newNotifier(t, bot, cfg, nil), tt.name)
			refs, _, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, tt.alerts...))
			if err != nil {
				t.Fatal(err)
			}
			m, _ := fake.Message(userChat, mustID(t, refs[0]))
			if m.DisableNotification != tt.silent {
				t.Errorf("disable_notification = %v, want %v", m.DisableNotification, tt.silent)
			}
		})
	}
}

func mustID(t *testing.T, r notify.Ref) int64 {
	t.Helper()
	id, err := strconv.ParseInt(r.MessageID, 10, 64)
	if err != nil {
		t.Fatalf("message id %q: %v", r.MessageID, err)
	}
	return id
}

// resolvedText renders firing and resolved messages differently, as the
// templates do.
func resolvedText(n *Notifier) *Notifier {
	n.render = func(m *notify.Message) string {
		if m.Kind == alert.KindFiring {
			return "🔥 <b>firing</b>"
		}
		return "✅ <b>" + string(m.Kind) + "</b>"
	}
	return n
}

func TestNotifyResolvedRepliesAndEdits(t *testing.T) {
	fake := newFake(t, faketelegram.Limits{Unlimited: true})
	bot := mustBot(t, botConfig(fake), nil)
	off := false
	tests := []struct {
		name        string
		kind        alert.Kind
		folded      bool
		noEdit      bool
		wantEdited  bool
		wantReplyTo bool
	}{
		{name: "resolved", kind: alert.KindResolved, wantEdited: true, wantReplyTo: true},
		{name: "reminder", kind: alert.KindReminder, wantReplyTo: true},
		{name: "folded resolved", kind: alert.KindResolved, folded: true, wantReplyTo: true},
		{name: "edit_on_resolve off", kind: alert.KindResolved, noEdit: true, wantReplyTo: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := channelConfig(userChat)
			if tt.noEdit {
				cfg.EditOnResolve = &off
			}
			n := resolvedText(newNotifier(t, bot, cfg, nil))
			ctx := alerts.Context(t, 5*time.Second)
			prev, _, err := n.Notify(ctx, message(alert.KindFiring, nasty))
			if err != nil {
				t.Fatal(err)
			}
			m := message(tt.kind, nasty)
			m.Previous, m.Folded = prev, tt.folded
			refs, _, err := n.Notify(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			first, _ := fake.Message(userChat, mustID(t, prev[0]))
			reply, _ := fake.Message(userChat, mustID(t, refs[0]))
			if edited := len(first.Edits) > 0; edited != tt.wantEdited {
				t.Errorf("firing message edited = %v (%+v), want %v", edited, first, tt.wantEdited)
			}
			if tt.wantEdited && first.Plain != "✅ resolved" {
				t.Errorf("firing message now reads %q", first.Plain)
			}
			if (reply.ReplyTo == first.ID) != tt.wantReplyTo {
				t.Errorf("reply_to = %d, firing message %d", reply.ReplyTo, first.ID)
			}
		})
	}
}

func TestNotifyResolvedEditFailuresDoNotFail(t *testing.T) {
	fake := newFake(t, faketelegram.Limits{Unlimited: true})
	var logs alerts.LogBuffer
	n := resolvedText(newNotifier(t, mustBot(t, botConfig(fake), nil), channelConfig(userChat), logs.Logger()))
	ctx := alerts.Context(t, 5*time.Second)
	// The firing message is gone: the reply goes out without a quote.
	m := message(alert.KindResolved, nasty)
	m.Previous = []notify.Ref{{Part: 0, ChatID: "111", MessageID: "999"}}
	if _, _, err := n.Notify(ctx, m); err != nil {
		t.Fatalf("firing message deleted: %v", err)
	}
	// The firing message already says what the edit would say.
	prev, _, err := n.Notify(ctx, message(alert.KindResolved, nasty))
	if err != nil {
		t.Fatal(err)
	}
	m.Previous = prev
	if _, _, err := n.Notify(ctx, m); err != nil {
		t.Fatalf("firing message not modified: %v", err)
	}
	for _, want := range []string{"message to edit not found", "message is not modified"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs do not mention %q:\n%s", want, logs.String())
		}
	}
	if strings.Contains(logs.String(), "level=WARN") || strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("edit failures logged above debug:\n%s", logs.String())
	}
}

func TestNotifySplitsAndResumes(t *testing.T) {
	// A per-chat allowance of one message makes the second part fail with
	// 429, the way a real partial failure looks.
	fake := newFake(t, faketelegram.Limits{PerChat: 0.001, PerChatBurst: 1})
	bot := mustBot(t, botConfig(fake), nil)
	line := "<b>DiskFull</b> db-01 😀 告警\n"
	text := strings.Repeat(line, 600) // 21 units a line: 195 lines a part
	n := fixed(newNotifier(t, bot, channelConfig(groupChat), nil), text)
	parts := Split(text, MaxMessageLength)
	if len(parts) != 4 {
		t.Fatalf("test text splits into %d parts", len(parts))
	}
	refs, retry, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, nasty))
	var rl *notify.RateLimitError
	if !errors.As(err, &rl) || !retry || len(refs) != 1 || refs[0].Part != 0 {
		t.Fatalf("refs=%+v retry=%v err=%v", refs, retry, err)
	}
	// The retry resumes after the part that went out.
	unlimited := newFake(t, faketelegram.Limits{Unlimited: true})
	n = fixed(newNotifier(t, mustBot(t, botConfig(unlimited), nil), channelConfig(groupChat), nil), text)
	m := message(alert.KindFiring, nasty)
	m.SentParts = len(refs)
	refs, _, err = n.Notify(alerts.Context(t, 5*time.Second), m)
	if err != nil || len(refs) != 3 || refs[0].Part != 1 || refs[2].Part != 3 {
		t.Fatalf("resumed: refs=%+v err=%v", refs, err)
	}
	var got strings.Builder
	for i, msg := range unlimited.Messages() {
		if msg.Text != parts[i+1] {
			t.Errorf("message %d is not part %d", i, i+1)
		}
		got.WriteString(msg.Plain)
	}
	first, _ := faketelegram.ParseHTML(parts[0])
	want, _ := faketelegram.ParseHTML(text)
	if first+got.String() != want {
		t.Error("the parts do not add up to the message")
	}
}
