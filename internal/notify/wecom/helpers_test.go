package wecom

import (
	"bytes"
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
	"github.com/heraldhq/herald/internal/testutil/alerts"
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

func channelConfig(fake *fakewecom.Server) *Config {
	return &Config{URL: config.Secret(fake.URL()), SendImage: new(true)}
}

// mustTemplates are Herald's templates with their clock ten minutes after
// the alerts started.
func mustTemplates(t *testing.T) *template.Templates {
	t.Helper()
	return alerts.Templates(t, alerts.StartsAt.Add(10*time.Minute), nil, FS)
}

// newNotifier makes a notifier with Herald's real templates.
func newNotifier(t *testing.T, robot *Robot, cfg *Config, logger *slog.Logger, opts ...Option) *Notifier {
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

// message is an event for alerts with the given label sets (a "summary"
// label becomes the summary annotation).
func message(kind alert.Kind, labels ...amtemplate.KV) *notify.Message {
	return alerts.Event(kind, labels, alerts.MoveSummary(),
		alerts.GeneratorURL("http://prometheus:9090/graph?g0.expr=up+%3D%3D+0"))
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
