package console

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
)

// chartKeep is how long saved charts stay in the chart directory; each
// write removes older ones, so trying Herald out does not fill the disk.
const chartKeep = 24 * time.Hour

// WithChartDir makes the notifier save each message's chart as a PNG in
// dir and print its path, so that someone trying Herald on the console
// sees the picture a chat would get. A chart with a hosted URL is shown by
// its URL instead; without dir only the URL is printed.
func WithChartDir(dir string) Option {
	return func(n *Notifier) { n.chartDir = dir }
}

// chartLine says where m's chart is, or "" when it has none. A chart that
// cannot be saved is reported in the line rather than failing the message:
// the chart is best effort, the alert is not.
func (n *Notifier) chartLine(m *notify.Message, now time.Time) string {
	img := m.Image
	if img == nil {
		return ""
	}
	if img.URL != "" {
		return "chart: " + img.URL + "\n"
	}
	if n.chartDir == "" || len(img.PNG) == 0 {
		return ""
	}
	path, err := n.saveChart(m, img, now)
	if err != nil {
		return fmt.Sprintf("chart: not saved (%v)\n", err)
	}
	return "chart: " + path + "\n"
}

// saveChart writes img under the chart directory, named after the event
// so that a retry overwrites its own file, and prunes old charts.
func (n *Notifier) saveChart(m *notify.Message, img *notify.Image, now time.Time) (string, error) {
	if err := os.MkdirAll(n.chartDir, 0o750); err != nil {
		return "", err
	}
	name := "chart"
	if m.Data != nil && len(m.Data.Alerts) > 0 {
		name = safeName(m.Data.Alerts[0].Fingerprint)
	}
	kind := m.Kind
	if kind == "" {
		kind = alert.KindFiring
	}
	path := filepath.Join(n.chartDir, fmt.Sprintf("%s-%s-%s.png", now.UTC().Format("20060102T150405"), name, kind))
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, img.PNG, 0o640); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return "", err
	}
	n.prune(now)
	return path, nil
}

// prune removes charts older than chartKeep.
func (n *Notifier) prune(now time.Time) {
	entries, err := os.ReadDir(n.chartDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".png") {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > chartKeep {
			os.Remove(filepath.Join(n.chartDir, e.Name()))
		}
	}
}

// safeName keeps letters and digits of s (a fingerprint is hex, but it
// comes from outside), at most 32 of them.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() == 32 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "chart"
	}
	return b.String()
}
