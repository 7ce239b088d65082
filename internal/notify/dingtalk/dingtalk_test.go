package dingtalk

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakedingtalk"
)

const chartURL = "https://herald.example/images/0123abcd.png?exp=1740900000&sig=Zm9v"

func TestPayloads(t *testing.T) {
	t.Parallel()
	mention := &Mention{Mobiles: []string{"13800000000", " 13900000000 "}, UserIDs: []string{"manager7"}}
	resolved := message(alert.KindResolved, cpu())
	resolved.Previous = []notify.Ref{{Part: 0, ChatID: "dingtalk:abc"}}
	withChart := message(alert.KindFiring, cpu())
	withChart.Image = &notify.Image{PNG: []byte("png"), URL: chartURL}
	for _, tc := range []struct {
		name    string
		mention *Mention
		msg     *notify.Message
		title   string
		want    []string // in the text, in this order
		absent  []string
		at      []string // atMobiles then atUserIds
		atAll   bool
	}{
		{name: "firing", msg: message(alert.KindFiring, cpu()), title: "🔥 HighCPU web-1:9100 · critical",
			want: []string{"### 🔥 **HighCPU** · critical", "**CPU at 97%**", "instance=web-1:9100, job=node",
				"**Started:** 12:00 UTC, firing for 30m", "[Source](http://prometheus:9090/graph?g0.expr=up)", "[Silence](http://alertmanager:9093/#/silences/new?filter="},
			absent: []string{"![chart]", "@"}},
		{name: "firing with chart and mentions", mention: mention, msg: withChart, title: "🔥 HighCPU web-1:9100 · critical",
			want: []string{"### 🔥 **HighCPU**", "[Silence](", "![chart](" + chartURL + ")", "@13800000000 @13900000000 @manager7"},
			at:   []string{"13800000000", "13900000000", "manager7"}},
		{name: "everyone", mention: &Mention{All: true}, msg: message(alert.KindFiring, cpu()),
			title: "🔥 HighCPU web-1:9100 · critical", want: []string{"HighCPU"}, atAll: true},
		{name: "resolved: a new message, nobody called", mention: mention, msg: resolved, title: "✅ RESOLVED: HighCPU web-1:9100",
			want:   []string{"### ✅ RESOLVED **HighCPU**", "resolved after 5m", "[Source]("},
			absent: []string{"[Silence]", "@13800000000"}},
		{name: "reminder", mention: mention, msg: message(alert.KindReminder, cpu()), title: "🔁 still firing: HighCPU web-1:9100",
			want: []string{"### 🔁 still firing for 30m: **HighCPU** web-1:9100", "CPU at 97%", "@13800000000"},
			at:   []string{"13800000000", "13900000000", "manager7"}},
		{name: "folded", msg: storm(3), title: "🔥 3 alerts firing",
			want: []string{"### 🔥 3 alerts firing", "- ⚠️ **DiskFull** node-0000:9100 — disk almost full",
				"- ⚠️ **DiskFull** node-0002:9100", "[Alertmanager](http://alertmanager:9093/#/alerts)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFake(t, fakedingtalk.Config{})
			cfg := channelConfig(fake)
			cfg.Mention = tc.mention
			refs, retry, err := newNotifier(t, cfg, nil).Notify(alerts.Context(t, 5*time.Second), tc.msg)
			if err != nil || retry || len(refs) != 1 {
				t.Fatalf("refs %v, retry %v, err %v", refs, retry, err)
			}
			if refs[0].ChatID == "" || strings.Contains(refs[0].ChatID, fakedingtalk.DefaultToken) || refs[0].Folded != tc.msg.Folded {
				t.Errorf("ref %+v", refs[0])
			}
			m := fake.Messages()[0]
			if m.MsgType != "markdown" || m.Title != tc.title {
				t.Errorf("msgtype %q, title %q, want %q", m.MsgType, m.Title, tc.title)
			}
			rest := m.Text
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("text lacks %q (or out of order):\n%s", w, m.Text)
				}
				rest = rest[i+len(w):]
			}
			for _, a := range tc.absent {
				if strings.Contains(m.Text, a) {
					t.Errorf("text has %q:\n%s", a, m.Text)
				}
			}
			if got := append(m.AtMobiles, m.AtUserIDs...); strings.Join(got, ",") != strings.Join(tc.at, ",") || m.IsAtAll != tc.atAll {
				t.Errorf("at %v all %v, want %v all %v", got, m.IsAtAll, tc.at, tc.atAll)
			}
			if w := fake.Warnings(); len(w) != 0 {
				t.Errorf("fake warnings: %v", w)
			}
		})
	}
}

