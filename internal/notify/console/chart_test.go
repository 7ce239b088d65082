package console

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
)

// TestChartLocation checks that the console says where a message's chart
// is: the hosted URL when there is one, otherwise a PNG saved in the chart
// directory, and that old charts are pruned.
func TestChartLocation(t *testing.T) {
	t.Parallel()
	tmpl, _ := newTemplates(t)
	dir := filepath.Join(t.TempDir(), "charts")
	png := []byte("\x89PNG\r\n\x1a\nfake")

	var out bytes.Buffer
	n := New(nil, tmpl, &out, WithChartDir(dir))
	n.now = func() time.Time { return now }
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(dir, "old.png")
	if err := os.WriteFile(old, png, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(old, now.Add(-48*time.Hour), now.Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}

	m := message(alert.KindFiring)
	m.Data.Alerts[0].Fingerprint = "abc123/../x"
	m.Image = &notify.Image{PNG: png}
	if _, _, err := n.Notify(alerts.Context(t, time.Second), m); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "20261121T042142-abc123x-firing.png")
	if !strings.Contains(out.String(), "chart: "+want+"\n") {
		t.Fatalf("output does not name the chart %s:\n%s", want, out.String())
	}
	if b, err := os.ReadFile(want); err != nil || !bytes.Equal(b, png) {
		t.Fatalf("saved chart: %v", err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("a chart older than a day was kept: %v", err)
	}

	out.Reset()
	m.Image = &notify.Image{PNG: png, URL: "https://herald.example/images/x.png?sig=1"}
	if _, _, err := n.Notify(alerts.Context(t, time.Second), m); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "chart: https://herald.example/images/x.png?sig=1\n") {
		t.Errorf("hosted chart not named by its URL:\n%s", out.String())
	}

	out.Reset()
	m.Image = nil
	if _, _, err := n.Notify(alerts.Context(t, time.Second), m); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "chart:") {
		t.Errorf("a message without a chart names one:\n%s", out.String())
	}
}
