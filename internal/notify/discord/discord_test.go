package discord

import (
	"bytes"
	"image/color"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakediscord"
)

func TestFiringMessage(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakediscord.Limits{})
	n := newNotifier(t, testWebhook(t, fake.URL(), fastRates),
		&Config{Username: "Herald", AvatarURL: "https://example.com/herald.png"}, nil)
	refs := send(t, n, message(alert.KindFiring, mkAlert("HostMemoryLow", "critical", "node-2:9100", "team", "db*ops_`x`")))
	msgs := fake.Messages()
	if len(msgs) != 1 || len(refs) != 1 {
		t.Fatalf("%d messages, refs %+v", len(msgs), refs)
	}
	m := msgs[0]
	if refs[0].MessageID != m.ID || refs[0].ChatID != fakediscord.DefaultChannelID || refs[0].Part != 0 || refs[0].Folded || refs[0].Media {
		t.Errorf("ref %+v for message %s", refs[0], m.ID)
	}
	if m.Username != "Herald" || m.AvatarURL != "https://example.com/herald.png" || m.Content != "" || m.Multipart {
		t.Errorf("message %+v", m)
	}
	if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(m.AllowedMentions.Parse) != 0 {
		t.Errorf("allowed_mentions %+v: label values must never ping", m.AllowedMentions)
	}
	if len(m.Embeds) != 1 {
		t.Fatalf("%d embeds", len(m.Embeds))
	}
	e := m.Embeds[0]
	if e.Title != "🔥 HostMemoryLow · node-2:9100" || e.Color != colorCritical || e.URL != "http://prometheus.example:9090/graph?g0.expr=up" {
		t.Errorf("title %q colour %x url %q", e.Title, e.Color, e.URL)
	}
	if e.Timestamp != "2025-03-01T12:00:00Z" || e.Footer == nil || e.Footer.Text != "Herald · ops" {
		t.Errorf("timestamp %q footer %+v", e.Timestamp, e.Footer)
	}
	for _, want := range []string{"**memory of node-2:9100 is low**", "started <t:1740830400:f>, firing for 12m",
		"[Source](http://prometheus.example:9090/graph?g0.expr=up)", "[Silence](http://am.example:9093/#/silences/new?filter="} {
		if !strings.Contains(e.Description, want) {
			t.Errorf("description lacks %q:\n%s", want, e.Description)
		}
	}
	wantFields := map[string]string{"instance": "`node-2:9100`", "job": "`node`", "severity": "`critical`", "team": "`db*ops_ˋxˋ`"}
	if len(e.Fields) != len(wantFields) {
		t.Fatalf("fields %+v", e.Fields)
	}
	for _, f := range e.Fields {
		if wantFields[f.Name] != f.Value || !f.Inline {
			t.Errorf("field %+v", f)
		}
	}
}

func TestColours(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakediscord.Limits{Unlimited: true})
	n := newNotifier(t, testWebhook(t, fake.URL(), fastRates), nil, nil)
	for _, c := range []struct {
		severity string
		kind     alert.Kind
		want     int
	}{
		{"critical", alert.KindFiring, colorCritical},
		{"page", alert.KindFiring, colorCritical},
		{"error", alert.KindFiring, colorCritical},
		{"warning", alert.KindFiring, colorWarning},
		{"info", alert.KindFiring, colorInfo},
		{"", alert.KindFiring, colorUnknown},
		{"whatever", alert.KindReminder, colorUnknown},
		{"critical", alert.KindResolved, colorResolved},
	} {
		a := mkAlert("A", c.severity, "x:1")
		if c.kind == alert.KindResolved {
			a = resolve(a)[0]
		}
		send(t, n, message(c.kind, a))
		msgs := fake.Messages()
		if got := msgs[len(msgs)-1].Embeds[0].Color; got != c.want {
			t.Errorf("%s %q: colour %06x, want %06x", c.kind, c.severity, got, c.want)
		}
	}
}