// A chart without a hosted URL cannot reach DingTalk: the message goes
// without it, and the log says so once for the channel, not per message.
func TestChartWithoutURLLoggedOnce(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakedingtalk.Config{})
	var logs alerts.LogBuffer
	n := newNotifier(t, channelConfig(fake), logs.Logger())
	for range 3 {
		m := message(alert.KindFiring, cpu())
		m.Image = &notify.Image{PNG: []byte("png")}
		if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), m); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range fake.Messages() {
		if strings.Contains(m.Text, "![") {
			t.Errorf("image without URL:\n%s", m.Text)
		}
	}
	if c := strings.Count(logs.String(), "external_url"); c != 1 {
		t.Errorf("logged %d times:\n%s", c, logs.String())
	}
}

// A message in several parts goes out as several messages marked (i/n);
// a retry after a failure sends only the parts still missing.
func TestPartsAndResume(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakedingtalk.Config{})
	cfg := channelConfig(fake)
	cfg.Mention = &Mention{Mobiles: []string{"13800000000"}}
	var lines []string
	for i := range 900 {
		lines = append(lines, "- line "+strings.Repeat("x", 40)+" "+string(rune('a'+i%26)))
	}
	n := fixed(newNotifier(t, cfg, nil), "🔥 many", strings.Join(lines, "\n"))
	m := message(alert.KindFiring, cpu())
	fake.FailNext(1, fakedingtalk.FaultNone) // the first part goes through
	fake.FailNext(1, fakedingtalk.FaultInternal)
	refs, retry, err := n.Notify(alerts.Context(t, 5*time.Second), m)
	if err == nil || !retry || len(refs) != 1 || refs[0].Part != 0 {
		t.Fatalf("refs %v, retry %v, err %v", refs, retry, err)
	}
	m.SentParts = len(refs)
	refs, _, err = n.Notify(alerts.Context(t, 5*time.Second), m)
	if err != nil || len(refs) != 2 || refs[0].Part != 1 || refs[1].Part != 2 {
		t.Fatalf("resumed: refs %v, err %v", refs, err)
	}
	msgs := fake.Messages()
	if len(msgs) != 3 {
		t.Fatalf("%d messages", len(msgs))
	}
	for i, msg := range msgs {
		marker := partMarker(i+1, 3)
		if !strings.HasSuffix(msg.Title, marker) || !strings.HasSuffix(msg.Text, marker) {
			t.Errorf("part %d: title %q, text ends %q", i, msg.Title, msg.Text[len(msg.Text)-20:])
		}
		if len(msg.Body) > MaxBodyBytes {
			t.Errorf("part %d: %d bytes", i, len(msg.Body))
		}
		if (i == 0) != (len(msg.AtMobiles) > 0) {
			t.Errorf("part %d: mentions %v (want them on the first part only)", i, msg.AtMobiles)
		}
	}
	if got := strings.Count(msgs[0].Text+msgs[1].Text+msgs[2].Text, "- line "); got != 900 {
		t.Errorf("%d lines delivered, want 900", got)
	}
	if w := fake.Warnings(); len(w) != 0 {
		t.Errorf("fake warnings: %v", w)
	}
}

// A folded storm of 100 alerts arrives whole: every alert named once.
func TestFoldedStormNamesEveryAlert(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakedingtalk.Config{})
	n := newNotifier(t, channelConfig(fake), nil)
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), storm(100)); err != nil {
		t.Fatal(err)
	}
	var all string
	for _, m := range fake.Messages() {
		all += m.Text
	}
	for i := range 100 {
		inst := fmt.Sprintf("node-%04d:9100", i)
		if c := strings.Count(all, inst); c != 1 {
			t.Errorf("%s named %d times", inst, c)
		}
	}
}
