package e2e

import (
	"bytes"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/fakediscord"
)

// discordConfig writes a herald.yml whose only channel is the fake's webhook.
func discordConfig(t *testing.T, fake *fakediscord.Server, promURL string) string {
	t.Helper()
	return writeConfig(t, t.TempDir(), "127.0.0.1:0", "10s", fmt.Sprintf(`prometheus:
  url: %s
graph:
  timeout: 5s
channels:
  - name: discord-ops
    discord:
      url: %s
      username: Herald
default_channel: discord-ops
`, promURL, fake.URL()))
}

// The real Alertmanager payload reaches the fake Discord as an embed with
// its chart uploaded; the resolution edits that message (green, the
// resolved chart in place of the firing one) and posts a short note. Each
// is delivered once although Alertmanager sent them several times.
func TestDiscordFiringAndResolved(t *testing.T) {
	fake := fakediscord.New(t, fakediscord.Config{})
	h := startHerald(t, discordConfig(t, fake, fakePrometheus(t)))
	nasty := `node<&>_*@everyone 日本語`
	h.postAlerts(t, "firing", 3, realPayload(t, withJob(nasty)...))
	msgs, err := fake.WaitMessages(1, 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	first := msgs[0]
	if first.Username != "Herald" || len(first.Embeds) != 1 || first.AllowedMentions == nil || len(first.AllowedMentions.Parse) != 0 {
		t.Fatalf("firing message: %+v", first)
	}
	e := first.Embeds[0]
	if !strings.Contains(e.Title, "HostMemoryLow") || !strings.Contains(e.Title, "node-2.example:9100") || e.Color != 0xE74C3C {
		t.Errorf("firing embed: %q colour %06x", e.Title, e.Color)
	}
	if !strings.Contains(first.Text(), nasty) {
		t.Errorf("the job label is missing:\n%s", first.Text())
	}
	firingChart := first.Image()
	if firingChart == nil {
		t.Fatalf("no chart attached: %+v", first.Attachments)
	}
	if _, err := png.Decode(bytes.NewReader(firingChart)); err != nil {
		t.Fatalf("the chart is not a PNG: %v", err)
	}

	h.postAlerts(t, "resolved", 2, resolvedPayload(t, withJob(nasty)...))
	if _, err := fake.WaitMessages(2, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	settle()
	msgs = fake.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want the firing one and the resolved note", len(msgs))
	}
	edited := msgs[0]
	if len(edited.Edits) != 1 || !strings.Contains(edited.Embeds[0].Title, "RESOLVED") || edited.Embeds[0].Color != 0x2ECC71 {
		t.Errorf("the firing message was not edited to resolved: %d edits, %q", len(edited.Edits), edited.Embeds[0].Title)
	}
	if img := edited.Image(); img == nil || bytes.Equal(img, firingChart) || len(edited.Attachments) != 1 {
		t.Errorf("the resolved chart did not replace the firing one (%d attachments)", len(edited.Attachments))
	}
	if note := msgs[1].Embeds[0]; !strings.Contains(note.Description, "resolved after 10m") {
		t.Errorf("resolved note: %q", note.Description)
	}
	if st := fake.Stats(); st.TooManyRequests != 0 || st.Errors != 0 {
		t.Errorf("fake stats %+v", st)
	}
	if strings.Contains(h.Log.String(), fakediscord.DefaultToken) {
		t.Error("the webhook token appears in the log")
	}
}