func TestChartUploadedAsAttachment(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakediscord.Limits{})
	n := newNotifier(t, testWebhook(t, fake.URL(), fastRates), nil, nil)
	m := message(alert.KindFiring, mkAlert("HostMemoryLow", "warning", "node-2:9100"))
	img := testPNG(t, 40, 20, color.RGBA{R: 200, A: 255})
	m.Image = &notify.Image{PNG: img, Width: 40, Height: 20, Alt: "memory of node-2"}
	refs := send(t, n, m)
	got := fake.Messages()[0]
	if !got.Multipart || !bytes.Equal(got.Image(), img) || got.Embeds[0].Image.URL != "attachment://chart.png" {
		t.Fatalf("chart not attached: %+v", got)
	}
	if a := got.Attachments[0]; a.Filename != "chart.png" || a.Description != "memory of node-2" || len(got.Attachments) != 1 {
		t.Errorf("attachment %+v", a)
	}
	if !refs[0].Media {
		t.Error("the ref does not say the message has a chart")
	}
}

func TestBadChartIsLeftOut(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakediscord.Limits{})
	logs := &alerts.LogBuffer{}
	logger := logs.Logger()
	n := newNotifier(t, testWebhook(t, fake.URL(), fastRates), nil, logger)
	m := message(alert.KindFiring, mkAlert("A", "critical", "x:1"))
	m.Image = &notify.Image{PNG: []byte("GIF89a not a png"), Alt: "x"}
	refs := send(t, n, m)
	got := fake.Messages()[0]
	if got.Multipart || len(got.Attachments) != 0 || got.Embeds[0].Image != nil || refs[0].Media {
		t.Fatalf("a broken chart was sent: %+v", got)
	}
	if !strings.Contains(logs.String(), "without its chart") {
		t.Errorf("no warning logged:\n%s", logs)
	}
}

func TestReminderIsANewMessage(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakediscord.Limits{})
	n := newNotifier(t, testWebhook(t, fake.URL(), fastRates), nil, nil)
	a := mkAlert("DiskFull", "warning", "db:9100")
	first := send(t, n, message(alert.KindFiring, a))
	rem := message(alert.KindReminder, a)
	rem.Previous = first
	send(t, n, rem)
	msgs := fake.Messages()
	if len(msgs) != 2 || len(msgs[0].Edits) != 0 {
		t.Fatalf("%d messages, first edited %d times", len(msgs), len(msgs[0].Edits))
	}
	e := msgs[1].Embeds[0]
	if e.Title != "🔁 STILL FIRING DiskFull · db:9100" || !strings.Contains(e.Description, "still firing for 12m") {
		t.Errorf("reminder %q:\n%s", e.Title, e.Description)
	}
}

func TestSentPartIsNotSentAgain(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakediscord.Limits{})
	n := newNotifier(t, testWebhook(t, fake.URL(), fastRates), nil, nil)
	m := message(alert.KindFiring, mkAlert("A", "critical", "x:1"))
	m.SentParts = 1
	if refs, retry, err := n.Notify(alerts.Context(t, 0), m); err != nil || retry || refs != nil {
		t.Fatalf("%v %v %v", refs, retry, err)
	}
	if fake.Stats().Requests != 0 {
		t.Fatal("a sent message was sent again")
	}
}

func TestUsernameDiscordRefuses(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakediscord.Limits{})
	hook := testWebhook(t, fake.URL(), fastRates)
	tmpl := newNotifier(t, hook, nil, nil).tmpl
	for _, name := range []string{"Discord Alerts", "clyde", strings.Repeat("h", 81)} {
		if _, err := New("ops", &Config{Username: name}, hook, tmpl, nil); err == nil {
			t.Errorf("username %q accepted", name)
		}
	}
	if _, err := New("ops", &Config{Username: "Herald"}, hook, tmpl, nil); err != nil {
		t.Error(err)
	}
}
