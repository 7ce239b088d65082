package telegram

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

// chartPNG draws a small chart-like PNG whose pixels depend on seed, so
// that two charts can be told apart.
func chartPNG(t testing.TB, w, h int, seed uint8) *notify.Image {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, h/2+int(seed)%(h/2), color.RGBA{R: seed, G: 100, B: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return &notify.Image{PNG: buf.Bytes(), Width: w, Height: h, Alt: "chart"}
}

// pngHeader is a PNG that claims to be w×h: enough for Telegram's and
// Herald's size checks, which read only the header, without drawing a
// huge image.
func pngHeader(t testing.TB, w, h int) []byte {
	t.Helper()
	b := bytes.Clone(chartPNG(t, 4, 4, 1).PNG)
	// Signature (8), IHDR length (4), "IHDR" (4), then width and height.
	binary.BigEndian.PutUint32(b[16:], uint32(w))
	binary.BigEndian.PutUint32(b[20:], uint32(h))
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func TestChartAsCaption(t *testing.T) {
	fake := newFake(t, faketelegram.Limits{Unlimited: true})
	bot := mustBot(t, botConfig(fake), nil)
	cfg := channelConfig(forumChat)
	cfg.MessageThreadID = topic
	cfg.DisableNotification = true
	text := "🔥 <b>DiskFull</b> &amp; more\n<code>instance=db-1</code>"
	n := fixed(newNotifier(t, bot, cfg, nil), text)
	m := message(alert.KindFiring, nasty)
	m.Image = chartPNG(t, 600, 300, 1)
	refs, _, err := n.Notify(alerts.Context(t, 5*time.Second), m)
	if err != nil {
		t.Fatal(err)
	}
	msgs := fake.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want one photo: %+v", len(msgs), msgs)
	}
	p := msgs[0]
	if !bytes.Equal(p.Photo, m.Image.PNG) || p.Text != text || p.ParseMode != "HTML" {
		t.Errorf("photo %d bytes, caption %q (%s)", len(p.Photo), p.Text, p.ParseMode)
	}
	if p.ThreadID != topic || !p.DisableNotification {
		t.Errorf("thread %d, silent %v", p.ThreadID, p.DisableNotification)
	}
	want := notify.Ref{Part: 0, ChatID: "-100333", ThreadID: "7", MessageID: "1", Media: true}
	if len(refs) != 1 || refs[0] != want {
		t.Errorf("refs = %+v, want %+v", refs, want)
	}
	if st := fake.Stats(); st.Calls["sendPhoto"] != 1 || st.Calls["sendMessage"] != 0 {
		t.Errorf("calls %v", st.Calls)
	}
}

func TestChartLongMessage(t *testing.T) {
	title := "🔥 <b>DiskFull <i>db-1</i></b> · critical"
	tests := []struct {
		name  string
		body  string
		parts int // text parts after the photo
	}{
		{name: "over the caption limit", body: strings.Repeat("описание диска 😀\n", 70), parts: 1},
		{name: "over the message limit", body: strings.Repeat("описание диска 😀\n", 300), parts: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t, faketelegram.Limits{Unlimited: true})
			text := title + "\n" + tt.body
			n := fixed(newNotifier(t, mustBot(t, botConfig(fake), nil), channelConfig(userChat), nil), text)
			m := message(alert.KindFiring, nasty)
			m.Image = chartPNG(t, 600, 300, 1)
			refs, _, err := n.Notify(alerts.Context(t, 5*time.Second), m)
			if err != nil {
				t.Fatal(err)
			}
			msgs := fake.Messages()
			if len(msgs) != 1+tt.parts || len(refs) != len(msgs) {
				t.Fatalf("%d messages, %d refs; want 1 photo + %d", len(msgs), len(refs), tt.parts)
			}
			if msgs[0].Photo == nil || msgs[0].Plain != "🔥 DiskFull db-1 · critical" || msgs[0].Text != title {
				t.Errorf("photo caption %q", msgs[0].Text)
			}
			if msgs[1].Photo != nil || msgs[1].ReplyTo != msgs[0].ID {
				t.Errorf("the text does not reply to the photo: %+v", msgs[1])
			}
			var got strings.Builder
			for i, msg := range msgs[1:] {
				got.WriteString(msg.Plain)
				if refs[i+1].Part != i+1 || refs[i+1].Media {
					t.Errorf("ref %d = %+v", i+1, refs[i+1])
				}
			}
			if want, _ := faketelegram.ParseHTML(text); got.String() != want {
				t.Error("the text after the photo is not the whole message")
			}
			if !refs[0].Media || refs[0].Part != 0 {
				t.Errorf("photo ref %+v", refs[0])
			}
		})
	}
}

