package wecom

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
	"github.com/heraldhq/herald/internal/testutil"
	"github.com/heraldhq/herald/internal/testutil/fakewecom"
)

// newFake starts a fake robot without a rate limit.
func newFake(t *testing.T) *fakewecom.Server {
	return fakewecom.New(t, fakewecom.Config{Unlimited: true})
}

// mustRobot makes a robot for fake (not the shared registry: every test
// gets its own limiter).
func mustRobot(t *testing.T, fake *fakewecom.Server, opts ...RobotOption) *Robot {
	t.Helper()
	r, err := NewRobot(fake.URL(), append([]RobotOption{WithTimeout(5 * time.Second)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func channelConfig(fake *fakewecom.Server) *config.WeComConfig {
	return &config.WeComConfig{URL: config.Secret(fake.URL()), SendImage: new(true)}
}

func mustTemplates(t *testing.T) *template.Templates {
	t.Helper()
	tmpl, err := template.New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SetClock(func() time.Time { return startsAt.Add(10 * time.Minute) })
	return tmpl
}

// newNotifier makes a notifier with Herald's real templates.
func newNotifier(t *testing.T, robot *Robot, cfg *config.WeComConfig, logger *slog.Logger, opts ...Option) *Notifier {
	t.Helper()
	n, err := New("ops", cfg, robot, mustTemplates(t), logger, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// fixed makes n send text whatever the message, for tests about delivery
// rather than rendering.
func fixed(n *Notifier, text string) *Notifier {
	n.render = func(*notify.Message) string { return text }
	return n
}

var startsAt = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// message is an event for alerts with the given label sets (a "summary"
// label becomes the summary annotation).
func message(kind alert.Kind, labels ...amtemplate.KV) *notify.Message {
	d := &amtemplate.Data{Receiver: "herald", Status: "firing", ExternalURL: "http://alertmanager:9093",
		GroupLabels: amtemplate.KV{}, CommonLabels: amtemplate.KV{}, CommonAnnotations: amtemplate.KV{}}
	if kind == alert.KindResolved {
		d.Status = "resolved"
	}
	for _, l := range labels {
		ann := amtemplate.KV{}
		if s, ok := l["summary"]; ok {
			ann["summary"] = s
			l = l.Remove([]string{"summary"})
		}
		a := amtemplate.Alert{Status: d.Status, Labels: l, StartsAt: startsAt, Fingerprint: alert.Fingerprint(l),
			Annotations: ann, GeneratorURL: "http://prometheus:9090/graph?g0.expr=up+%3D%3D+0"}
		if kind == alert.KindResolved {
			a.EndsAt = startsAt.Add(5 * time.Minute)
		}
		d.Alerts = append(d.Alerts, a)
	}
	if len(labels) == 1 {
		d.CommonLabels = d.Alerts[0].Labels
	}
	return &notify.Message{Channel: "ops", Kind: kind, Data: d}
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// logBuffer collects log lines of every level, to search them for secrets.
type logBuffer struct{ testutil.Buffer }

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// chartPNG is a small chart-like PNG.
func chartPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, h/2+int(float64(h/4)*float64(x%50)/50), color.RGBA{200, 30, 30, 255})
	}
	return encodePNG(t, img, png.DefaultCompression)
}

// noisePNG is a PNG of random pixels: it does not compress, so it is
// about 4*w*h bytes whatever the encoder does.
func noisePNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = uint8(r.UintN(256))
	}
	return encodePNG(t, img, png.NoCompression)
}

func encodePNG(t *testing.T, img image.Image, level png.CompressionLevel) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: level}).Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
