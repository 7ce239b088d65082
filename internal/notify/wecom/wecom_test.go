package wecom

import (
	"strings"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakewecom"
)

// nasty label values: WeCom markdown specials, a mention, HTML, emoji, CJK.
var nasty = amtemplate.KV{
	"alertname": "Disk <90% **low**",
	"instance":  "db_01:9100",
	"severity":  "critical",
	"mount":     "<@all> [x](http://evil.example) `rm`",
	"summary":   "🔥 磁盘空间不足 on db_01 <font color=\"red\">",
}

func TestNotifyFiring(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	robot := mustRobot(t, fake)
	n := newNotifier(t, robot, channelConfig(fake), nil)
	refs, retry, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, nasty))
	if err != nil || retry {
		t.Fatalf("retry=%v err=%v (fake: %s)", retry, err, fake.Stats().LastError)
	}
	msgs := fake.Messages()
	if len(msgs) != 1 || msgs[0].Type != "markdown" {
		t.Fatalf("messages = %+v", msgs)
	}
	md := msgs[0].Content
	for _, want := range []string{"### 🔥 Disk ＜90% ＊＊low＊＊", `<font color="warning">critical</font>`,
		"firing for 10m", "磁盘空间不足", "＜＠all＞ ［x］(http:／／evil.example) ｀rm｀", "db_01:9100",
		"[Source](http://prometheus:9090/graph?g0.expr=up+%3D%3D+0)", "[Silence](http://alertmanager:9093/#/silences/new?filter="} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	for _, bad := range []string{"<@all>", `<font color="red">`, "**low**"} {
		if strings.Contains(md, bad) {
			t.Errorf("a label value reached the markdown as markup %q:\n%s", bad, md)
		}
	}
	if len(refs) != 1 || refs[0].Part != 0 || refs[0].ChatID != robot.ID() || !strings.HasPrefix(refs[0].MessageID, "markdown-") || refs[0].Media {
		t.Errorf("refs = %+v", refs)
	}
}

func TestNotifyResolvedAndReminder(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	cfg := channelConfig(fake)
	cfg.Mention = &Mention{All: true, UserIDs: []string{"zhangsan"}}
	n := newNotifier(t, mustRobot(t, fake), cfg, nil)
	firing := message(alert.KindFiring, nasty)
	prev, _, err := n.Notify(alerts.Context(t, 5*time.Second), firing)
	if err != nil {
		t.Fatal(err)
	}
	resolved := message(alert.KindResolved, nasty)
	resolved.Previous = prev
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), resolved); err != nil {
		t.Fatal(err)
	}
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindReminder, nasty)); err != nil {
		t.Fatal(err)
	}
	msgs := fake.Messages()
	types := make([]string, len(msgs))
	for i, m := range msgs {
		types[i] = m.Type
	}
	// firing: markdown + mention text; resolved: markdown only (WeCom cannot
	// edit, and a resolution calls nobody); reminder: markdown + mention.
	if strings.Join(types, ",") != "markdown,text,markdown,markdown,text" {
		t.Fatalf("message types %v", types)
	}
	res := msgs[2].Content
	if !strings.Contains(res, "### ✅ RESOLVED Disk") || !strings.Contains(res, "resolved after 5m") ||
		strings.Contains(res, "Silence") || strings.Contains(res, "<@zhangsan>") {
		t.Errorf("resolved markdown:\n%s", res)
	}
	if rem := msgs[3].Content; !strings.Contains(rem, "🔁 still firing for 10m") || !strings.Contains(rem, "<@zhangsan>") {
		t.Errorf("reminder markdown:\n%s", rem)
	}
	if txt := msgs[4].Content; !strings.HasPrefix(txt, "🔁 still firing: Disk ＜90% ＊＊low＊＊ on db_01:9100") {
		t.Errorf("reminder mention text: %q", txt)
	}
}

