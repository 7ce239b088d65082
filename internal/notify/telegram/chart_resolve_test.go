package telegram

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	tg "github.com/heraldhq/herald/internal/telegram"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

func TestChartOnResolve(t *testing.T) {
	fake := newFake(t, faketelegram.Limits{Unlimited: true})
	bot := mustBot(t, botConfig(fake), nil)
	off := false
	firingPNG, resolvedPNG := chartPNG(t, 600, 300, 1), chartPNG(t, 600, 300, 2)
	long := "\n" + strings.Repeat("resolved details\n", 80)
	tests := []struct {
		name        string
		mode        string
		firingChart bool   // the firing message is a photo
		chart       bool   // the resolved event has a chart
		noEdit      bool   // edit_on_resolve: false
		folded      bool   // the firing message held several alerts
		extra       string // appended to the resolved text
		wantPhoto   []byte // the firing message's photo afterwards
		wantCaption string // the firing message's text or caption afterwards
		replyPhoto  bool   // the reply is a photo
	}{
		{name: "edit replaces the chart", mode: config.OnResolveEdit, firingChart: true, chart: true,
			wantPhoto: resolvedPNG.PNG, wantCaption: "✅ resolved"},
		{name: "edit is the default", firingChart: true, chart: true,
			wantPhoto: resolvedPNG.PNG, wantCaption: "✅ resolved"},
		{name: "edit with a long text keeps the title", mode: config.OnResolveEdit, firingChart: true, chart: true, extra: long,
			wantPhoto: resolvedPNG.PNG, wantCaption: "✅ resolved"},
		{name: "edit without a resolved chart edits the caption", mode: config.OnResolveEdit, firingChart: true,
			wantPhoto: firingPNG.PNG, wantCaption: "✅ resolved"},
		{name: "edit of a text firing message replies with the chart", mode: config.OnResolveEdit, chart: true,
			wantCaption: "✅ resolved", replyPhoto: true},
		{name: "edit_on_resolve off replies with the chart", mode: config.OnResolveEdit, firingChart: true, chart: true, noEdit: true,
			wantPhoto: firingPNG.PNG, wantCaption: "🔥 firing", replyPhoto: true},
		{name: "folded firing message is left alone", mode: config.OnResolveEdit, firingChart: true, chart: true, folded: true,
			wantPhoto: firingPNG.PNG, wantCaption: "🔥 firing", replyPhoto: true},
		{name: "reply", mode: config.OnResolveReply, firingChart: true, chart: true,
			wantPhoto: firingPNG.PNG, wantCaption: "✅ resolved", replyPhoto: true},
		{name: "none", mode: config.OnResolveNone, firingChart: true, chart: true,
			wantPhoto: firingPNG.PNG, wantCaption: "✅ resolved"},
		{name: "none with a long text puts the title in the caption", mode: config.OnResolveNone, firingChart: true, extra: long,
			wantPhoto: firingPNG.PNG, wantCaption: "✅ resolved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs alerts.LogBuffer
			cfg := channelConfig(userChat)
			if tt.noEdit {
				cfg.EditOnResolve = &off
			}
			tmpl := mustTemplates(t)
			n := New("ops", cfg, bot, tmpl, logs.Logger(), WithChartOnResolve(tt.mode))
			n.render = func(m *notify.Message) string {
				if m.Kind == alert.KindFiring {
					return "🔥 <b>firing</b>"
				}
				return "✅ <b>resolved</b>" + tt.extra
			}
			ctx := alerts.Context(t, 5*time.Second)
			m := message(alert.KindFiring, nasty)
			if tt.firingChart {
				m.Image = firingPNG
			}
			prev, _, err := n.Notify(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			for i := range prev {
				prev[i].Folded = tt.folded
			}
			m = message(alert.KindResolved, nasty)
			m.Previous = prev
			if tt.chart {
				m.Image = resolvedPNG
			}
			refs, _, err := n.Notify(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			first, _ := fake.Message(userChat, mustID(t, prev[0]))
			reply, _ := fake.Message(userChat, mustID(t, refs[0]))
			if !bytes.Equal(first.Photo, tt.wantPhoto) {
				t.Errorf("firing photo: %d bytes, want %d", len(first.Photo), len(tt.wantPhoto))
			}
			if strings.TrimSpace(first.Plain) != tt.wantCaption {
				t.Errorf("firing message reads %q, want %q", first.Plain, tt.wantCaption)
			}
			if reply.ReplyTo != first.ID {
				t.Errorf("the resolved message does not reply to the firing one")
			}
			if (reply.Photo != nil) != tt.replyPhoto || refs[0].Media != tt.replyPhoto {
				t.Errorf("reply is a photo: %v (ref %+v), want %v", reply.Photo != nil, refs[0], tt.replyPhoto)
			}
			if tt.replyPhoto && !bytes.Equal(reply.Photo, resolvedPNG.PNG) {
				t.Error("the reply's photo is not the resolved chart")
			}
			if strings.Contains(logs.String(), "level=WARN") {
				t.Errorf("warnings:\n%s", logs.String())
			}
		})
	}
}

func TestChartEditFailureDoesNotFail(t *testing.T) {
	fake := newFake(t, faketelegram.Limits{Unlimited: true})
	n := resolvedText(newNotifier(t, mustBot(t, botConfig(fake), nil), channelConfig(userChat), nil))
	m := message(alert.KindResolved, nasty)
	m.Image = chartPNG(t, 600, 300, 2)
	// The firing photo was deleted.
	m.Previous = []notify.Ref{{Part: 0, ChatID: "111", MessageID: "999", Media: true}}
	refs, _, err := n.Notify(alerts.Context(t, 5*time.Second), m)
	if err != nil || len(refs) != 1 {
		t.Fatalf("refs=%+v err=%v", refs, err)
	}
	if st := fake.Stats(); st.Calls["editMessageMedia"] != 1 || st.Errors != 1 {
		t.Errorf("calls %v, errors %d", st.Calls, st.Errors)
	}
}

func TestChartCallsTakeOneTokenEach(t *testing.T) {
	// Counted in the bot's own limiter rather than timed at the fake, so
	// that a loaded machine cannot flake it: a bucket of 10 that refills
	// once an hour must have exactly 4 tokens fewer after the photo, its
	// text, the resolved reply and the edit of the photo.
	fake := newFake(t, faketelegram.Limits{Unlimited: true})
	bot := mustBot(t, botConfig(fake), nil, tg.WithPerChatRate(notify.Rate{Events: 1, Per: time.Hour, Burst: 10}))
	n := newNotifier(t, bot, channelConfig(userChat), nil)
	n.render = func(m *notify.Message) string { return string(m.Kind) + "\n" + strings.Repeat("text\n", 250) }
	ctx := alerts.Context(t, 5*time.Second)
	m := message(alert.KindFiring, nasty)
	m.Image = chartPNG(t, 600, 300, 1)
	prev, _, err := n.Notify(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	m = message(alert.KindResolved, nasty)
	m.Image, m.Previous = chartPNG(t, 600, 300, 2), prev
	if _, _, err := n.Notify(ctx, m); err != nil {
		t.Fatal(err)
	}
	if st := fake.Stats(); st.OK != 4 || st.Calls["editMessageMedia"] != 1 {
		t.Fatalf("calls %v", st.Calls)
	}
	key := config.ChatID("111")
	// The global allowance (1000/s, no burst) adds a millisecond a token.
	if d := bot.Delay(key, 6); d > 100*time.Millisecond {
		t.Errorf("fewer than 6 tokens left (next 6 in %v)", d)
	}
	if d := bot.Delay(key, 7); d < 30*time.Minute {
		t.Errorf("more than 6 tokens left (next 7 in %v)", d)
	}
}

func TestChartAndTextFitTheRateLimitTogether(t *testing.T) {
	// One call a second, no burst, and the token just used: a photo whose
	// text follows needs 2 s, more than the attempt has, so it must not go
	// out alone; with time enough both go.
	fake := newFake(t, faketelegram.Limits{Unlimited: true})
	bot := mustBot(t, botConfig(fake), nil, tg.WithPerChatRate(notify.Rate{Events: 1, Per: time.Second, Burst: 1}))
	short := fixed(newNotifier(t, bot, channelConfig(userChat), nil), "🔥 <b>firing</b>")
	long := fixed(newNotifier(t, bot, channelConfig(userChat), nil), "🔥 <b>firing</b>\n"+strings.Repeat("details\n", 200))
	m := message(alert.KindFiring, nasty)
	m.Image = chartPNG(t, 600, 300, 1)
	if _, _, err := short.Notify(alerts.Context(t, 5*time.Second), m); err != nil {
		t.Fatal(err)
	}
	refs, retry, err := long.Notify(alerts.Context(t, 1500*time.Millisecond), m)
	throttled, ok := errors.AsType[*notify.ThrottledError](err)
	if !ok || !retry || len(refs) != 0 || throttled.Wait < 1500*time.Millisecond {
		t.Fatalf("refs=%+v retry=%v err=%v", refs, retry, err)
	}
	if st := fake.Stats(); st.Requests != 1 {
		t.Errorf("%d requests, want only the first message's", st.Requests)
	}
	refs, _, err = long.Notify(alerts.Context(t, 10*time.Second), m)
	if err != nil || len(refs) != 2 || !refs[0].Media {
		t.Errorf("with time enough: refs=%+v err=%v", refs, err)
	}
}

func TestMessageTooLongForAnyAttemptStillGoesOut(t *testing.T) {
	// At one call an hour, three parts can never go out whole within one
	// attempt: they go out part by part instead of being put off forever.
	fake := newFake(t, faketelegram.Limits{Unlimited: true})
	bot := mustBot(t, botConfig(fake), nil, tg.WithPerChatRate(notify.Rate{Events: 1, Per: time.Hour, Burst: 1}))
	n := fixed(newNotifier(t, bot, channelConfig(userChat), nil), strings.Repeat("line of text\n", 900))
	refs, _, err := n.Notify(alerts.Context(t, time.Second), message(alert.KindFiring, nasty))
	if _, ok := errors.AsType[*notify.ThrottledError](err); !ok || len(refs) != 1 {
		t.Errorf("refs=%+v err=%v, want the first part out and the rest throttled", refs, err)
	}
}
