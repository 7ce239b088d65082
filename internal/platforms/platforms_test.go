package platforms_test

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/app"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/platform"
	"github.com/heraldhq/herald/internal/platforms"
	"github.com/heraldhq/herald/internal/template"
	"github.com/heraldhq/herald/internal/testutil/alerts"
)

// inConfigurationDoc are the platforms documented in docs/configuration.md
// (channels[].<name>) rather than on a page of their own: the core ones,
// whose settings are shared with the top-level sections.
var inConfigurationDoc = map[string]bool{"telegram": true, "console": true}

// sendsData are the platforms that send Herald's event JSON rather than a
// rendered message, and so have no default template.
var sendsData = map[string]bool{"webhook": true}

// TestEveryPlatformIsComplete checks what registering a platform in All
// must bring besides its code: a docs page, a default template that
// renders, and a channel that `herald send-test --channel` can build.
func TestEveryPlatformIsComplete(t *testing.T) {
	t.Parallel()
	all := platforms.All()
	var logs alerts.LogBuffer
	tmpl, err := template.New(nil, logs.Logger(), platform.Templates(all)...)
	if err != nil {
		t.Fatal(err)
	}
	confDoc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range all {
		t.Run(p.Name, func(t *testing.T) {
			if seen[p.Name] {
				t.Fatalf("registered twice")
			}
			seen[p.Name] = true
			if p.Build == nil {
				t.Error("no builder")
			}
			// Docs.
			if inConfigurationDoc[p.Name] {
				if !strings.Contains(string(confDoc), "### `channels[]."+p.Name+"`") {
					t.Errorf("docs/configuration.md has no section channels[].%s", p.Name)
				}
			} else if _, err := os.Stat(filepath.Join("../../docs/platforms", p.Name+".md")); err != nil {
				t.Errorf("no docs page: %v", err)
			}
			if !strings.Contains(string(confDoc), "| `"+p.Name+"` | section |") {
				t.Errorf("docs/configuration.md does not list the %s section under channels", p.Name)
			}
			// Default template.
			if sendsData[p.Name] {
				if p.DefaultMessage != "" {
					t.Errorf("a platform that sends data has a default message")
				}
				return
			}
			if p.DefaultMessage == "" {
				t.Fatal("no default message template")
			}
			m := alerts.Message(alert.KindFiring, alerts.Alert(map[string]string{"alertname": "HostDown", "instance": "node-1"}))
			out := tmpl.Execute(p.DefaultMessage, "", template.MessageData(m, "ops"), formatOf(p.Name))
			// Some platforms name the alert in a title of their own: the
			// message only has to render, without falling back.
			if strings.TrimSpace(out) == "" || strings.Contains(out, "message template failed") ||
				strings.Contains(logs.String(), "template failed") {
				t.Errorf("default template: %q\n%s", out, logs.String())
			}
		})
	}
	if t.Failed() {
		return
	}
	// send-test: every platform's channel is built by the app, which is
	// what `herald send-test --direct --channel NAME` delivers through.
	var b strings.Builder
	b.WriteString("channels:\n")
	for _, p := range all {
		ex := p.Example
		if ex == "" {
			t.Fatalf("%s: no Example section in its Platform()", p.Name)
		}
		b.WriteString("  - name: " + p.Name + "-ch\n    " + p.Name + ": " + ex + "\n")
	}
	path := filepath.Join(t.TempDir(), "herald.yml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, platforms.Configs())
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	a := app.New(nil, app.Options{Stdout: io.Discard, Logger: slog.New(slog.DiscardHandler)})
	setup, err := a.Setup(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if ch := cfg.Channel(p.Name + "-ch"); ch == nil || ch.Platform != p.Name || setup.Channels[ch.Name].Notifier == nil {
			t.Errorf("%s: send-test --channel %s-ch has no notifier", p.Name, p.Name)
		}
	}
}

// formatOf is the output format of a platform's default message: Telegram
// renders HTML, the others text (their escaping is in their data).
func formatOf(name string) template.Format {
	if name == "telegram" {
		return template.TelegramHTML
	}
	return template.Text
}
