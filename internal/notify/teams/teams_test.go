package teams

import (
	"slices"
	"strings"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/faketeams"
)

func TestFiringCard(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	n := newNotifier(t, mustHook(t, fake.URL(), noLimits), nil)
	m := message(alert.KindFiring, hostDown)
	a := &m.Data.Alerts[0]
	a.Annotations["description"] = "No scrape for 5 minutes.\n\nCheck the host."
	a.Annotations["runbook_url"] = "https://runbooks.example/HostDown"
	refs, retry, err := n.Notify(alerts.Context(t, 5*time.Second), m)
	if err != nil || retry {
		t.Fatalf("Notify: retry %v, %v", retry, err)
	}
	msgs := fake.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d posts", len(msgs))
	}
	got := msgs[0]
	if len(refs) != 1 || refs[0] != (notify.Ref{Part: 0, MessageID: got.RunID}) {
		t.Errorf("refs %+v, run id %q", refs, got.RunID)
	}
	if got.Version != CardVersion || got.Style != "attention" {
		t.Errorf("version %q style %q", got.Version, got.Style)
	}
	want := "🔥 HostDown · critical on node-2:9100\n" +
		"node-2 is down\n" +
		"No scrape for 5 minutes.\n" +
		"Check the host.\n" +
		"Started 12:00 UTC, firing for 12m"
	if got.Plain != want {
		t.Errorf("card text:\n%s\nwant:\n%s", got.Plain, want)
	}
	if !slices.Equal(got.Facts, []faketeams.Fact{{Title: "instance", Value: "node-2:9100"}, {Title: "job", Value: "node"}}) {
		t.Errorf("facts %+v", got.Facts)
	}
	if ts := titles(got.Actions); !slices.Equal(ts, []string{"Source", "Silence", "Runbook"}) {
		t.Fatalf("buttons %v", ts)
	}
	if got.Actions[0].URL != a.GeneratorURL || got.Actions[2].URL != "https://runbooks.example/HostDown" ||
		!strings.HasPrefix(got.Actions[1].URL, "http://alertmanager:9093/#/silences/new?filter=") {
		t.Errorf("button URLs %+v", got.Actions)
	}
	if len(got.Images) != 0 {
		t.Errorf("an image without a chart: %+v", got.Images)
	}
}

func TestCards(t *testing.T) {
	t.Parallel()
	warning := amtemplate.KV{"alertname": "DiskFilling", "instance": "db-1:9100", "severity": "warning"}
	info := amtemplate.KV{"alertname": "Deploy", "severity": "info"}
	unknown := amtemplate.KV{"alertname": "Odd", "severity": "p7"}
	noExternal := message(alert.KindFiring, hostDown)
	noExternal.Data.ExternalURL = ""
	badLinks := message(alert.KindFiring, hostDown)
	badLinks.Data.Alerts[0].GeneratorURL = "/graph?g0.expr=up"
	badLinks.Data.Alerts[0].Annotations["runbook_url"] = "javascript:alert(1)"
	for _, tc := range []struct {
		name    string
		m       *notify.Message
		style   string
		buttons []string
		facts   int
		text    []string
	}{
		{"warning", message(alert.KindFiring, warning), "warning", []string{"Source", "Silence"}, 1, []string{"⚠️ DiskFilling · warning on db-1:9100"}},
		{"info", message(alert.KindFiring, info), "accent", []string{"Source", "Silence"}, 0, []string{"ℹ️ Deploy · info"}},
		{"unknown severity", message(alert.KindFiring, unknown), "warning", []string{"Source", "Silence"}, 0, []string{"🔔 Odd · p7"}},
		{"resolved", message(alert.KindResolved, hostDown), "good", []string{"Source"}, 2,
			[]string{"✅ RESOLVED: HostDown on node-2:9100", "Started 12:00 UTC, resolved after 5m"}},
		{"reminder", message(alert.KindReminder, hostDown), "attention", []string{"Source", "Silence"}, 0,
			[]string{"🔁 Still firing for 12m: HostDown on node-2:9100\nnode-2 is down"}},
		{"folded", message(alert.KindFiring, warning, hostDown, info), "attention", []string{"Alertmanager"}, 0,
			[]string{"🔥 3 alerts firing\n⚠️ DiskFilling on db-1:9100\n🔥 HostDown on node-2:9100 — node-2 is down\nℹ️ Deploy"}},
		{"folded resolved", message(alert.KindResolved, warning, hostDown), "good", []string{"Alertmanager"}, 0,
			[]string{"✅ 2 alerts resolved\n✅ DiskFilling"}},
		{"no external url", noExternal, "attention", []string{"Source"}, 2, nil},
		{"bad links", badLinks, "attention", []string{"Silence"}, 2, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFake(t)
			n := newNotifier(t, mustHook(t, fake.URL(), noLimits), nil)
			if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), tc.m); err != nil {
				t.Fatal(err)
			}
			got := fake.Messages()[0]
			if got.Style != tc.style {
				t.Errorf("style %q, want %q", got.Style, tc.style)
			}
			if ts := titles(got.Actions); !slices.Equal(ts, tc.buttons) {
				t.Errorf("buttons %v, want %v", ts, tc.buttons)
			}
			if len(got.Facts) != tc.facts {
				t.Errorf("facts %+v, want %d", got.Facts, tc.facts)
			}
			for _, s := range tc.text {
				if !strings.Contains(got.Plain, s) {
					t.Errorf("card lacks %q:\n%s", s, got.Plain)
				}
			}
		})
	}
}

