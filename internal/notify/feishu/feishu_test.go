package feishu

import (
	"strings"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakefeishu"
)

const chartURL = "https://herald.example/images/0123abcd.png?exp=1740900000&sig=Zm9v"

func TestPayloads(t *testing.T) {
	t.Parallel()
	mention := &Mention{UserIDs: []string{"ou_7d8a6e6df7621556ce0d21922b676706", " 5d9bdxxx "}}
	withRunbook := alerts.Event(alert.KindFiring, []amtemplate.KV{cpu()}, alerts.CopySummary(),
		func(a *amtemplate.Alert) {
			a.Annotations["runbook_url"] = "https://wiki.example/runbooks/HighCPU (old)"
		})
	withValue := message(alert.KindFiring, cpu())
	v := 97.3
	withValue.Image = &notify.Image{Value: &v, ValueText: "97.3 %"}
	unknown := message(alert.KindFiring, amtemplate.KV{"alertname": "Odd", "severity": "sev9"})
	for _, tc := range []struct {
		name     string
		mention  *Mention
		msg      *notify.Message
		title    string
		colour   string
		markdown []string // in this order
		absent   []string
		fields   []string
		buttons  []string // label=URL prefix
		mentions []string
	}{
		{name: "firing", msg: message(alert.KindFiring, cpu()), title: "🔥 HighCPU web-1:9100 · critical", colour: "red",
			markdown: []string{"**CPU at 97%**", "**Started:** 12:00 UTC, firing for 30m"},
			absent:   []string{"instance=", "](", "<at"},
			fields:   []string{"**Instance**\nweb-1:9100", "**Job**\nnode"},
			buttons:  []string{"Source=http://prometheus:9090/graph?g0.expr=up", "Silence=http://alertmanager:9093/#/silences/new?filter=%7Balertname%3D%22HighCPU%22"}},
		{name: "runbook from the real annotation", msg: withRunbook, colour: "red", title: "🔥 HighCPU web-1:9100 · critical",
			buttons: []string{"Source=", "Silence=", "Runbook=https://wiki.example/runbooks/HighCPU%20%28old%29"}},
		{name: "current value", msg: withValue, colour: "red", title: "🔥 HighCPU web-1:9100 · critical",
			markdown: []string{"**CPU at 97%**", "**Value:** 97.3 %"}},
		{name: "mentions", mention: mention, msg: message(alert.KindFiring, cpu()), colour: "red", title: "🔥 HighCPU web-1:9100 · critical",
			markdown: []string{"<at id=ou_7d8a6e6df7621556ce0d21922b676706></at> <at id=5d9bdxxx></at>"},
			mentions: []string{"ou_7d8a6e6df7621556ce0d21922b676706", "5d9bdxxx"}},
		{name: "everyone", mention: &Mention{All: true}, msg: message(alert.KindFiring, cpu()), colour: "red",
			title: "🔥 HighCPU web-1:9100 · critical", markdown: []string{"<at id=all></at>"}, mentions: []string{"all"}},
		{name: "resolved: green, nobody called, no silence", mention: mention, msg: message(alert.KindResolved, cpu()),
			title: "✅ RESOLVED: HighCPU web-1:9100", colour: "green", markdown: []string{"resolved after 5m"},
			absent: []string{"<at"}, buttons: []string{"Source="}},
		{name: "reminder", mention: &Mention{All: true}, msg: message(alert.KindReminder, cpu()), colour: "red",
			title: "🔁 still firing: HighCPU web-1:9100", markdown: []string{"🔁 still firing for 30m: **HighCPU** web-1:9100", "<at id=all></at>"},
			mentions: []string{"all"}},
		{name: "warning is orange", msg: message(alert.KindFiring, amtemplate.KV{"alertname": "Disk", "severity": "warning"}),
			colour: "orange", title: "⚠️ Disk · warning"},
		{name: "info is blue", msg: message(alert.KindFiring, amtemplate.KV{"alertname": "Note", "severity": "info"}),
			colour: "blue", title: "ℹ️ Note · info"},
		{name: "unknown severity stands out", msg: unknown, colour: "orange", title: "🔔 Odd · sev9"},
		{name: "folded: worst colour, list, Alertmanager button", msg: storm(3), colour: "orange", title: "🔥 3 alerts firing",
			markdown: []string{"- ⚠️ **DiskFull** node-0000:9100 — disk almost full", "- ⚠️ **DiskFull** node-0002:9100"},
			buttons:  []string{"Alertmanager=http://alertmanager:9093/#/alerts"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, fakefeishu.Config{})
			cfg := channelConfig(fake)
			cfg.Mention = tc.mention
			refs, retry, err := newNotifier(t, cfg, nil).Notify(alerts.Context(t, 5*time.Second), tc.msg)
			if err != nil || retry || len(refs) != 1 {
				t.Fatalf("refs %v, retry %v, err %v", refs, retry, err)
			}
			if refs[0].ChatID == "" || strings.Contains(refs[0].ChatID, fakefeishu.DefaultToken) || refs[0].Folded != tc.msg.Folded {
				t.Errorf("ref %+v", refs[0])
			}
			m := fake.Messages()[0]
			if m.MsgType != "interactive" || m.Title != tc.title || m.Colour != tc.colour {
				t.Errorf("type %q, title %q, colour %q; want %q, %q", m.MsgType, m.Title, m.Colour, tc.title, tc.colour)
			}
			md := strings.Join(m.Markdown, "\n")
			rest := md
			for _, w := range tc.markdown {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("markdown lacks %q (or out of order):\n%s", w, md)
				}
				rest = rest[i+len(w):]
			}
			for _, a := range tc.absent {
				if strings.Contains(md, a) {
					t.Errorf("markdown has %q:\n%s", a, md)
				}
			}
			if tc.fields != nil && strings.Join(m.Fields, "|") != strings.Join(tc.fields, "|") {
				t.Errorf("fields %q, want %q", m.Fields, tc.fields)
			}
			if tc.buttons != nil {
				if len(m.Buttons) != len(tc.buttons) {
					t.Errorf("buttons %v, want %v", m.Buttons, tc.buttons)
				}
				for i, b := range tc.buttons {
					label, prefix, _ := strings.Cut(b, "=")
					if i >= len(m.Buttons) || m.Buttons[i].Text != label || !strings.HasPrefix(m.Buttons[i].URL, prefix) {
						t.Errorf("button %d: %v, want %s", i, m.Buttons, b)
					}
				}
			}
			var calls []string
			for _, e := range m.Mentions() {
				calls = append(calls, e.Target)
			}
			if strings.Join(calls, ",") != strings.Join(tc.mentions, ",") {
				t.Errorf("mentions %v, want %v", calls, tc.mentions)
			}
			if w := fake.Warnings(); len(w) != 0 {
				t.Errorf("fake warnings: %v", w)
			}
		})
	}
}

