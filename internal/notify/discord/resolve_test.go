package discord

import (
	"bytes"
	"image/color"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/fakediscord"
)

// fire sends a firing message with a red chart and returns its refs.
func fire(t *testing.T, n *Notifier) []notify.Ref {
	t.Helper()
	m := message(alert.KindFiring, mkAlert("HostMemoryLow", "critical", "node-2:9100"))
	m.Image = &notify.Image{PNG: testPNG(t, 30, 10, color.RGBA{R: 255, A: 255}), Alt: "firing chart"}
	return send(t, n, m)
}

func resolvedMessage(t *testing.T, previous []notify.Ref, withChart bool) *notify.Message {
	m := message(alert.KindResolved, resolve(mkAlert("HostMemoryLow", "critical", "node-2:9100"))...)
	m.Previous = previous
	if withChart {
		m.Image = &notify.Image{PNG: testPNG(t, 30, 10, color.RGBA{G: 255, A: 255}), Alt: "resolved chart"}
	}
	return m
}

func TestResolvedEditsTheFiringMessageAndPostsANote(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakediscord.Limits{})
	n := newNotifier(t, testWebhook(t, fake.URL(), fastRates), nil, nil)
	firing := fire(t, n)
	oldAtt := fake.Messages()[0].Attachments[0].ID
	m := resolvedMessage(t, firing, true)
	refs := send(t, n, m)

	msgs := fake.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want the firing one and the resolved note", len(msgs))
	}
	edited := msgs[0]
	if len(edited.Edits) != 1 {
		t.Fatalf("the firing message was edited %d times", len(edited.Edits))
	}
	e := edited.Embeds[0]
	if e.Title != "✅ RESOLVED HostMemoryLow · node-2:9100" || e.Color != colorResolved || e.Timestamp != "2025-03-01T12:10:00Z" {
		t.Errorf("edited embed: %q %06x %s", e.Title, e.Color, e.Timestamp)
	}
	if !strings.Contains(e.Description, "resolved after 10m") || strings.Contains(e.Description, "Silence") {
		t.Errorf("edited description:\n%s", e.Description)
	}
	if len(edited.Attachments) != 1 || edited.Attachments[0].ID == oldAtt || !bytes.Equal(edited.Image(), m.Image.PNG) {
		t.Errorf("the resolved chart did not replace the firing one: %+v", edited.Attachments)
	}
	note := msgs[1]
	if len(note.Embeds) != 1 || note.Multipart || len(note.Attachments) != 0 {
		t.Fatalf("note %+v", note)
	}
	if d := note.Embeds[0].Description; !strings.Contains(d, "resolved after 10m") || !strings.Contains(d, "firing message now shows it resolved") {
		t.Errorf("note description: %s", d)
	}
	if len(refs) != 1 || refs[0].MessageID != note.ID || refs[0].Media {
		t.Errorf("refs %+v, want the note's", refs)
	}
}

func TestResolvedWithoutChartKeepsTheFiringChart(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakediscord.Limits{})
	n := newNotifier(t, testWebhook(t, fake.URL(), fastRates), nil, nil)
	firing := fire(t, n)
	send(t, n, resolvedMessage(t, firing, false))
	edited := fake.Messages()[0]
	if len(edited.Edits) != 1 || edited.Embeds[0].Image != nil || len(edited.Attachments) != 1 {
		t.Fatalf("edit without a new chart: %+v", edited)
	}
}

func TestResolvedWhenTheFiringMessageIsGone(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakediscord.Limits{})
	logs := &alerts.LogBuffer{}
	logger := logs.Logger()
	n := newNotifier(t, testWebhook(t, fake.URL(), fastRates), nil, logger)
	m := resolvedMessage(t, []notify.Ref{{MessageID: "1234", ChatID: fakediscord.DefaultChannelID}}, true)
	refs := send(t, n, m)
	msgs := fake.Messages()
	if len(msgs) != 1 || msgs[0].Embeds[0].Title != "✅ RESOLVED HostMemoryLow · node-2:9100" || msgs[0].Image() == nil {
		t.Fatalf("want the full resolved message with its chart: %+v", msgs)
	}
	if !refs[0].Media || !strings.Contains(logs.String(), "Unknown Message") {
		t.Errorf("refs %+v; log:\n%s", refs, logs)
	}
	noSecrets(t, logs.String(), fake.URL())
}

func TestResolvedNotEditedWhenFoldedOrElsewhere(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		prev notify.Ref
	}{
		{"folded firing message", notify.Ref{Folded: true}},
		{"another thread", notify.Ref{ThreadID: "555"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, fakediscord.Limits{})
			n := newNotifier(t, testWebhook(t, fake.URL(), fastRates), nil, nil)
			prev := fire(t, n)[0]
			prev.Folded, prev.ThreadID = c.prev.Folded, c.prev.ThreadID
			send(t, n, resolvedMessage(t, []notify.Ref{prev}, false))
			msgs := fake.Messages()
			if len(msgs) != 2 || len(msgs[0].Edits) != 0 || !strings.Contains(msgs[1].Embeds[0].Description, "resolved after") {
				t.Fatalf("%d messages, %d edits", len(msgs), len(msgs[0].Edits))
			}
		})
	}
}

func TestResolvedInAThread(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakediscord.Limits{})
	n := newNotifier(t, testWebhook(t, fake.URL()+"?thread_id=555", fastRates), nil, nil)
	firing := fire(t, n)
	if firing[0].ThreadID != "555" {
		t.Fatalf("ref %+v", firing[0])
	}
	send(t, n, resolvedMessage(t, firing, true))
	msgs := fake.Messages()
	if len(msgs) != 2 || msgs[0].ThreadID != "555" || msgs[1].ThreadID != "555" || len(msgs[0].Edits) != 1 {
		t.Fatalf("%+v", msgs)
	}
}

// A failed edit worth retrying posts nothing, so that the retry does the
// whole event once.
func TestResolvedEditFailureIsRetriedWhole(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakediscord.Limits{})
	n := newNotifier(t, testWebhook(t, fake.URL(), fastRates), nil, nil)
	firing := fire(t, n)
	fake.FailNext(1, fakediscord.FaultInternal)
	m := resolvedMessage(t, firing, true)
	refs, retry, err := n.Notify(alerts.Context(t, 5*time.Second), m)
	if err == nil || !retry || refs != nil || len(fake.Messages()) != 1 {
		t.Fatalf("refs %v retry %v err %v messages %d", refs, retry, err, len(fake.Messages()))
	}
	send(t, n, m)
	if msgs := fake.Messages(); len(msgs) != 2 || len(msgs[0].Edits) != 1 {
		t.Fatalf("after the retry: %d messages, %d edits", len(msgs), len(msgs[0].Edits))
	}
}