// Label values and annotations are shown as they are, whatever Markdown
// would make of them.
func TestMarkdownInLabels(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	n := newNotifier(t, mustHook(t, fake.URL(), noLimits), nil)
	labels := amtemplate.KV{"alertname": "*Disk*_full_", "instance": "db_01:9100", "job": "- [x](http://evil)",
		"severity": "critical", "summary": "1. use <b>&amp; `df -h` ~~now~~ #1"}
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, labels)); err != nil {
		t.Fatal(err)
	}
	got := fake.Messages()[0]
	for _, want := range []string{"🔥 *Disk*_full_ · critical on db_01:9100", "1. use <b>&amp; `df -h` ~~now~~ #1"} {
		if !strings.Contains(got.Plain, want) {
			t.Errorf("card shows\n%s\nwant %q", got.Plain, want)
		}
	}
	if got.Texts[0] != `🔥 \*Disk\*\_full\_ · critical on db_01:9100` {
		t.Errorf("title sent as %q", got.Texts[0])
	}
	if f := got.Facts[1]; f.Title != "job" || faketeams.Fold(faketeams.Unescape(f.Value)) != "- [x](http://evil)" || !strings.HasPrefix(f.Value, `\-`) {
		t.Errorf("fact %+v", f)
	}
}

func TestCustomTemplates(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	cfg := &Config{Title: `{{ .CommonLabels.alertname }} ({{ .Kind }})`, Message: `{{ .CommonLabels.instance }} is *down*`}
	n := New("ops", cfg, mustHook(t, fake.URL(), noLimits), mustTemplates(t), nil)
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, hostDown)); err != nil {
		t.Fatal(err)
	}
	if got := fake.Messages()[0].Plain; got != "HostDown (firing)\nnode-2:9100 is *down*" {
		t.Errorf("card text %q", got)
	}
}

func TestSentMessageIsNotSentAgain(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	n := newNotifier(t, mustHook(t, fake.URL(), noLimits), nil)
	m := message(alert.KindFiring, hostDown)
	m.SentParts = 1
	refs, retry, err := n.Notify(alerts.Context(t, 5*time.Second), m)
	if err != nil || retry || refs != nil || fake.Stats().Requests != 0 {
		t.Fatalf("refs %v retry %v err %v, %d requests", refs, retry, err, fake.Stats().Requests)
	}
}

func TestChartByURL(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	n := newNotifier(t, mustHook(t, fake.URL(), noLimits), nil)
	m := message(alert.KindFiring, hostDown)
	m.Image = &notify.Image{PNG: []byte("png"), Width: 800, Height: 400, Alt: "HostDown\non node-2",
		URL: "https://herald.example/images/0a1b.png?exp=1&sig=abc"}
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), m); err != nil {
		t.Fatal(err)
	}
	got := fake.Messages()[0]
	if len(got.Images) != 1 || got.Images[0] != (faketeams.Image{URL: m.Image.URL, AltText: "HostDown on node-2"}) {
		t.Fatalf("images %+v", got.Images)
	}
}

func TestChartWithoutURLIsLoggedOncePerChannel(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	hook := mustHook(t, fake.URL(), noLimits)
	var logs alerts.LogBuffer
	tmpl := mustTemplates(t)
	// A reload makes new notifiers for the same channels.
	ops1 := New("charts-ops", &Config{}, hook, tmpl, logs.Logger())
	ops2 := New("charts-ops", &Config{}, hook, tmpl, logs.Logger())
	dev := New("charts-dev", &Config{}, hook, tmpl, logs.Logger())
	for _, n := range []*Notifier{ops1, ops1, ops2, dev, dev} {
		m := message(alert.KindFiring, hostDown)
		m.Image = &notify.Image{PNG: []byte("png"), Alt: "chart"}
		if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), m); err != nil {
			t.Fatal(err)
		}
	}
	for _, msg := range fake.Messages() {
		if len(msg.Images) != 0 {
			t.Fatalf("an image without a URL was sent: %+v", msg.Images)
		}
	}
	if len(fake.Messages()) != 5 {
		t.Fatalf("%d posts, want 5: a chart without a URL must not hold the alert back", len(fake.Messages()))
	}
	for _, ch := range []string{"charts-ops", "charts-dev"} {
		warned := 0
		for l := range strings.SplitSeq(logs.String(), "\n") {
			if strings.Contains(l, "external_url") && strings.Contains(l, "channel="+ch) {
				warned++
			}
		}
		if warned != 1 {
			t.Errorf("channel %s warned %d times, want once:\n%s", ch, warned, logs.String())
		}
	}
}

// A message without data (it cannot come from the dispatcher, but a
// notifier must not panic on it) still gives a valid card.
func TestEmptyMessage(t *testing.T) {
	t.Parallel()
	fake := newFake(t)
	n := newNotifier(t, mustHook(t, fake.URL(), noLimits), nil)
	for _, m := range []*notify.Message{{Kind: alert.KindFiring}, {Kind: alert.KindResolved, Data: &amtemplate.Data{}}} {
		if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), m); err != nil {
			t.Fatal(err)
		}
	}
	if msgs := fake.Messages(); len(msgs) != 2 || !strings.Contains(msgs[0].Plain, "without alerts") {
		t.Fatalf("cards %+v", msgs)
	}
}

// Blank lines in the message become space between text blocks, not empty
// blocks (which Teams refuses).
func TestParagraphs(t *testing.T) {
	t.Parallel()
	c := content{style: styleGood, title: "t", lines: buildLines("a\n\n\n b \n\nc\nd\n\n")}
	body := layout(c, shortenSteps[0], len(c.lines)).Attachments[0].Content.Body
	var got []string
	for _, e := range body[1:] {
		got = append(got, e.Text+"/"+e.Spacing)
	}
	if want := []string{"a/Small", "b/Medium", "c/Medium", "d/Small"}; !slices.Equal(got, want) {
		t.Errorf("blocks %q, want %q", got, want)
	}
}