// With app credentials the chart is uploaded and shown in the card by its
// image key; a retry of the same chart does not upload it again.
// Without them, a hosted chart is a button, and one without a URL is left
// out with a single log line for the channel.
func TestChart(t *testing.T) {
	t.Parallel()
	withChart := func(url string) *notify.Message {
		m := message(alert.KindFiring, cpu())
		m.Image = &notify.Image{PNG: png, URL: url}
		return m
	}
	t.Run("uploaded by key", func(t *testing.T) {
		t.Parallel()
		fake := newFake(t, fakefeishu.Config{})
		n := newNotifier(t, withApp(channelConfig(fake)), nil)
		for range 2 {
			if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), withChart(chartURL)); err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range fake.Messages() {
			if len(m.ImageKeys) != 1 || string(fake.Images()[m.ImageKeys[0]].PNG) != string(png) || m.ButtonURL("Chart") != "" {
				t.Errorf("images %v, buttons %v", m.ImageKeys, m.Buttons)
			}
		}
		if st := fake.Stats(); st.Uploads != 1 || st.TokenRequests != 1 {
			t.Errorf("%d uploads, %d token requests; want 1 and 1", st.Uploads, st.TokenRequests)
		}
	})
	t.Run("linked without an app", func(t *testing.T) {
		t.Parallel()
		fake := newFake(t, fakefeishu.Config{})
		if _, _, err := newNotifier(t, channelConfig(fake), nil).Notify(alerts.Context(t, 5*time.Second), withChart(chartURL)); err != nil {
			t.Fatal(err)
		}
		if m := fake.Messages()[0]; len(m.ImageKeys) != 0 || m.ButtonURL("Chart") != chartURL {
			t.Errorf("images %v, buttons %v", m.ImageKeys, m.Buttons)
		}
	})
	t.Run("upload fails: linked, logged", func(t *testing.T) {
		t.Parallel()
		fake := newFake(t, fakefeishu.Config{})
		cfg := withApp(channelConfig(fake))
		cfg.AppSecret = "wrong0app0secret0value"
		var logs alerts.LogBuffer
		if _, _, err := newNotifier(t, cfg, logs.Logger()).Notify(alerts.Context(t, 5*time.Second), withChart(chartURL)); err != nil {
			t.Fatal(err)
		}
		if m := fake.Messages()[0]; m.ButtonURL("Chart") != chartURL || !strings.Contains(logs.String(), "10014") {
			t.Errorf("buttons %v\nlog: %s", m.Buttons, logs.String())
		}
		if strings.Contains(logs.String(), "wrong0app0secret0value") {
			t.Error("the app secret leaked into the log")
		}
	})
	t.Run("nowhere to show it: logged once", func(t *testing.T) {
		t.Parallel()
		fake := newFake(t, fakefeishu.Config{})
		var logs alerts.LogBuffer
		n := newNotifier(t, channelConfig(fake), logs.Logger())
		for range 3 {
			if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), withChart("")); err != nil {
				t.Fatal(err)
			}
		}
		if c := strings.Count(logs.String(), "app_id and app_secret"); c != 1 {
			t.Errorf("logged %d times:\n%s", c, logs.String())
		}
	})
}

