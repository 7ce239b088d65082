package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/notify/dingtalk"
	"github.com/heraldhq/herald/internal/template"
	"github.com/heraldhq/herald/internal/testutil/fakedingtalk"
)

const dingMobile = "13800000000"

// dingtalkConfig writes a herald.yml whose only channel posts to the fake
// DingTalk's default robot, signed, mentioning dingMobile.
func dingtalkConfig(t *testing.T, fake *fakedingtalk.Server, dir, channelExtra string) string {
	t.Helper()
	return writeConfig(t, dir, "127.0.0.1:0", "5s", fmt.Sprintf(`channels:
  - name: ding
    dingtalk:
      url: %s
      secret: %s
      mention:
        mobiles: ["%s"]
%s
default_channel: ding
`, fake.WebhookURL(), fakedingtalk.DefaultSecret, dingMobile, channelExtra))
}

// A real Alertmanager payload reaches DingTalk as a signed markdown
// message that names the alert and calls the configured mobile; its
// resolution arrives as a message of its own; duplicates change nothing.
func TestDingTalkFiringAndResolvedOnce(t *testing.T) {
	fake := fakedingtalk.New(t, fakedingtalk.Config{})
	h := startHerald(t, dingtalkConfig(t, fake, t.TempDir(), ""))
	h.postAlerts(t, "firing", 3, realPayload(t, withJob(nastyJob)...))
	msgs, err := fake.WaitMessages(1, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	first := msgs[0]
	if first.MsgType != "markdown" || !first.Signed || first.Title != "🔥 HostMemoryLow node-2.example:9100 · critical" {
		t.Errorf("firing: type %q, signed %v, title %q", first.MsgType, first.Signed, first.Title)
	}
	for _, want := range []string{"### 🔥 **HostMemoryLow** · critical", "instance=node-2.example:9100",
		// Label values are data: markup characters arrive as look-alikes.
		"job=" + template.DingTalkText(nastyJob), "[Source](http://prometheus.example:9090/graph?", "[Silence](http://alertmanager.example:9093/#/silences/new?filter=",
		"@" + dingMobile} {
		if !strings.Contains(first.Text, want) {
			t.Errorf("firing message lacks %q:\n%s", want, first.Text)
		}
	}
	if len(first.AtMobiles) != 1 || first.AtMobiles[0] != dingMobile {
		t.Errorf("at %v", first.AtMobiles)
	}

	h.postAlerts(t, "resolved", 2, resolvedPayload(t, withJob(nastyJob)...))
	if _, err := fake.WaitMessages(2, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	settle()
	msgs = fake.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want firing and resolved once each", len(msgs))
	}
	res := msgs[1]
	if res.Title != "✅ RESOLVED: HostMemoryLow node-2.example:9100" || !strings.Contains(res.Text, "### ✅ RESOLVED **HostMemoryLow**") ||
		!strings.Contains(res.Text, "resolved after 10m") || strings.Contains(res.Text, "[Silence]") {
		t.Errorf("resolved: title %q\n%s", res.Title, res.Text)
	}
	if len(res.AtMobiles) != 0 || strings.Contains(res.Text, "@"+dingMobile) {
		t.Error("a resolution calls people")
	}
	if w := fake.Warnings(); len(w) != 0 {
		t.Errorf("fake warnings: %v", w)
	}
	if st := fake.Stats(); st.Errors != 0 || st.TooFast != 0 {
		t.Errorf("fake stats %+v", st)
	}
	for _, secret := range []string{fakedingtalk.DefaultToken, fakedingtalk.DefaultSecret} {
		if strings.Contains(h.Log.String(), secret) {
			t.Errorf("the log holds a secret of the robot")
		}
	}
}

// dingStormPayload is a real Alertmanager payload carrying alerts first to
// first+n-1, each with its own instance and fingerprint.
func dingStormPayload(t *testing.T, first, n int) string {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal([]byte(realPayload(t)), &p); err != nil {
		t.Fatal(err)
	}
	template := p["alerts"].([]any)[0].(map[string]any)
	var alerts []any
	for i := first; i < first+n; i++ {
		a := map[string]any{}
		for k, v := range template {
			a[k] = v
		}
		a["labels"] = map[string]any{"alertname": "StormAlert", "severity": "warning", "job": "node", "instance": dingStormInstance(i)}
		a["annotations"] = map[string]any{"summary": "queue backlog growing"}
		a["fingerprint"] = fmt.Sprintf("%016x", 0x5707000+i)
		alerts = append(alerts, a)
	}
	p["alerts"] = alerts
	p["groupLabels"] = map[string]any{"alertname": "StormAlert"}
	p["commonLabels"] = map[string]any{"alertname": "StormAlert", "severity": "warning", "job": "node"}
	p["groupKey"] = fmt.Sprintf(`{}:{alertname="StormAlert", batch="%d"}`, first)
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func dingStormInstance(i int) string { return fmt.Sprintf("storm-%04d.example:9100", i) }

// The "Done when" storm: 500 alerts in 50 notifications reach DingTalk
// without a single "send too fast" and without losing or repeating one.
// DingTalk's minute is scaled to 3 s, on the fake and in Herald alike, so
// that 20 messages a minute become 20 in 3 s and the storm takes seconds.
func TestDingTalkStorm500(t *testing.T) {
	const window = 3 * time.Second
	const notifications, perNotification = 50, 10
	fake := fakedingtalk.New(t, fakedingtalk.Config{Limit: dingtalk.RobotMessages, Window: window})
	h := startHeraldWith(t, dingtalkConfig(t, fake, t.TempDir(), "    storm_threshold: 10"),
		notify.NewShared(dingtalk.WithRobotLimit(fake.WebhookURL(), dingtalk.RobotMessages, window)))
	start := time.Now()
	for i := range notifications {
		if code, body := h.post(t, "/api/v1/alerts", dingStormPayload(t, i*perNotification, perNotification)); code != 200 {
			t.Fatalf("notification %d: %d %s", i, code, body)
		}
	}
	total := notifications * perNotification
	count := func() (map[string]int, string) {
		seen := map[string]int{}
		var all strings.Builder
		for _, m := range fake.Messages() {
			all.WriteString(m.Text)
			all.WriteByte('\n')
		}
		text := all.String()
		for i := range total {
			if c := strings.Count(text, dingStormInstance(i)); c > 0 {
				seen[dingStormInstance(i)] = c
			}
		}
		return seen, text
	}
	deadline := time.Now().Add(25 * time.Second)
	for {
		if seen, _ := count(); len(seen) == total {
			break
		}
		if time.Now().After(deadline) {
			seen, _ := count()
			t.Fatalf("%d of %d alerts delivered after %v; fake stats %+v", len(seen), total, time.Since(start), fake.Stats())
		}
		time.Sleep(100 * time.Millisecond)
	}
	took := time.Since(start)
	// Anything still queued (a duplicate) would arrive within the window.
	time.Sleep(window)
	seen, _ := count()
	for i := range total {
		if c := seen[dingStormInstance(i)]; c != 1 {
			t.Errorf("%s delivered %d times", dingStormInstance(i), c)
		}
	}
	st := fake.Stats()
	if st.TooFast != 0 || st.Errors != 0 {
		t.Errorf("fake stats %+v: DingTalk answered \"too fast\" or refused a message", st)
	}
	if w := fake.Warnings(); len(w) != 0 {
		t.Errorf("fake warnings: %v", w)
	}
	t.Logf("%d alerts in %d messages in %v", total, st.OK, took.Round(time.Millisecond))
}