func TestCaptionLimitCounting(t *testing.T) {
	// 10 units of title, 800 of emoji (2 units, 4 bytes each), 100 of
	// entities (1 unit, 5 bytes each), then x up to the limit: far over
	// 1024 bytes, exactly 1024 units, plus blanks Telegram strips.
	caption := func(units int) string {
		s := "<b>Disk &amp; 😀</b>\n" + strings.Repeat("😀", 400) + "<i>" + strings.Repeat("&amp;", 100) + "</i>"
		return "\n " + s + strings.Repeat("x", units-910) + "\n\n"
	}
	for _, tt := range []struct {
		units int
		long  bool
	}{{1024, false}, {1025, true}} {
		fake := newFake(t, faketelegram.Limits{Unlimited: true})
		text := caption(tt.units)
		if plain, _ := faketelegram.ParseHTML(text); faketelegram.UTF16Len(strings.TrimSpace(plain)) != tt.units {
			t.Fatalf("test text has %d units", faketelegram.UTF16Len(plain))
		}
		if got := visibleUnits(text); got != tt.units {
			t.Errorf("visibleUnits = %d, want %d", got, tt.units)
		}
		n := fixed(newNotifier(t, mustBot(t, botConfig(fake), nil), channelConfig(userChat), nil), text)
		m := message(alert.KindFiring, nasty)
		m.Image = chartPNG(t, 600, 300, 1)
		if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), m); err != nil {
			t.Fatalf("%d units: %v", tt.units, err)
		}
		msgs := fake.Messages()
		if long := len(msgs) == 2; long != tt.long || msgs[0].Photo == nil {
			t.Errorf("%d units: %d messages, want the text apart: %v", tt.units, len(msgs), tt.long)
		}
		if tt.long && msgs[0].Text != "<b>Disk &amp; 😀</b>" {
			t.Errorf("%d units: short caption %q", tt.units, msgs[0].Text)
		}
	}
}

func TestChartResumesAfterPhoto(t *testing.T) {
	text := "🔥 <b>DiskFull</b>\n" + strings.Repeat("line of text\n", 100)
	// One call allowed per chat: the photo goes out, its text gets 429.
	fake := newFake(t, faketelegram.Limits{PerChat: 0.001, PerChatBurst: 1})
	n := fixed(newNotifier(t, mustBot(t, botConfig(fake), nil), channelConfig(userChat), nil), text)
	m := message(alert.KindFiring, nasty)
	m.Image = chartPNG(t, 600, 300, 1)
	refs, retry, err := n.Notify(alerts.Context(t, 5*time.Second), m)
	var rl *notify.RateLimitError
	if !errors.As(err, &rl) || !retry || len(refs) != 1 || !refs[0].Media {
		t.Fatalf("refs=%+v retry=%v err=%v", refs, retry, err)
	}
	unlimited := newFake(t, faketelegram.Limits{Unlimited: true})
	n = fixed(newNotifier(t, mustBot(t, botConfig(unlimited), nil), channelConfig(userChat), nil), text)
	m.SentParts = len(refs)
	refs, _, err = n.Notify(alerts.Context(t, 5*time.Second), m)
	if err != nil || len(refs) != 1 || refs[0].Part != 1 || refs[0].Media {
		t.Fatalf("resumed: refs=%+v err=%v", refs, err)
	}
	if st := unlimited.Stats(); st.Calls["sendPhoto"] != 0 || st.Calls["sendMessage"] != 1 {
		t.Errorf("resumed with %v, want the text only", st.Calls)
	}
	// A caption that held the whole message: nothing is left to send.
	n = fixed(n, "short")
	if refs, _, err := n.Notify(alerts.Context(t, 5*time.Second), m); err != nil || len(refs) != 0 {
		t.Errorf("resumed after a complete photo: refs=%+v err=%v", refs, err)
	}
}

