package wecom

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
)

func TestFitImage(t *testing.T) {
	t.Parallel()
	small := chartPNG(t, 400, 300)
	// A flat image stored without compression: far over the limit as it
	// is, tiny once compressed.
	flat := encodePNG(t, image.NewRGBA(image.Rect(0, 0, 900, 700)), png.NoCompression)
	noisy := noisePNG(t, 900, 700)
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, image.NewRGBA(image.Rect(0, 0, 50, 50)), nil); err != nil {
		t.Fatal(err)
	}
	limit := 1_000_000
	tests := []struct {
		name    string
		in      []byte
		same    bool
		shrunk  string
		wantErr string
	}{
		{name: "fits", in: small, same: true},
		{name: "jpeg fits", in: jpg.Bytes(), same: true},
		{name: "recompressed", in: flat, shrunk: "900x700"},
		{name: "downscaled", in: noisy, shrunk: "450x350"},
		{name: "gif", in: []byte("GIF89a...."), wantErr: "neither PNG nor JPG"},
		{name: "large jpeg", in: append(bytes.Clone(jpg.Bytes()), make([]byte, limit)...), wantErr: "JPG of"},
		{name: "broken png", in: append(append([]byte(nil), pngMagic...), make([]byte, limit)...), wantErr: "not a readable PNG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, shrunk, err := fitImage(tt.in, limit)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(out) > limit || shrunk != tt.shrunk || (tt.same && !bytes.Equal(out, tt.in)) {
				t.Fatalf("%d bytes, shrunk %q, err %v", len(out), shrunk, err)
			}
			if _, _, err := image.DecodeConfig(bytes.NewReader(out)); err != nil {
				t.Fatal(err)
			}
		})
	}
	if _, _, err := fitImage(noisy, 5000); err == nil || !strings.Contains(err.Error(), "even at") {
		t.Errorf("an image that never fits: %v", err)
	}
}

func TestHalveAverages(t *testing.T) {
	t.Parallel()
	src := image.NewRGBA(image.Rect(10, 10, 14, 12)) // not at the origin
	for i := range src.Pix {
		src.Pix[i] = 200
	}
	src.Pix[0], src.Pix[1], src.Pix[2] = 0, 0, 0 // one dark pixel
	out := halve(src)
	if out.Rect != image.Rect(0, 0, 2, 1) || out.Pix[0] != 150 || out.Pix[4] != 200 {
		t.Fatalf("rect %v pix %v", out.Rect, out.Pix)
	}
}

func TestNotifyImage(t *testing.T) {
	// Not parallel: a CPU-heavy build under a delivery deadline, which
	// the parallel tests would slow down (they start after the serial ones).
	chart := chartPNG(t, 600, 300)
	tests := []struct {
		name      string
		kind      alert.Kind
		png       []byte
		folded    bool
		noImages  bool
		onResolve string
		maxImage  int
		want      string // message types
		width     int
		log       string
	}{
		{name: "firing", kind: alert.KindFiring, png: chart, want: "markdown,image", width: 600},
		{name: "resolved", kind: alert.KindResolved, png: chart, want: "markdown,image", width: 600},
		{name: "resolved, on_resolve none", kind: alert.KindResolved, png: chart, onResolve: config.OnResolveNone, want: "markdown"},
		{name: "send_image false", kind: alert.KindFiring, png: chart, noImages: true, want: "markdown"},
		{name: "folded", kind: alert.KindFiring, png: chart, folded: true, want: "markdown"},
		// ~2.5 MB of noise: over WeCom's 2 MB, halved to fit.
		{name: "shrunk to fit", kind: alert.KindFiring, png: noisePNG(t, 900, 700), want: "markdown,image", width: 450},
		{name: "never fits", kind: alert.KindFiring, png: chart, maxImage: 100, want: "markdown", log: "sending the message without its chart"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t)
			cfg := channelConfig(fake)
			cfg.SendImage = new(!tt.noImages)
			var logs alerts.LogBuffer
			n := newNotifier(t, mustRobot(t, fake), cfg, logs.Logger(), WithChartOnResolve(tt.onResolve))
			if tt.maxImage > 0 {
				n.maxImage = tt.maxImage
			}
			m := message(tt.kind, nasty)
			m.Folded = tt.folded
			m.Image = &notify.Image{PNG: tt.png, Width: 600, Height: 300, Alt: "chart"}
			refs, _, err := n.Notify(alerts.Context(t, 10*time.Second), m)
			if err != nil {
				t.Fatalf("%v (fake: %s)", err, fake.Stats().LastError)
			}
			msgs := fake.Messages()
			var types []string
			for _, msg := range msgs {
				types = append(types, msg.Type)
			}
			if strings.Join(types, ",") != tt.want {
				t.Fatalf("types %v, want %s", types, tt.want)
			}
			if tt.width > 0 {
				if img := msgs[1]; img.Width != tt.width || img.ImageFormat != "png" || !refs[1].Media || refs[1].Part != 1 {
					t.Errorf("image %dx%d %s, ref %+v", img.Width, img.Height, img.ImageFormat, refs[1])
				}
			}
			if tt.log != "" && !strings.Contains(logs.String(), tt.log) {
				t.Errorf("log lacks %q:\n%s", tt.log, logs.String())
			}
		})
	}
}
