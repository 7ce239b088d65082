package bot_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/bot"
)

func TestChartButtons(t *testing.T) {
	t.Parallel()
	e := newEnv(t).start()
	a := diskFull(e.clock)
	const caption = "🔥 <b>DiskFull</b> on <code>db1</code>"
	photo := e.alertMessage(groupID, "ops", a, caption)
	text := e.alertMessage(groupID, "ops", a, "")
	kb := e.keyboard(groupID, photo)

	// A chart message: the photo is replaced, its caption and buttons kept.
	ans, calls := e.press(groupID, photo, bob, "📈 6h")
	if ans.Text != "📈 6h" || ans.ShowAlert {
		t.Errorf("answer %+v", ans)
	}
	if got := e.charts.Redraws(); len(got) != 1 || got[0].rng != 6*time.Hour || got[0].alert.Fingerprint != a.Fingerprint ||
		got[0].alert.Labels["instance"] != "db1" {
		t.Errorf("redraws %+v", got)
	}
	edits := only(calls, "editMessageMedia")
	if len(edits) != 1 || len(calls) != 1 {
		t.Fatalf("calls %+v, want one editMessageMedia", calls)
	}
	var media struct {
		Type, Media, Caption string
		ParseMode            string `json:"parse_mode"`
	}
	if err := edits[0].Decode("media", &media); err != nil {
		t.Fatal(err)
	}
	if media.Type != "photo" || media.Caption != caption || media.ParseMode != "HTML" {
		t.Errorf("media %+v, want the photo with the caption kept", media)
	}
	m, _ := e.tg.Message(groupID, photo)
	if m.Text != caption || !bytes.Equal(m.Photo, tinyPNG()) || len(m.Edits) != 1 || !slices.EqualFunc(m.ReplyMarkup.Buttons(), kb, slices.Equal) {
		t.Errorf("after the redraw: caption %q, edits %v, keyboard %v", m.Text, m.Edits, m.ReplyMarkup.Buttons())
	}

	// A text message: the chart comes in reply.
	_, calls = e.press(groupID, text, bob, "📈 1w")
	sent := only(calls, "sendPhoto")
	if len(sent) != 1 || len(calls) != 1 {
		t.Fatalf("calls %+v, want one sendPhoto", calls)
	}
	var reply struct {
		MessageID int64 `json:"message_id"`
	}
	if err := sent[0].Decode("reply_parameters", &reply); err != nil || reply.MessageID != text {
		t.Errorf("reply_parameters %+v (%v), want a reply to %d", reply, err, text)
	}
	if got := sent[0].Params["caption"]; got != "DiskFull · 1w" {
		t.Errorf("caption %q", got)
	}
	if got := e.charts.Redraws(); len(got) != 2 || got[1].rng != 7*24*time.Hour {
		t.Errorf("redraws %+v", got)
	}
	if got := e.keyboard(groupID, text); !slices.EqualFunc(got, kb, slices.Equal) {
		t.Errorf("the text message's keyboard changed to %v", got)
	}
}

// TestChartButtonAfterChartsWentAway: a reload that drops prometheus.url
// leaves chart buttons under earlier messages; a press says why nothing
// comes rather than failing inside the bot.
func TestChartButtonAfterChartsWentAway(t *testing.T) {
	t.Parallel()
	e := newEnv(t).start()
	msg := e.alertMessage(groupID, "ops", diskFull(e.clock), "")
	e.bot.Update(e.cfg, bot.Deps{})
	ans, calls := e.press(groupID, msg, bob, "📈 1d")
	mustContain(t, "the answer", ans.Text, "prometheus.url")
	if len(calls) != 0 {
		t.Errorf("calls %+v", calls)
	}
	if got := e.metric("herald_bot_updates_total", "kind", "failed"); got != 0 {
		t.Errorf("%v updates failed inside the bot", got)
	}
}
