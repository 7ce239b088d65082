package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/alertmanager"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
	"github.com/heraldhq/herald/internal/testutil/realproc"
)

func TestAlertsFromAlertmanager(t *testing.T) {
	t.Parallel()
	am, client := startAlertmanager(t)
	e := newEnv(t)
	e.deps.Alertmanager = client
	e.routes.set(groupID, "a", "ops")
	e.start()
	am.Post(t,
		realproc.PostableAlert{Labels: map[string]string{"alertname": "DiskFull", "instance": "db1", "team": "a"},
			Annotations: map[string]string{"summary": "Disk <full> & more"}},
		realproc.PostableAlert{Labels: map[string]string{"alertname": "CPUHigh", "instance": "web1", "team": "b"}})

	mine := e.ask(groupID, bob, "/alerts")
	mustContain(t, "/alerts", mine, "Firing: 1", "(page 1 of 1)", "from Alertmanager", "<b>DiskFull</b> instance=db1",
		"Disk &lt;full&gt; &amp; more")
	if strings.Contains(mine, "CPUHigh") {
		t.Errorf("/alerts lists what the chat does not receive: %q", mine)
	}
	all := e.ask(groupID, alice, "/alerts all")
	mustContain(t, "/alerts all", all, "Firing: 2", "<b>CPUHigh</b>", "<b>DiskFull</b>")
	if strings.Index(all, "CPUHigh") > strings.Index(all, "DiskFull") {
		t.Errorf("not sorted by name: %q", all)
	}
	if got := e.ask(groupID, bob, "/alerts all"); got != "Only the bot's admins can do that here." {
		t.Errorf("Bob's /alerts all: %q", got)
	}
	mustContain(t, "/alerts all with matchers", e.ask(groupID, alice, `/alerts all team="b"`), "Firing: 1", "CPUHigh")
	mustContain(t, "another team's", e.ask(groupID, bob, `/alerts team="b"`), "Nothing is firing for this chat.")
	mustContain(t, "bad matchers", e.ask(groupID, bob, `/alerts team=~"("`), "Example: <code>")
	mustContain(t, "a chat that receives nothing", e.ask(bobID, bob, "/alerts"), "Nothing is firing")

	// Silenced alerts are not firing for anyone.
	if _, err := client.CreateSilence(ctx(t), alertmanager.Silence{EndsAt: time.Now().Add(time.Hour), CreatedBy: "test",
		Matchers: alertmanager.MatchersFromLabels(map[string]string{"alertname": "DiskFull"})}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, "/alerts after a silence", e.ask(groupID, bob, "/alerts"), "Nothing is firing")
}

func TestAlertsPages(t *testing.T) {
	t.Parallel()
	am, client := startAlertmanager(t)
	e := newEnv(t)
	e.deps.Alertmanager = client
	e.routes.set(groupID, "a")
	e.start()
	var alerts []realproc.PostableAlert
	for i := range 13 {
		alerts = append(alerts, realproc.PostableAlert{Labels: map[string]string{"alertname": fmt.Sprintf("Flood%02d", i), "team": "a"}})
	}
	am.Post(t, alerts...)

	sent := only(e.say(groupID, bob, "/alerts"), "sendMessage")
	if len(sent) != 1 {
		t.Fatalf("sent %+v", sent)
	}
	page1 := sent[0].Params["text"]
	mustContain(t, "page 1", page1, "Firing: 13", "(page 1 of 2)", "Flood00", "Flood09")
	if strings.Contains(page1, "Flood10") {
		t.Errorf("page 1 has more than 10 alerts: %q", page1)
	}
	msg := lastMessage(t, e.tg, groupID)
	if got := e.keyboard(groupID, msg); len(got) != 1 || strings.Join(got[0], " ") != "🔄 Refresh ▶️" {
		t.Fatalf("keyboard %v", got)
	}
	ans, calls := e.press(groupID, msg, bob, "▶️")
	edits := only(calls, "editMessageText")
	if len(edits) != 1 || ans.ShowAlert {
		t.Fatalf("▶️: %+v, calls %+v", ans, calls)
	}
	mustContain(t, "page 2", edits[0].Params["text"], "(page 2 of 2)", "Flood10", "Flood12")
	if got := e.keyboard(groupID, msg); len(got) != 1 || strings.Join(got[0], " ") != "◀️ 🔄 Refresh" {
		t.Errorf("page 2's keyboard %v", got)
	}
	e.press(groupID, msg, bob, "◀️")
	if m, _ := e.tg.Message(groupID, msg); !strings.Contains(m.Text, "(page 1 of 2)") {
		t.Errorf("back to page 1: %q", m.Text)
	}

	// An admin's "all" list pages for admins only.
	all := only(e.say(groupID, alice, "/alerts all"), "sendMessage")
	if len(all) != 1 {
		t.Fatalf("/alerts all: %+v", all)
	}
	msg = lastMessage(t, e.tg, groupID)
	if ans, _ := e.press(groupID, msg, bob, "▶️"); ans.Text != "Only the bot's admins can do that here." {
		t.Errorf("Bob paging Alice's list: %+v", ans)
	}
	// Lists expire after a day.
	e.clock.Add(25 * time.Hour)
	if ans, _ := e.press(groupID, msg, alice, "▶️"); ans.Text != "This button has expired." {
		t.Errorf("a day-old list: %+v", ans)
	}
}