func TestNotifyMentions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		mention  *Mention
		types    string
		markdown string // in the markdown's first part
		ids      []string
		mobiles  []string
	}{
		{name: "none", types: "markdown"},
		{name: "user ids in markdown", mention: &Mention{UserIDs: []string{"zhangsan", "li.si@corp"}},
			types: "markdown", markdown: "<@zhangsan> <@li.si@corp>"},
		{name: "all", mention: &Mention{All: true}, types: "markdown,text", ids: []string{"@all"}},
		{name: "mobiles", mention: &Mention{Mobiles: []string{"13800001111", " +86-13900002222 "}},
			types: "markdown,text", mobiles: []string{"13800001111", "+86-13900002222"}},
		{name: "everything", mention: &Mention{All: true, Mobiles: []string{"13800001111"}, UserIDs: []string{"wangwu"}},
			types: "markdown,text", markdown: "<@wangwu>", ids: []string{"@all"}, mobiles: []string{"13800001111"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t)
			cfg := channelConfig(fake)
			cfg.Mention = tt.mention
			n := newNotifier(t, mustRobot(t, fake), cfg, nil)
			if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, nasty)); err != nil {
				t.Fatalf("%v (fake: %s)", err, fake.Stats().LastError)
			}
			msgs := fake.Messages()
			var types []string
			for _, m := range msgs {
				types = append(types, m.Type)
			}
			if strings.Join(types, ",") != tt.types {
				t.Fatalf("types %v, want %s", types, tt.types)
			}
			if tt.markdown != "" && !strings.HasSuffix(msgs[0].Content, "\n"+tt.markdown) {
				t.Errorf("markdown does not end with %q:\n%s", tt.markdown, msgs[0].Content)
			}
			if len(msgs) > 1 {
				txt := msgs[1]
				if strings.Join(txt.MentionedList, ",") != strings.Join(tt.ids, ",") ||
					strings.Join(txt.MentionedMobileList, ",") != strings.Join(tt.mobiles, ",") {
					t.Errorf("mention text %+v", txt)
				}
				if !strings.HasPrefix(txt.Content, "🔥 firing: Disk") {
					t.Errorf("mention text content %q", txt.Content)
				}
			}
		})
	}
}

func TestNewRefusesBadMentions(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	for _, m := range []*Mention{
		{UserIDs: []string{"<@all>"}},
		{UserIDs: []string{"_leading"}},
		{Mobiles: []string{"call me"}},
		{UserIDs: []string{strings.Repeat("a", 60), strings.Repeat("b", 60), strings.Repeat("c", 60),
			strings.Repeat("d", 60), strings.Repeat("e", 60), strings.Repeat("f", 60), strings.Repeat("g", 60),
			strings.Repeat("h", 60), strings.Repeat("i", 60), strings.Repeat("j", 60), strings.Repeat("k", 60),
			strings.Repeat("l", 60), strings.Repeat("m", 60), strings.Repeat("n", 60), strings.Repeat("o", 60),
			strings.Repeat("p", 60), strings.Repeat("q", 60)}},
	} {
		cfg := channelConfig(fake)
		cfg.Mention = m
		if _, err := New("ops", cfg, mustRobot(t, fake), mustTemplates(t), nil); err == nil {
			t.Errorf("mention %+v accepted", m)
		}
	}
}

func TestNewRobotChecksURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"", "qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", "ftp://x/y?key=a",
		"https://qyapi.weixin.qq.com/cgi-bin/webhook/send", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key="} {
		if _, err := NewRobot(u); err == nil {
			t.Errorf("NewRobot(%q) accepted", u)
		}
	}
	r, err := NewRobot("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=secret-key-123")
	if err != nil || strings.Contains(r.String(), "secret-key-123") || !strings.HasPrefix(r.ID(), "robot-") {
		t.Fatalf("robot %v, err %v", r, err)
	}
	if r.rate.Events != 19 || r.rate.Per != time.Minute || !r.rate.Window {
		t.Errorf("default rate %+v, want 19 in any minute", r.rate)
	}
}

