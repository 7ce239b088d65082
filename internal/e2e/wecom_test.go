package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/notify/wecom"
	"github.com/heraldhq/herald/internal/template"
	"github.com/heraldhq/herald/internal/testutil/fakewecom"
)

// wecomConfig writes a herald.yml with one WeCom channel, the default for
// every alert.
func wecomConfig(t *testing.T, fake *fakewecom.Server, channel, extra string) string {
	t.Helper()
	return writeConfig(t, t.TempDir(), "127.0.0.1:0", "5s", fmt.Sprintf(`channels:
  - name: wecom
    wecom:
      url: %s
%s
default_channel: wecom
%s`, fake.URL(), channel, extra))
}

func types(msgs []fakewecom.Message) string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Type)
	}
	return strings.Join(out, ",")
}

// The real Alertmanager payload reaches the robot as markdown, the chart as
// an image message (the fake checks base64, md5, size and format) and a
// text message mentioning the configured phone; its resolution as markdown
// and the resolved chart, without mentions. Each once, whatever
// Alertmanager's retries.
func TestWeComFiringAndResolved(t *testing.T) {
	fake := fakewecom.New(t, fakewecom.Config{})
	cfg := wecomConfig(t, fake, "      mention: {mobiles: ['13800001111'], user_ids: [zhangsan]}",
		fmt.Sprintf("prometheus:\n  url: %s\ngraph:\n  timeout: 5s\n", fakePrometheus(t)))
	h := startHerald(t, cfg)
	nasty := withJob(`node<font color=\"warning\">**x** <@all> 日本語 🚀`)
	h.postAlerts(t, "firing", 3, realPayload(t, nasty...))
	msgs, err := fake.WaitMessages(3, 15*time.Second)
	if err != nil {
		t.Fatalf("%v\n%s", err, types(msgs))
	}
	if types(msgs) != "markdown,image,text" {
		t.Fatalf("firing sent %s", types(msgs))
	}
	md := msgs[0].Content
	for _, want := range []string{"### 🔥 HostMemoryLow", `<font color="warning">critical</font>`, "node-2.example:9100",
		// Label values are data: markup characters arrive as look-alikes.
		template.WeComText(`node<font color="warning">**x** <@all> 日本語 🚀`), "[Silence](http://alertmanager.example:9093/#/silences/new?", "<@zhangsan>"} {
		if !strings.Contains(md, want) {
			t.Errorf("firing markdown lacks %q:\n%s", want, md)
		}
	}
	if img := msgs[1]; img.ImageFormat != "png" || img.Width < 100 {
		t.Errorf("chart %s %dx%d", img.ImageFormat, img.Width, img.Height)
	}
	if txt := msgs[2]; strings.Join(txt.MentionedMobileList, ",") != "13800001111" || !strings.Contains(txt.Content, "HostMemoryLow") {
		t.Errorf("mention %+v", txt)
	}

	h.postAlerts(t, "resolved", 2, resolvedPayload(t, nasty...))
	if msgs, err = fake.WaitMessages(5, 15*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, types(msgs))
	}
	settle()
	msgs = fake.Messages()
	if types(msgs) != "markdown,image,text,markdown,image" {
		t.Fatalf("messages %s, want firing and resolved once each", types(msgs))
	}
	if md := msgs[3].Content; !strings.Contains(md, "### ✅ RESOLVED HostMemoryLow") || !strings.Contains(md, "resolved after 10m") ||
		strings.Contains(md, "<@zhangsan>") {
		t.Errorf("resolved markdown:\n%s", md)
	}
	if st := fake.Stats(); st.RateLimited != 0 || st.Errors != 0 {
		t.Errorf("fake stats %+v", st)
	}
	if strings.Contains(h.Log.String(), fake.Key()) {
		t.Error("the robot key appears in the log")
	}
}