// A message an earlier attempt delivered is not sent again.
func TestSentPartsSkips(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakefeishu.Config{})
	m := message(alert.KindFiring, cpu())
	m.SentParts = 1
	refs, retry, err := newNotifier(t, channelConfig(fake), nil).Notify(alerts.Context(t, 5*time.Second), m)
	if err != nil || retry || len(refs) != 0 || fake.Stats().Requests != 0 {
		t.Fatalf("refs %v, retry %v, err %v, requests %d", refs, retry, err, fake.Stats().Requests)
	}
}

// A card longer than Feishu takes is shortened at line breaks, with a
// note, and stays within MaxBodyBytes, escaping included; a storm of 3000
// alerts is one card that says how much it left out.
func TestSizeLimit(t *testing.T) {
	// Not parallel: a CPU-heavy build under a delivery deadline, which
	// the parallel tests would slow down (they start after the serial ones).
	fake := newFake(t, fakefeishu.Config{})
	n := newNotifier(t, channelConfig(fake), nil)
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), storm(3000)); err != nil {
		t.Fatal(err)
	}
	long := fixed(newNotifier(t, channelConfig(fake), nil), "t", strings.Repeat(`"\"`+"\n", 9000))
	if _, _, err := long.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, cpu())); err != nil {
		t.Fatal(err)
	}
	oneLine := fixed(newNotifier(t, channelConfig(fake), nil), "t", strings.Repeat("告警", 9000))
	if _, _, err := oneLine.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, cpu())); err != nil {
		t.Fatal(err)
	}
	msgs := fake.Messages()
	for i, m := range msgs {
		if len(m.Body) > MaxBodyBytes {
			t.Errorf("message %d: %d bytes", i, len(m.Body))
		}
	}
	if md := msgs[0].Markdown[0]; !strings.Contains(md, "more lines not shown") || strings.Count(md, "**DiskFull**") < 100 {
		t.Errorf("storm card:\n%s", md[len(md)-200:])
	}
	if md := msgs[2].Markdown[0]; !strings.HasSuffix(md, "…") {
		t.Errorf("one long line not cut: …%s", md[len(md)-20:])
	}
}

// A channel's own templates replace the defaults; a broken one falls back
// to them.
func TestChannelTemplates(t *testing.T) {
	t.Parallel()
	cfg := &Config{URL: "https://open.feishu.cn/open-apis/bot/v2/hook/abc-123",
		Title: `[{{ .Kind }}] {{ .CommonLabels.alertname }}`, Message: `{{ len .Alerts }} alert(s) for {{ .Channel }}`}
	r := newNotifier(t, cfg, nil).render(message(alert.KindFiring, cpu()))
	if r.title != "[firing] HighCPU" || r.body != "1 alert(s) for ops" {
		t.Errorf("title %q, body %q", r.title, r.body)
	}
	cfg.Message = `{{ template "no.such.template" . }}`
	if r := newNotifier(t, cfg, nil).render(message(alert.KindFiring, cpu())); !strings.Contains(r.body, "**CPU at 97%**") {
		t.Errorf("no fallback to the default:\n%s", r.body)
	}
}

// The default templates keep every markup element on one line whatever
// line breaks the values carry, so that shortening at a line break never
// cuts markup.
func TestDefaultTemplatesKeepMarkupOnOneLine(t *testing.T) {
	t.Parallel()
	nasty := amtemplate.KV{"alertname": "Disk\nFull", "severity": "warning\nhigh", "instance": "db\n1:9100",
		"job": "node\nexporter", "summary": "line one\nline two", "region": "eu\nwest"}
	n := newNotifier(t, &Config{URL: "https://open.feishu.cn/open-apis/bot/v2/hook/abc-123"}, nil)
	for name, m := range map[string]*notify.Message{"firing": message(alert.KindFiring, nasty),
		"resolved": message(alert.KindResolved, nasty), "reminder": message(alert.KindReminder, nasty),
		"list": message(alert.KindFiring, nasty, cpu())} {
		r := n.render(m)
		for _, line := range strings.Split(r.body, "\n") {
			if strings.Count(line, "**")%2 != 0 {
				t.Errorf("%s: bold across lines: %q", name, line)
			}
		}
		if !strings.Contains(r.title+r.body, "Disk Full") {
			t.Errorf("%s: alert not named:\n%s\n%s", name, r.title, r.body)
		}
	}
}

// The default templates parse with Herald's and define what the notifier
// calls.
func TestTemplatesParse(t *testing.T) {
	t.Parallel()
	tm := mustTemplates(t)
	d := template.FeishuData(template.MessageData(message(alert.KindFiring, cpu()), "ops"))
	if got := d.Execute(tm, DefaultTitle, ""); got != "🔥 HighCPU web-1:9100 · critical" {
		t.Errorf("title %q", got)
	}
}