func TestSharedRobot(t *testing.T) {
	t.Parallel()
	u := "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=shared-test-robot"
	shared := notify.NewShared(WithRobot(u, WithPlatformLimit(20, 3*time.Second)))
	a, err := SharedRobot(shared, u)
	if err != nil {
		t.Fatal(err)
	}
	b, err := SharedRobot(shared, u) // the preset robot
	if err != nil || a != b || b.rate.Per != 3*time.Second || b.rate.Events != 19 {
		t.Fatalf("a=%p b=%p rate %+v err %v", a, b, b.rate, err)
	}
	if c, _ := SharedRobot(shared, u+"-other"); c == a || c.pace == a.pace {
		t.Error("two keys share a robot")
	}
	// The same key through another host (a proxy) is the same robot to
	// WeCom: its own client, the same pace.
	d, err := SharedRobot(shared, "http://proxy.example/cgi-bin/webhook/send?key=shared-test-robot")
	if err != nil || d == a || d.pace != a.pace {
		t.Errorf("same key, other URL: %v %v", d, err)
	}
	if e, _ := SharedRobot(notify.NewShared(), u); e == a || e.pace == a.pace {
		t.Error("two registries share a robot")
	}
}

// A retry resumes after the messages an earlier attempt sent: every
// message arrives once.
func TestNotifyResumes(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	cfg := channelConfig(fake)
	cfg.Mention = &Mention{All: true}
	n := newNotifier(t, mustRobot(t, fake), cfg, nil)
	m := message(alert.KindFiring, nasty)
	m.Image = &notify.Image{PNG: chartPNG(t, 300, 200)}
	fake.FailNext(1, fakewecom.FaultNone) // the markdown goes through
	fake.FailNext(1, fakewecom.FaultBusy) // the image does not
	refs, retry, err := n.Notify(alerts.Context(t, 5*time.Second), m)
	if err == nil || !retry || len(refs) != 1 || refs[0].Part != 0 {
		t.Fatalf("first attempt: refs %+v retry %v err %v", refs, retry, err)
	}
	m.SentParts = len(refs)
	refs, retry, err = n.Notify(alerts.Context(t, 5*time.Second), m)
	if err != nil || retry || len(refs) != 2 || refs[0].Part != 1 || !refs[0].Media || refs[1].Part != 2 {
		t.Fatalf("second attempt: refs %+v retry %v err %v", refs, retry, err)
	}
	var types []string
	for _, msg := range fake.Messages() {
		types = append(types, msg.Type)
	}
	if strings.Join(types, ",") != "markdown,image,text" {
		t.Fatalf("messages %v, want each once", types)
	}
	m.SentParts = 3
	if refs, _, err := n.Notify(alerts.Context(t, 5*time.Second), m); err != nil || len(refs) != 0 || len(fake.Messages()) != 3 {
		t.Errorf("a fully sent message was sent again: %v %v", refs, err)
	}
}

func TestNotifyTemplateFailureStillSends(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	cfg := channelConfig(fake)
	cfg.Message = `{{ template "no.such.template" . }}`
	n := newNotifier(t, mustRobot(t, fake), cfg, nil)
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, nasty)); err != nil {
		t.Fatal(err)
	}
	if md := fake.Markdown(); len(md) != 1 || !strings.Contains(md[0], "Disk") {
		t.Errorf("fallback markdown %q", md)
	}
}

func TestImageRefusedIsNotFatal(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	cfg := channelConfig(fake)
	cfg.Mention = &Mention{All: true}
	var logs alerts.LogBuffer
	n := newNotifier(t, mustRobot(t, fake), cfg, logs.Logger())
	n.maxImage = 3_000_000 // Herald thinks it fits; WeCom does not
	m := message(alert.KindFiring, nasty)
	m.Image = &notify.Image{PNG: noisePNG(t, 800, 700)} // ~2.2 MB
	refs, _, err := n.Notify(alerts.Context(t, 10*time.Second), m)
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 2 || refs[1].Part != 2 || len(fake.Messages()) != 2 {
		t.Errorf("refs %+v, messages %d", refs, len(fake.Messages()))
	}
	if !strings.Contains(logs.String(), "WeCom refused the chart") {
		t.Errorf("log:\n%s", logs.String())
	}
}