func TestChartRejectedBeforeSending(t *testing.T) {
	big := append(pngHeader(t, 1200, 600), make([]byte, MaxPhotoBytes)...)
	tests := []struct {
		name   string
		png    []byte
		reason string
	}{
		{name: "over 10 MB", png: big, reason: "over Telegram's photo limit"},
		{name: "sides over 10000", png: pngHeader(t, 6000, 4001), reason: "width+height at most 10000"},
		{name: "ratio over 20", png: pngHeader(t, 2100, 100), reason: "side ratio of at most 20"},
		{name: "not a PNG", png: []byte("\xff\xd8\xff\xe0 JPEG"), reason: "not a readable PNG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t, faketelegram.Limits{Unlimited: true})
			var logs alerts.LogBuffer
			n := fixed(newNotifier(t, mustBot(t, botConfig(fake), nil), channelConfig(userChat), logs.Logger()), "🔥 <b>DiskFull</b>")
			m := message(alert.KindFiring, nasty)
			m.Image = &notify.Image{PNG: tt.png}
			refs, _, err := n.Notify(alerts.Context(t, 5*time.Second), m)
			if err != nil || len(refs) != 1 || refs[0].Media {
				t.Fatalf("refs=%+v err=%v", refs, err)
			}
			if msg, _ := fake.Message(userChat, 1); msg.Photo != nil || msg.Plain != "🔥 DiskFull" {
				t.Errorf("sent %+v, want the text alone", msg)
			}
			if !strings.Contains(logs.String(), tt.reason) || !strings.Contains(logs.String(), "without its chart") {
				t.Errorf("logs do not give the reason %q:\n%s", tt.reason, logs.String())
			}
		})
	}
	// Within the limits, the same checks pass: they must not reject charts.
	for _, sz := range [][2]int{{1200, 600}, {4999, 5001}, {2000, 100}} {
		if err := checkPhoto(pngHeader(t, sz[0], sz[1])); err != nil {
			t.Errorf("%v rejected: %v", sz, err)
		}
	}
}

func TestChartRefusedByTelegramFallsBackToText(t *testing.T) {
	fake := newFake(t, faketelegram.Limits{Unlimited: true})
	var logs alerts.LogBuffer
	n := fixed(newNotifier(t, mustBot(t, botConfig(fake), nil), channelConfig(userChat), logs.Logger()), "🔥 <b>DiskFull</b>")
	m := message(alert.KindFiring, nasty)
	// Past Herald's own checks (sendCharted trusts chart), as a PNG
	// Telegram cannot process would be.
	refs, _, err := n.sendCharted(alerts.Context(t, 5*time.Second), m, "🔥 <b>DiskFull</b>", nil, &notify.Image{PNG: []byte("GIF89a")}, nil, false)
	if err != nil || len(refs) != 1 || refs[0].Media {
		t.Fatalf("refs=%+v err=%v", refs, err)
	}
	if msg, _ := fake.Message(userChat, 1); msg.Photo != nil {
		t.Errorf("sent %+v", msg)
	}
	if !strings.Contains(logs.String(), "IMAGE_PROCESS_FAILED") {
		t.Errorf("logs:\n%s", logs.String())
	}
}