// lastMessage is the id of the bot's last message in chat.
func lastMessage(t *testing.T, tg *faketelegram.Server, chat int64) int64 {
	t.Helper()
	msgs := tg.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].ChatID == chat {
			return msgs[i].ID
		}
	}
	t.Fatalf("no message in %d", chat)
	return 0
}

func TestAlertsFromTheStore(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.routes.set(groupID, "a")
	e.start()
	now := time.Now()
	n := &alert.Notification{Version: "4", GroupKey: `{}:{alertname="DiskFull"}`}
	n.Receiver, n.Status = "herald", "firing"
	n.Alerts = amtemplate.Alerts{
		{Status: "firing", Fingerprint: "f1", StartsAt: now.Add(-2 * time.Hour),
			Labels: amtemplate.KV{"alertname": "DiskFull", "instance": "db1", "team": "a"}},
		{Status: "firing", Fingerprint: "f2", StartsAt: now.Add(-time.Hour),
			Labels: amtemplate.KV{"alertname": "CPUHigh", "instance": "web1", "team": "b"}},
	}
	ops := []alert.Target{{Channel: "ops", SendResolved: true}}
	if _, err := e.store.Ingest(ctx(t), &store.Ingest{Notification: n, Targets: [][]alert.Target{ops, ops}, ReceivedAt: now}); err != nil {
		t.Fatal(err)
	}
	got := e.ask(groupID, bob, "/alerts")
	mustContain(t, "/alerts", got, "Firing: 1", "from Herald's store", "<b>DiskFull</b> instance=db1")
	if strings.Contains(got, "CPUHigh") {
		t.Errorf("lists another team's alert: %q", got)
	}
	mustContain(t, "/alerts all", e.ask(groupID, alice, `/alerts all instance=~"web.*"`), "Firing: 1", "CPUHigh")
}

// TestAlertsPageFitsOneMessage: ten alerts with long names, labels and
// summaries (Kubernetes pod names, templated summaries) still make a page
// Telegram takes.
func TestAlertsPageFitsOneMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.routes.set(groupID, "a")
	e.start()
	now := time.Now()
	n := &alert.Notification{Version: "4", GroupKey: `{}:{}`}
	n.Receiver, n.Status = "herald", "firing"
	var targets [][]alert.Target
	for i := range 12 {
		n.Alerts = append(n.Alerts, amtemplate.Alert{Status: "firing", Fingerprint: fmt.Sprintf("f%d", i), StartsAt: now.Add(-time.Hour),
			Labels: amtemplate.KV{"team": "a",
				"alertname": fmt.Sprintf("KubernetesPodCrashLoopingInProductionNamespaceForTooLong%02d", i),
				"instance":  strings.Repeat("ip-10-100-200-250.eu-central-1.compute.internal:9100/", 2),
				"job":       strings.Repeat("kubernetes-service-endpoints-", 3),
				"severity":  strings.Repeat("critical-page-the-on-call-", 3)},
			Annotations: amtemplate.KV{"summary": strings.Repeat("Pod <payments-api-7d9f8b6c5d-x2x4z> is restarting & failing; ", 4)}})
		targets = append(targets, []alert.Target{{Channel: "ops"}})
	}
	if _, err := e.store.Ingest(ctx(t), &store.Ingest{Notification: n, Targets: targets, ReceivedAt: now}); err != nil {
		t.Fatal(err)
	}
	sent := only(e.say(groupID, bob, "/alerts"), "sendMessage")
	if len(sent) != 1 || !sent[0].OK {
		t.Fatalf("/alerts: %+v", sent)
	}
	plain, err := faketelegram.ParseHTML(sent[0].Params["text"])
	if err != nil || faketelegram.UTF16Len(plain) > faketelegram.MaxTextLength {
		t.Errorf("%d characters (%v)", faketelegram.UTF16Len(plain), err)
	}
	// Every alert is on some page.
	seen := 0
	msg := lastMessage(t, e.tg, groupID)
	for page := 0; ; page++ {
		m, _ := e.tg.Message(groupID, msg)
		seen += strings.Count(m.Text, "🔥")
		if _, ok := m.ReplyMarkup.Find("▶️"); !ok || page > 12 {
			break
		}
		e.press(groupID, msg, bob, "▶️")
	}
	if seen != 12 {
		t.Errorf("%d alerts on the pages, want 12", seen)
	}
}