// stormPayload is one Alertmanager notification of alerts first..first+n-1.
func stormPayload(first, n int) string {
	var alerts []string
	for i := first; i < first+n; i++ {
		alerts = append(alerts, fmt.Sprintf(`{"status":"firing","labels":{"alertname":"DiskAlmostFull","instance":"host-%03d:9100","job":"node","severity":"warning"},
 "annotations":{"summary":"磁盘 /data 使用率超过 90%%，请尽快清理（host-%03d），否则写入失败将影响下游服务"},"startsAt":"2026-11-21T04:09:41Z","endsAt":"0001-01-01T00:00:00Z",
 "generatorURL":"http://prometheus.example:9090/graph?g0.expr=up","fingerprint":"%016x"}`, i, i, i+1))
	}
	return fmt.Sprintf(`{"receiver":"hook","status":"firing","alerts":[%s],"groupLabels":{"alertname":"DiskAlmostFull"},
 "commonLabels":{"alertname":"DiskAlmostFull","job":"node","severity":"warning"},"commonAnnotations":{},
 "externalURL":"http://alertmanager.example:9093","version":"4","groupKey":"{}:{alertname=\"DiskAlmostFull\"}","truncatedAlerts":0}`,
		strings.Join(alerts, ","))
}

// A storm of 500 alerts in 50 notifications reaches the robot without a
// single 45009 and without losing or repeating one. WeCom allows 20
// messages a minute; the fake and Herald's limiter both get a window scaled
// to 3 s so that the storm takes seconds. Folding puts up to 100 alerts in
// one message, split into several markdown messages over 4096 bytes, plus
// a mention each: well over 20 messages, so the limiter has work to do.
func TestWeComStorm500(t *testing.T) {
	const (
		notifications = 50
		perNote       = 10
		total         = notifications * perNote
		window        = 3 * time.Second
	)
	fake := fakewecom.New(t, fakewecom.Config{Limit: fakewecom.DefaultLimit, Window: window})
	// Herald's robot for this URL keeps to the same scaled limit.
	h := startHeraldWith(t, wecomConfig(t, fake, "      mention: {mobiles: ['13800001111']}\n    storm_threshold: 10", ""),
		notify.NewShared(wecom.WithRobot(fake.URL(), wecom.WithPlatformLimit(fakewecom.DefaultLimit, window))))
	start := time.Now()
	var wg sync.WaitGroup
	for w := range 5 {
		wg.Go(func() {
			for i := w; i < notifications; i += 5 {
				if code, body := h.post(t, "/api/v1/alerts", stormPayload(i*perNote, perNote)); code != 200 {
					t.Errorf("notification %d: %d %s", i, code, body)
				}
			}
		})
	}
	wg.Wait()
	inst := regexp.MustCompile(`host-\d{3}:9100`)
	count := func() map[string]int {
		seen := map[string]int{}
		for _, md := range fake.Markdown() {
			for _, s := range inst.FindAllString(md, -1) {
				seen[s]++
			}
		}
		return seen
	}
	deadline := time.Now().Add(25 * time.Second)
	for len(count()) < total && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	took := time.Since(start)
	settle()
	seen, st, msgs := count(), fake.Stats(), fake.Messages()
	t.Logf("%d alerts in %d messages (%d markdown) in %v; 45009 answers %d", len(seen), len(msgs), len(fake.Markdown()),
		took.Round(time.Millisecond), st.RateLimited)
	if st.RateLimited != 0 || st.Errors != 0 {
		t.Fatalf("the fake refused messages: %+v", st)
	}
	if len(seen) != total {
		t.Fatalf("%d of %d alerts arrived", len(seen), total)
	}
	for s, n := range seen {
		if n != 1 {
			t.Errorf("%s arrived %d times", s, n)
		}
	}
	if len(msgs) <= fakewecom.DefaultLimit {
		t.Errorf("only %d messages: the storm did not test the limit", len(msgs))
	}
	if !strings.Contains(strings.Join(fake.Markdown(), "\n"), "alerts firing") {
		t.Error("the storm was not folded into lists")
	}
}
